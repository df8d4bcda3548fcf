/**
 * The persistent event log (issue 12 item 4): segmented, append-only NOVA
 * Event frames with offset and time indexes, fsync policies, rotation,
 * retention, zstd archives, crash recovery and streamed replay. README.md.
 */
export { EventLog, type EventLogOptions, type FsyncPolicy, type AppendResult } from "./event-log.js";
export type { ReplayOptions, LogRecord } from "./replay.js";
export type { CorruptionReport, RecoveryReport } from "./recovery.js";
