/**
 * The sparse offset index and the time index of one segment.
 *
 * One entry per `intervalBytes` of records (and always one for the first
 * record): the entry's offset, its byte position, and the largest timestamp
 * of the records BEFORE it in the segment. The offset index (`.idx`) and the
 * time index (`.tix`) are parallel files written when a segment is closed;
 * the active segment keeps its index in memory (rebuilt on open by the
 * recovery scan). A missing or damaged index file is rebuilt by scanning.
 */
import { crc32 } from "../../wire/crc32.js";

const IDX_MAGIC = 0x494c564e; // "NVLI" little-endian
const TIX_MAGIC = 0x544c564e; // "NVLT"
const VERSION = 1;

/** In-memory index of one segment. */
export class SegmentIndex {
  /** Offsets of the entries (absolute). */
  readonly offsets: number[] = [];
  /** Byte positions of the entries. */
  readonly positions: number[] = [];
  /** Max timestamp of the records before each entry (0n for the first). */
  readonly maxTsBefore: bigint[] = [];
  /** Largest timestamp in the segment so far (-1n when empty). */
  maxTs = -1n;
  /** Offset after the last record (the segment's base when empty). */
  nextOffset: number;
  /** Bytes of records (the segment's logical size). */
  size = 0;
  private lastEntryPos = -Infinity;

  constructor(
    readonly base: number,
    readonly intervalBytes: number,
  ) {
    this.nextOffset = base;
  }

  /** Notes one record (in order). */
  add(offset: number, pos: number, length: number, ts: bigint): void {
    if (pos - this.lastEntryPos >= this.intervalBytes) {
      this.offsets.push(offset);
      this.positions.push(pos);
      this.maxTsBefore.push(this.maxTs < 0n ? 0n : this.maxTs);
      this.lastEntryPos = pos;
    }
    if (ts > this.maxTs) this.maxTs = ts;
    this.nextOffset = offset + 1;
    this.size = pos + length;
  }

  /** Byte position to start reading for records with offset >= `offset`. */
  seekOffset(offset: number): { pos: number; minOffset: number } {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid]! <= offset) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best < 0 ? { pos: 0, minOffset: this.base } : { pos: this.positions[best]!, minOffset: this.offsets[best]! };
  }

  /** Byte position to start reading for records with timestamp >= `ts` (all records before it are older). */
  seekTime(ts: bigint): { pos: number; minOffset: number } {
    let best = -1;
    let lo = 0;
    let hi = this.maxTsBefore.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.maxTsBefore[mid]! < ts) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best < 0 ? { pos: 0, minOffset: this.base } : { pos: this.positions[best]!, minOffset: this.offsets[best]! };
  }

  /** The `.idx` file: magic, version, count, base u64, nextOffset u64, size u64, then (relOffset u32, pos u32) × count, CRC-32. */
  encodeOffsetIndex(): Buffer {
    const n = this.offsets.length;
    const b = Buffer.alloc(36 + n * 8 + 4);
    b.writeUInt32LE(IDX_MAGIC, 0);
    b.writeUInt32LE(VERSION, 4);
    b.writeUInt32LE(n, 8);
    b.writeBigUInt64LE(BigInt(this.base), 12);
    b.writeBigUInt64LE(BigInt(this.nextOffset), 20);
    b.writeBigUInt64LE(BigInt(this.size), 28);
    for (let i = 0; i < n; i++) {
      b.writeUInt32LE(this.offsets[i]! - this.base, 36 + i * 8);
      b.writeUInt32LE(this.positions[i]!, 40 + i * 8);
    }
    b.writeUInt32LE(crc32(b, 0, b.length - 4), b.length - 4);
    return b;
  }

  /** The `.tix` file: magic, version, count, maxTs i64 (-1 empty), then maxTsBefore u64 × count, CRC-32. */
  encodeTimeIndex(): Buffer {
    const n = this.maxTsBefore.length;
    const b = Buffer.alloc(20 + n * 8 + 4);
    b.writeUInt32LE(TIX_MAGIC, 0);
    b.writeUInt32LE(VERSION, 4);
    b.writeUInt32LE(n, 8);
    b.writeBigInt64LE(this.maxTs, 12);
    for (let i = 0; i < n; i++) b.writeBigUInt64LE(this.maxTsBefore[i]!, 20 + i * 8);
    b.writeUInt32LE(crc32(b, 0, b.length - 4), b.length - 4);
    return b;
  }

  /** Parses the two files; undefined when either is damaged or they disagree (the caller rebuilds). */
  static decode(base: number, intervalBytes: number, idx: Buffer, tix: Buffer): SegmentIndex | undefined {
    if (idx.length < 40 || tix.length < 24) return undefined;
    if (idx.readUInt32LE(idx.length - 4) !== crc32(idx, 0, idx.length - 4)) return undefined;
    if (tix.readUInt32LE(tix.length - 4) !== crc32(tix, 0, tix.length - 4)) return undefined;
    if (idx.readUInt32LE(0) !== IDX_MAGIC || tix.readUInt32LE(0) !== TIX_MAGIC) return undefined;
    if (idx.readUInt32LE(4) !== VERSION || tix.readUInt32LE(4) !== VERSION) return undefined;
    const n = idx.readUInt32LE(8);
    if (tix.readUInt32LE(8) !== n || idx.length !== 40 + n * 8 || tix.length !== 24 + n * 8) return undefined;
    if (Number(idx.readBigUInt64LE(12)) !== base) return undefined;
    const ix = new SegmentIndex(base, intervalBytes);
    ix.nextOffset = Number(idx.readBigUInt64LE(20));
    ix.size = Number(idx.readBigUInt64LE(28));
    ix.maxTs = tix.readBigInt64LE(12);
    for (let i = 0; i < n; i++) {
      ix.offsets.push(base + idx.readUInt32LE(36 + i * 8));
      ix.positions.push(idx.readUInt32LE(40 + i * 8));
      ix.maxTsBefore.push(tix.readBigUInt64LE(20 + i * 8));
    }
    return ix;
  }
}
