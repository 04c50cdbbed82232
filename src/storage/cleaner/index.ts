// The log cleaner for cleanup.policy=compact (Kafka's LogCleaner): see log-cleaner.ts (the
// service), cleaner.ts (one clean), batch-filter.ts (what is kept), records.ts (rebuilt batches),
// segment-swap.ts (crash-safe replacement and its recovery), offset-map.ts (key -> offset).
export { LogCleaner, CLEANER_CHECKPOINT, type LogCleanerOptions, type CleanOutcome } from './log-cleaner.js';
export { cleanLog, logToClean, shouldClean, groupSegmentsBySize, segmentsIn, type CleanerEnv, type CleanResult, type LogToClean } from './cleaner.js';
export { recoverInterruptedSwaps, CleaningAborted, type SwapHooks } from './segment-swap.js';
export { OffsetMap } from './offset-map.js';
export type { CleanerStats } from './batch-filter.js';
