/**
 * A single-producer single-consumer ring of fixed-size slots in shared
 * memory: each push is one record of at most `slotSize` bytes, popped whole.
 * Cheaper than {@link MpmcQueue} (no CAS, no per-slot sequence) when exactly
 * one party writes and one reads.
 *
 * Publication: the payload and its length are written into the slot, and
 * only then does the tail move (one `Atomics.store`), so a producer killed
 * mid-write leaves the slot unpublished and the next producer to attach
 * overwrites it.
 */
import {
  MAGIC_SLOT_RING,
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

const W_TAIL = SLOT_WORDS.producer; // producer position, second cache line
const W_HEAD = SLOT_WORDS.consumer; // consumer position, third cache line
const WHAT = "SpscRing";

/** Single-producer single-consumer ring of fixed-size slots; see the module doc. */
export class SpscRing {
  /** Number of slots (a power of two). */
  readonly slots: number;
  /** Largest record, in bytes. */
  readonly slotSize: number;
  private readonly mask: number;
  private readonly strideWords: number;
  private readonly h: Int32Array;
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  // As in SpscByteRing: the last head and tail this object read or wrote.
  // Stale values only under-report records or room, so the peer's position is
  // reloaded only when the cache says full or empty; each side re-reads its own.
  private headSeen: number;
  private tailSeen: number;

  private constructor(sab: SharedArrayBuffer, byteOffset: number, slots: number, slotSize: number) {
    this.slots = slots;
    this.slotSize = slotSize;
    this.mask = slots - 1;
    const stride = slotStride(slotSize);
    this.strideWords = stride / 4;
    this.h = new Int32Array(sab, byteOffset, SLOT_HEADER_BYTES / 4);
    this.words = new Int32Array(sab, byteOffset + SLOT_HEADER_BYTES, (slots * stride) / 4);
    this.bytes = new Uint8Array(sab, byteOffset + SLOT_HEADER_BYTES, slots * stride);
    this.tailSeen = Atomics.load(this.h, W_TAIL);
    this.headSeen = Atomics.load(this.h, W_HEAD);
  }

  /** Bytes a ring of `slots` (a power of two, 2..2^24) slots of `slotSize` (1..2^24) bytes occupies. */
  static bytesFor(slots: number, slotSize: number): number {
    return slotBytesFor(WHAT, slots, slotSize);
  }

  /** Formats a new, empty ring at `byteOffset` (a multiple of 64). */
  static init(sab: SharedArrayBuffer, byteOffset: number, slots: number, slotSize: number): SpscRing {
    checkRange(sab, byteOffset, SpscRing.bytesFor(slots, slotSize), WHAT);
    const h = new Int32Array(sab, byteOffset, SLOT_HEADER_BYTES / 4);
    Atomics.store(h, W_MAGIC, 0);
    Atomics.store(h, W_TAIL, 0);
    Atomics.store(h, W_HEAD, 0);
    writeHeader(h, MAGIC_SLOT_RING, slots, slotSize);
    return new SpscRing(sab, byteOffset, slots, slotSize);
  }

  /** Opens a ring another party formatted; an untrusted header gives CorruptedMessage or InvalidArgument, never a crash. */
  static attach(sab: SharedArrayBuffer, byteOffset: number): SpscRing {
    const { a: slots, b: slotSize } = readHeader(sab, byteOffset, SLOT_HEADER_BYTES, MAGIC_SLOT_RING, WHAT);
    checkAttachedGeometry(WHAT, sab, byteOffset, slots, slotSize);
    const ring = new SpscRing(sab, byteOffset, slots, slotSize);
    ring.size(); // validates the counter pair
    return ring;
  }

  /** Records waiting (exact for the producer and the consumer themselves; a snapshot for anyone else). */
  size(): number {
    const n = (Atomics.load(this.h, W_TAIL) - Atomics.load(this.h, W_HEAD)) >>> 0;
    if (n > this.slots) corrupted(WHAT, `counters out of range (${n} records)`, { size: n, slots: this.slots });
    return n;
  }

  /**
   * Producer: copies `src` (at most `slotSize` bytes, else MessageTooLarge)
   * into the next slot and publishes it. False when the ring is full.
   */
  tryPush(src: Uint8Array): boolean {
    const len = src.length;
    if (len > this.slotSize) tooLarge(WHAT, len, this.slotSize);
    const tail = Atomics.load(this.h, W_TAIL);
    if ((tail - this.headSeen) >>> 0 >= this.slots) {
      this.headSeen = Atomics.load(this.h, W_HEAD);
      if ((tail - this.headSeen) >>> 0 >= this.slots) return false;
    }
    const w = (tail & this.mask) * this.strideWords;
    this.words[w + 1] = len;
    copyBytes(this.bytes, w * 4 + SLOT_PREFIX_BYTES, src, 0, len);
    this.tailSeen = (tail + 1) | 0;
    Atomics.store(this.h, W_TAIL, this.tailSeen);
    return true;
  }

  /**
   * Consumer: copies the oldest record into `dst` (which must hold `slotSize`
   * bytes) and returns its length, or -1 when the ring is empty.
   */
  tryPop(dst: Uint8Array): number {
    if (dst.length < this.slotSize) dstTooSmall(WHAT, dst.length, this.slotSize);
    const head = Atomics.load(this.h, W_HEAD);
    // The cached tail may even be behind the head (another object consumed since): empty unless the reload says otherwise.
    if (((this.tailSeen - head) | 0) <= 0) {
      this.tailSeen = Atomics.load(this.h, W_TAIL);
      const n = (this.tailSeen - head) >>> 0;
      if (n === 0) return -1;
      if (n > this.slots) corrupted(WHAT, `counters out of range (${n} records)`, { size: n, slots: this.slots });
    }
    const w = (head & this.mask) * this.strideWords;
    const len = this.words[w + 1];
    if (len < 0 || len > this.slotSize) corrupted(WHAT, `slot length ${len} out of range`, { length: len, slotSize: this.slotSize });
    const from = w * 4 + SLOT_PREFIX_BYTES;
    copyBytes(dst, 0, this.bytes, from, from + len);
    this.headSeen = (head + 1) | 0;
    Atomics.store(this.h, W_HEAD, this.headSeen);
    return len;
  }
}
