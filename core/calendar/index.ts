export {
  bucketRanges,
  firstPlannedWindow,
  isInPlannedTime,
  plannedShifts,
  plannedWindows,
  shiftBoundaries,
  type CalendarPattern,
  type PlannedWindow,
  type ShiftBoundary,
  type TimeRange,
} from './shift-calendar.js';
export { applyEdit, listVersions, versionOn, type PatternVersion, type VersionedPattern } from './pattern-versions.js';
export { changedDays } from './pattern-impact.js';
