/**
 * On-disk names and per-record checks of the persistent event log
 * (README.md in this folder, "On-disk format").
 */
import { readU32, readU64 } from "../../wire/bytes.js";
import { HEADER_SIZE, Offset, VERSION_MAJOR } from "../../wire/constants.js";
import { scanGoodFrames } from "../../wire/frame-check.js";
import { hasMagic } from "../../wire/header.js";
import { MessageType } from "../../wire/message.js";

/** A live (appendable or closed, uncompressed) segment: `<20-digit base offset>.seg`. */
export const SEGMENT_SUFFIX = ".seg";
/** A closed segment compressed as one zstd frame. */
export const ARCHIVE_SUFFIX = ".seg.zst";
/** The sparse offset index of a closed segment. */
export const OFFSET_INDEX_SUFFIX = ".idx";
/** The time index of a closed segment. */
export const TIME_INDEX_SUFFIX = ".tix";
/** Files being written (archive, indexes) end in this until renamed; deleted on open. */
export const TEMP_SUFFIX = ".tmp";

/** The 20-digit zero-padded base offset that names a segment's files. */
export function segmentStem(base: number): string {
  return String(base).padStart(20, "0");
}

/** `{base, archived}` for a segment file name, undefined for any other file. */
export function parseSegmentName(name: string): { base: number; archived: boolean } | undefined {
  const m = /^(\d{20})\.seg(\.zst)?$/.exec(name);
  if (m === null) return undefined;
  return { base: Number(m[1]), archived: m[2] !== undefined };
}

/**
 * The length of the good frame at `b[p]`: `> 0` a complete frame with a valid
 * magic, version, length and CRC; `0` not enough bytes in `[p, end)` to tell;
 * `-1` bad.
 */
export function frameAt(b: Uint8Array, p: number, end: number, max: number): number {
  const avail = end - p;
  if (avail < HEADER_SIZE) {
    for (let i = 0; i < Math.min(avail, 4); i++) if (b[p + i] !== "NOVA".charCodeAt(i)) return -1;
    return 0;
  }
  if (!hasMagic(b, p) || b[p + Offset.versionMajor] !== VERSION_MAJOR) return -1;
  const len = readU32(b, p + Offset.payloadLength);
  if (len > max) return -1;
  if (avail - HEADER_SIZE < len) return 0;
  return scanGoodFrames(b, p, p + HEADER_SIZE + len, max) > p ? HEADER_SIZE + len : -1;
}

/** True when the good frame at `b[p]` is an Event (a log record). */
export function isEventFrame(b: Uint8Array, p: number): boolean {
  return b[p + Offset.messageType] === MessageType.Event;
}

/** The log offset a record carries in its correlation id field. */
export function recordOffset(b: Uint8Array, p: number): number {
  return Number(readU64(b, p + Offset.correlationId));
}

/** The record's timestamp (header), nanoseconds since the epoch. */
export function recordTimestamp(b: Uint8Array, p: number): bigint {
  return readU64(b, p + Offset.timestampNs);
}

/** The event type (topic) of the Event frame at `b[p]`, read without decoding the body. */
export function recordTopic(b: Uint8Array, p: number): string {
  const body = p + HEADER_SIZE;
  const n = b[body + 10]! | (b[body + 11]! << 8);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8", body + 12, body + 12 + n);
}
