export {
  bucketRanges,
  firstPlannedWindow,
  isInPlannedTime,
  plannedShifts,
  plannedWindows,
  shiftBoundaries,
  type BucketKind,
  type CalendarPattern,
  type PlannedWindow,
  type ShiftBoundary,
  type TimeRange,
} from './shift-calendar.js';
