/**
 * A bounded multi-producer multi-consumer queue of fixed-size slots in
 * shared memory: Dmitry Vyukov's algorithm, with a sequence number per slot.
 *
 * Slot `i` of lap `L` (position `p = L * slots + i`) has sequence `p` when free
 * for the producer of `p`, `p + 1` once that producer published, and
 * `p + slots` once the consumer of `p` released it for the next lap. Producers
 * and consumers claim positions with a CAS on their shared counter, and only
 * the sequence (never a pointer or an index alone) says whose turn a slot is,
 * so a stale CAS cannot succeed on a recycled slot (ABA-safe).
 *
 * Publication: the payload and length are written first and the sequence is
 * moved to `p + 1` after, so a producer killed mid-write leaves its slot
 * unpublished. That slot then blocks consumers at position `p` (they see the
 * queue as empty) until {@link MpmcQueue.recoverStalled} skips it; see the
 * README for when that is safe.
 */
import {
  MAGIC_MPMC_QUEUE,
  SLOT_HEADER_BYTES,
  SLOT_PREFIX_BYTES,
  SLOT_WORDS,
  W_MAGIC,
  checkAttachedGeometry,
  checkRange,
  copyBytes,
  corrupted,
  dstTooSmall,
  readHeader,
  slotBytesFor,
  slotStride,
  tooLarge,
  writeHeader,
} from "./ring-common.js";

const W_ENQ = SLOT_WORDS.producer; // next producer position, second cache line
const W_DEQ = SLOT_WORDS.consumer; // next consumer position, third cache line
const WHAT = "MpmcQueue";

/** {@link MpmcQueue.recoverStalled}: the stalled slot was skipped (its record, never published, is lost). */
export const SKIPPED = -2;

/** Bounded MPMC queue of fixed-size slots with per-slot sequence numbers; see the module doc. */
export class MpmcQueue {
  /** Number of slots (a power of two). */
  readonly slots: number;
  /** Largest record, in bytes. */
  readonly slotSize: number;
  private readonly mask: number;
  private readonly strideWords: number;
  private readonly h: Int32Array;
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;

  private constructor(sab: SharedArrayBuffer, byteOffset: number, slots: number, slotSize: number) {
    this.slots = slots;
    this.slotSize = slotSize;
    this.mask = slots - 1;
    const stride = slotStride(slotSize);
    this.strideWords = stride / 4;
    this.h = new Int32Array(sab, byteOffset, SLOT_HEADER_BYTES / 4);
    this.words = new Int32Array(sab, byteOffset + SLOT_HEADER_BYTES, (slots * stride) / 4);
    this.bytes = new Uint8Array(sab, byteOffset + SLOT_HEADER_BYTES, slots * stride);
  }

  /** Bytes a queue of `slots` (a power of two, 2..2^24) slots of `slotSize` (1..2^24) bytes occupies. */
  static bytesFor(slots: number, slotSize: number): number {
    return slotBytesFor(WHAT, slots, slotSize);
  }

  /** Formats a new, empty queue at `byteOffset` (a multiple of 64): slot `i` gets sequence `i`. */
  static init(sab: SharedArrayBuffer, byteOffset: number, slots: number, slotSize: number): MpmcQueue {
    checkRange(sab, byteOffset, MpmcQueue.bytesFor(slots, slotSize), WHAT);
    const h = new Int32Array(sab, byteOffset, SLOT_HEADER_BYTES / 4);
    Atomics.store(h, W_MAGIC, 0);
    const q = new MpmcQueue(sab, byteOffset, slots, slotSize);
    for (let i = 0; i < slots; i++) Atomics.store(q.words, i * q.strideWords, i);
    Atomics.store(h, W_ENQ, 0);
    Atomics.store(h, W_DEQ, 0);
    writeHeader(h, MAGIC_MPMC_QUEUE, slots, slotSize);
    return q;
  }

  /** Opens a queue another party formatted; an untrusted header gives CorruptedMessage or InvalidArgument, never a crash. */
  static attach(sab: SharedArrayBuffer, byteOffset: number): MpmcQueue {
    const { a: slots, b: slotSize } = readHeader(sab, byteOffset, SLOT_HEADER_BYTES, MAGIC_MPMC_QUEUE, WHAT);
    checkAttachedGeometry(WHAT, sab, byteOffset, slots, slotSize);
    const q = new MpmcQueue(sab, byteOffset, slots, slotSize);
    const n = (Atomics.load(q.h, W_ENQ) - Atomics.load(q.h, W_DEQ)) | 0;
    if (n < 0 || n > slots) corrupted(WHAT, `counters out of range (${n} records)`, { byteOffset, size: n, slots });
    return q;
  }

  /** Records claimed by producers and not yet claimed by consumers: a snapshot, clamped to [0, slots]. */
  size(): number {
    const n = (Atomics.load(this.h, W_ENQ) - Atomics.load(this.h, W_DEQ)) | 0;
    return n < 0 ? 0 : n > this.slots ? this.slots : n;
  }

  /**
   * Copies `src` (at most `slotSize` bytes, else MessageTooLarge) into a slot
   * and publishes it. False when the queue is full, or (only after a
   * {@link recoverStalled} that wrongly declared this producer dead) when its
   * slot was skipped before it could publish.
   */
  tryPush(src: Uint8Array): boolean {
    const len = src.length;
    if (len > this.slotSize) tooLarge(WHAT, len, this.slotSize);
    let pos = Atomics.load(this.h, W_ENQ);
    let w = 0;
    for (;;) {
      w = (pos & this.mask) * this.strideWords;
      const dif = (Atomics.load(this.words, w) - pos) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(this.h, W_ENQ, pos, (pos + 1) | 0);
        if (seen === pos) break;
        pos = seen;
      } else if (dif < 0) {
        return false; // the slot still holds the previous lap's record: full
      } else {
        pos = this.reload(W_ENQ, pos); // another producer took this position
      }
    }
    this.words[w + 1] = len;
    copyBytes(this.bytes, w * 4 + SLOT_PREFIX_BYTES, src, 0, len);
    // A CAS rather than a store: fails only if recoverStalled skipped the slot meanwhile.
    return Atomics.compareExchange(this.words, w, pos, (pos + 1) | 0) === pos;
  }

  /** Copies the oldest published record into `dst` (which must hold `slotSize` bytes); its length, or -1 when none is ready. */
  tryPop(dst: Uint8Array): number {
    if (dst.length < this.slotSize) dstTooSmall(WHAT, dst.length, this.slotSize);
    let pos = Atomics.load(this.h, W_DEQ);
    let w = 0;
    for (;;) {
      w = (pos & this.mask) * this.strideWords;
      const dif = (Atomics.load(this.words, w) - ((pos + 1) | 0)) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(this.h, W_DEQ, pos, (pos + 1) | 0);
        if (seen === pos) break;
        pos = seen;
      } else if (dif < 0) {
        return -1; // empty, or the producer of `pos` has not published yet
      } else {
        pos = this.reload(W_DEQ, pos); // another consumer took this position
      }
    }
    return this.take(dst, pos, w);
  }

  /**
   * The position (a uint32) at which consumers are blocked by a slot a
   * producer claimed but has not published, or -1. A live producer is in that
   * state for the length of one copy; a killed one stays in it forever.
   */
  stalledPosition(): number {
    const pos = Atomics.load(this.h, W_DEQ);
    const w = (pos & this.mask) * this.strideWords;
    if (Atomics.load(this.words, w) !== pos || Atomics.load(this.h, W_ENQ) === pos) return -1;
    return pos >>> 0;
  }

  /**
   * Unblocks consumers from a slot whose producer is known to be dead (its pid
   * is gone). Call with the value of {@link stalledPosition}. Returns
   * {@link SKIPPED} when the slot was skipped, the record's length (copied
   * into `dst`) if the producer published after all, or -1 when `position` is
   * no longer stalled. Never call it for a producer that may still be alive:
   * its late payload copy would land in the slot's next occupant.
   */
  recoverStalled(position: number, dst: Uint8Array): number {
    if (dst.length < this.slotSize) dstTooSmall(WHAT, dst.length, this.slotSize);
    const pos = position | 0;
    const w = (pos & this.mask) * this.strideWords;
    if (Atomics.load(this.words, w) !== pos || Atomics.load(this.h, W_ENQ) === pos) return -1;
    // Claim the position as a consumer would, then race the producer's publishing CAS for the slot.
    if (Atomics.compareExchange(this.h, W_DEQ, pos, (pos + 1) | 0) !== pos) return -1;
    if (Atomics.compareExchange(this.words, w, pos, (pos + this.slots) | 0) === pos) return SKIPPED;
    return this.take(dst, pos, w); // the producer won: its record is complete
  }

  /**
   * A slot's sequence ran ahead of position `pos`, which only happens once
   * another party claimed `pos`, so the counter must have moved. If it did
   * not, the memory was scribbled on: throw rather than spin forever.
   */
  private reload(word: number, pos: number): number {
    const now = Atomics.load(this.h, word);
    if (now === pos) corrupted(WHAT, `slot sequence ahead of position ${pos >>> 0}`, { position: pos >>> 0 });
    return now;
  }

  /** Copies out the record at the claimed position `pos` (slot word `w`) and frees the slot for the next lap. */
  private take(dst: Uint8Array, pos: number, w: number): number {
    const len = this.words[w + 1];
    const from = w * 4 + SLOT_PREFIX_BYTES;
    const ok = len >= 0 && len <= this.slotSize;
    if (ok) copyBytes(dst, 0, this.bytes, from, from + len);
    Atomics.store(this.words, w, (pos + this.slots) | 0);
    if (!ok) corrupted(WHAT, `slot length ${len} out of range`, { length: len, slotSize: this.slotSize });
    return len;
  }
}
