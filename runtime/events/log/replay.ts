/**
 * Replay: records in offset order from a start offset and/or time, filtered
 * by topic, as an async iterator. Records are read chunk by chunk (256 KiB)
 * and decoded one at a time as the consumer pulls, so a slow consumer holds
 * back the reading (backpressure) instead of buffering the log in memory.
 * Archived segments are inflated whole (one segment at a time).
 */
import { decodeCheckedFrame, decodeCheckedFrameAsync, isCompressedFrame } from "../../wire/frame.js";
import type { EventMessage } from "../../wire/message.js";
import { recordTimestamp, recordTopic } from "./format.js";
import type { CorruptionReport } from "./recovery.js";
import { scanSegment } from "./scanner.js";
import { loadIndex, openSegmentReader, type SegmentInfo } from "./segment.js";
import { compileTopicPattern } from "./topic-pattern.js";

/** What to replay. All given conditions must hold. */
export interface ReplayOptions {
  /** First offset (inclusive). */
  fromOffset?: number;
  /** Only records with header timestamp >= this (ns since epoch, or a Date). */
  since?: bigint | Date;
  /** Only records with header timestamp < this. */
  until?: bigint | Date;
  /** A dotted pattern (`window.*`, `window.**`) or a predicate on the event type. */
  topic?: string | ((topic: string) => boolean);
  /** Called for each corrupt stretch met; replay skips it and goes on. */
  onCorruption?: (report: CorruptionReport) => void;
}

/** One replayed record. */
export interface LogRecord {
  offset: number;
  /** The event as appended (its correlationId is the offset). */
  event: EventMessage;
}

/** Internal wiring from the EventLog. */
export interface ReplayContext extends ReplayOptions {
  maxMessageSize: number;
  maxArchiveBytes: number;
  loadIndexInterval: number;
  activeBase: () => number;
  activeLimit: () => number;
}

function toNs(t: bigint | Date | undefined): bigint | undefined {
  return t instanceof Date ? BigInt(t.getTime()) * 1_000_000n : t;
}

/** See the file comment. */
export async function* replayLog(dir: string, segments: SegmentInfo[], ctx: ReplayContext): AsyncGenerator<LogRecord> {
  const from = ctx.fromOffset ?? 0;
  const since = toNs(ctx.since);
  const until = toNs(ctx.until);
  const topicOk = typeof ctx.topic === "string" ? compileTopicPattern(ctx.topic) : ctx.topic;
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    const nextBase = segments[s + 1]?.base;
    if (nextBase !== undefined && nextBase <= from) continue;
    const isActive = seg.base === ctx.activeBase() && seg.active;
    const index = isActive ? seg.index! : await loadIndex(dir, seg, ctx.loadIndexInterval, ctx.maxMessageSize, ctx.maxArchiveBytes);
    if (since !== undefined && index.maxTs < since) continue;
    let start = { pos: 0, minOffset: seg.base };
    if (from > seg.base) start = index.seekOffset(from);
    if (since !== undefined) {
      const t = index.seekTime(since);
      if (t.pos > start.pos) start = t;
    }
    const reader = await openSegmentReader(dir, seg, ctx.maxArchiveBytes);
    if (reader === undefined) continue; // deleted by retention meanwhile
    const limit = seg.active ? Math.min(reader.size, ctx.activeLimit()) : reader.size;
    let lastGood = -1;
    try {
      for await (const item of scanSegment(reader.source, { from: start.pos, limit, minOffset: start.minOffset, maxMessageSize: ctx.maxMessageSize })) {
        if (item.kind !== "record") {
          ctx.onCorruption?.({ segment: seg.base, position: item.pos, length: item.length, afterOffset: lastGood, kind: item.kind });
          continue;
        }
        lastGood = item.offset;
        if (item.offset < from) continue;
        const ts = recordTimestamp(item.bytes, item.start);
        if (since !== undefined && ts < since) continue;
        if (until !== undefined && ts >= until) continue;
        if (topicOk !== undefined && !topicOk(recordTopic(item.bytes, item.start))) continue;
        let event: EventMessage;
        try {
          const m = isCompressedFrame(item.bytes, item.start)
            ? await decodeCheckedFrameAsync(item.bytes.subarray(0, item.start + item.length), item.start, ctx.maxMessageSize)
            : decodeCheckedFrame(item.bytes, item.start, ctx.maxMessageSize);
          event = m as EventMessage;
        } catch {
          // A good CRC over a body that does not decode: reported, never returned.
          ctx.onCorruption?.({ segment: seg.base, position: item.pos, length: item.length, afterOffset: lastGood, kind: "corrupt" });
          continue;
        }
        yield { offset: item.offset, event };
      }
    } finally {
      await reader.close();
    }
  }
}
