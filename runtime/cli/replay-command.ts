/**
 * `nova replay --log DIR`: prints the events of a persistent event log
 * (runtime/events/log) as the JSON lines of `nova listen`, without a daemon,
 * then exits. Corrupt records are never printed as data: each corrupt stretch
 * is reported on stderr and the exit code is 1.
 */
import { statSync } from "node:fs";
import type { Command } from "commander";
import { IPCError } from "../errors.js";
import { parseSince } from "../bus/daemon-control.js";
import { EventLog } from "../events/log/event-log.js";
import type { CorruptionReport } from "../events/log/recovery.js";
import { parsePattern } from "../events/topic-pattern.js";
import { eventLine, offsetOption, reportError, sinceOption, writeLine, exitOnBrokenPipe } from "./event-lines.js";

/** Options of `nova replay`. */
export interface ReplayCliOptions {
  log: string;
  fromOffset?: number;
  since?: string;
  topic?: string;
}

/** The stderr line for a corrupt stretch. */
export function corruptionLine(c: CorruptionReport): string {
  const after = c.afterOffset < 0 ? "at the start of the segment" : `after offset ${c.afterOffset}`;
  const what = c.kind === "tail" ? "damaged tail" : "corrupt record(s)";
  return `error[CorruptedMessage]: ${what} in segment ${c.segment}, byte ${c.position}, ${c.length} bytes, ${after}: skipped`;
}

/**
 * Prints the records of the log in `options.log` matching the options; returns the corrupt
 * stretches met (on open and during replay, each once). Throws IPCError for a missing log or
 * bad options.
 */
export async function replayToStdout(options: ReplayCliOptions): Promise<CorruptionReport[]> {
  let isDir = false;
  try {
    isDir = statSync(options.log).isDirectory();
  } catch {
    // reported below
  }
  // EventLog.open would create a missing directory: a typo must not look like an empty log.
  if (!isDir) throw new IPCError("InvalidArgument", `no event log directory at ${options.log}`, { context: { path: options.log } });
  if (options.topic !== undefined) parsePattern(options.topic);
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const seen = new Map<string, CorruptionReport>();
  const onCorruption = (c: CorruptionReport): void => {
    const key = `${c.segment}:${c.position}`;
    if (seen.has(key)) return; // the active segment's stretches are met on open and again by replay
    seen.set(key, c);
    process.stderr.write(corruptionLine(c) + "\n");
  };
  const log = await EventLog.open(options.log, { onCorruption });
  try {
    if (log.recovery.truncatedBytes > 0) {
      process.stderr.write(`note: cut a torn tail of ${log.recovery.truncatedBytes} bytes (a write interrupted by a crash; never acknowledged)\n`);
    }
    for await (const { offset, event } of log.replay({ fromOffset: options.fromOffset, since, topic: options.topic })) {
      const line = eventLine({ offset, id: event.messageId, topic: event.body.eventType, timestampNs: event.timestampNs, data: event.body.data });
      const wait = writeLine(line);
      if (wait !== undefined) await wait;
    }
  } finally {
    await log.close();
  }
  return [...seen.values()];
}

const EXAMPLES = `
Examples:
  $ nova replay --log ~/.local/state/nova/events
  $ nova replay --log /var/tmp/events --topic 'window.**' --from-offset 1000
  $ nova replay --log /var/tmp/events --since 2026-12-04T18:00:00Z | jq .data

Prints one line per record, in offset order, the same lines as nova listen:
{"offset":N,"id":"…","topic":"…","timestampNs":"…","data":…}. --since compares with the
event's timestamp (ISO-8601, or ns since the epoch). A corrupt record is never printed: each
corrupt stretch gets an error[CorruptedMessage] line on stderr (segment, byte position, the
last good offset before it), replay goes on after it, and the exit code is 1.

The log is opened as the bus opens it: a torn tail left by a crash (an unacknowledged write)
is cut, with a note on stderr. So do not run it on the log of a bus that is writing to it;
use "nova listen PATTERN --from-offset N" to read the log of a running bus.
Exit codes: 0 ok, 1 corrupt records found or an error (error[Code]: message), 2 bad usage.`;

/** Registers `replay` on the `nova` program. */
export function register(program: Command): void {
  program
    .command("replay")
    .description("print the events of a persistent event log, without a daemon")
    .requiredOption("--log <dir>", "directory of the event log")
    .option("--from-offset <n>", "first offset", offsetOption)
    .option("--since <iso>", "only events at or after this time (ISO-8601, or ns since the epoch)", sinceOption)
    .option("--topic <pattern>", "only topics matching this pattern (window.**)")
    .addHelpText("after", EXAMPLES)
    .action(async (options: ReplayCliOptions) => {
      exitOnBrokenPipe();
      try {
        if ((await replayToStdout(options)).length > 0) process.exitCode = 1;
      } catch (err) {
        reportError(err);
      }
    });
}
