/**
 * Walks the records of one segment, chunk by chunk, telling good records from
 * corrupt regions and a torn tail. Used by recovery (the active segment on
 * open), index rebuilds and replay, so all three agree on what a record is.
 */
import { MAGIC } from "../../wire/constants.js";
import { frameAt, isEventFrame, recordOffset } from "./format.js";

/** Where segment bytes come from: a file handle or an in-memory (decompressed) archive. */
export interface ByteSource {
  /** Reads up to `length` bytes at file position `position` into `target[at..]`; returns the count (0 at the end). */
  read(target: Buffer, at: number, length: number, position: number): Promise<number>;
}

/** A source over bytes already in memory. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    read: async (target, at, length, position) => {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      target.set(bytes.subarray(position, position + n), at);
      return n;
    },
  };
}

/** One step of a scan. `bytes[start..start+length)` is only valid until the next step. */
export type ScanItem =
  | { kind: "record"; pos: number; length: number; offset: number; bytes: Buffer; start: number }
  | { kind: "corrupt"; pos: number; length: number }
  | { kind: "tail"; pos: number; length: number };

/** Options of {@link scanSegment}. */
export interface ScanOptions {
  /** File position to start at (a record boundary: 0 or an index entry). */
  from: number;
  /** File position to stop at (exclusive). */
  limit: number;
  /** Records must carry offsets >= this and strictly increasing. */
  minOffset: number;
  /** Largest payload accepted. */
  maxMessageSize: number;
  /** Read size, default 256 KiB. */
  chunkBytes?: number;
}

/**
 * Yields every record of `[from, limit)` in order, and every stretch of bytes
 * that is not a record: `corrupt` when a good record follows it, `tail` when
 * nothing good follows (a torn write). A record is a complete NOVA Event frame
 * with a valid CRC whose offset (correlation id) is above the previous one.
 */
export async function* scanSegment(source: ByteSource, o: ScanOptions): AsyncGenerator<ScanItem> {
  const chunk = o.chunkBytes ?? 256 * 1024;
  let buf = Buffer.allocUnsafe(chunk);
  let winPos = o.from; // file position of buf[0]
  let wEnd = 0; // valid bytes in buf
  let eof = o.from >= o.limit;
  let p = 0; // scan position in buf
  let expected = o.minOffset;

  const more = async (): Promise<void> => {
    if (p > 0) {
      buf.copy(buf, 0, p, wEnd);
      wEnd -= p;
      winPos += p;
      p = 0;
    }
    if (wEnd + chunk > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, wEnd + chunk));
      buf.copy(bigger, 0, 0, wEnd);
      buf = bigger;
    }
    const want = Math.min(buf.length - wEnd, o.limit - (winPos + wEnd));
    const n = want > 0 ? await source.read(buf, wEnd, want, winPos + wEnd) : 0;
    wEnd += n;
    if (n === 0 || winPos + wEnd >= o.limit) eof = true;
  };

  const isRecordAt = (q: number): number => {
    const f = frameAt(buf, q, wEnd, o.maxMessageSize);
    if (f <= 0) return f;
    return isEventFrame(buf, q) && recordOffset(buf, q) >= expected ? f : -1;
  };

  for (;;) {
    if (p >= wEnd) {
      if (eof) return;
      await more();
      continue;
    }
    const f = isRecordAt(p);
    if (f > 0) {
      const offset = recordOffset(buf, p);
      expected = offset + 1;
      yield { kind: "record", pos: winPos + p, length: f, offset, bytes: buf, start: p };
      p += f;
      continue;
    }
    if (f === 0 && !eof) {
      await more();
      continue;
    }
    // Bad (or incomplete at the end): look for the next good record to resync on.
    let found = -1;
    for (let q = buf.indexOf(MAGIC, p + 1); q !== -1; q = buf.indexOf(MAGIC, q + 1)) {
      if (q >= wEnd) break;
      const g = isRecordAt(q);
      if (g > 0) {
        found = q;
        break;
      }
      if (g === 0 && !eof) break; // cannot tell yet: read more
    }
    if (found === -1 && !eof) {
      // Maybe the next good record is beyond this window (or straddles it).
      await more();
      continue;
    }
    if (found === -1) {
      yield { kind: "tail", pos: winPos + p, length: winPos + wEnd - (winPos + p) };
      return;
    }
    yield { kind: "corrupt", pos: winPos + p, length: found - p };
    p = found;
  }
}
