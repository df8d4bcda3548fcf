/** Shared helpers of the event log tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventLog, type EventLogOptions, type LogRecord, type ReplayOptions } from "../../../runtime/events/log/index.js";
import type { EventMessage } from "../../../runtime/wire/message.js";

/** A fresh temp directory; `cleanup` removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "nova-evlog-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Event number `i` on `topic` at timestamp `ts` (default 1e18 + i). */
export function ev(i: number, topic = "window.opened", ts?: bigint, data?: unknown): EventMessage {
  return {
    type: "event",
    messageId: BigInt(i + 1),
    correlationId: 0n,
    timestampNs: ts ?? 1_000_000_000_000_000_000n + BigInt(i),
    body: { eventType: topic, data: data ?? { i, pad: "x".repeat(i % 7) }, sourceId: 7n, priority: 1 },
  };
}

/** Every record of a replay. */
export async function collect(log: EventLog, options: ReplayOptions = {}): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of log.replay(options)) out.push(r);
  return out;
}

/** Opens a log with fast defaults for tests. */
export function openLog(dir: string, options: EventLogOptions = {}): Promise<EventLog> {
  return EventLog.open(dir, { groupCommitMs: 2, ...options });
}
