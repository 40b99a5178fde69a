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
