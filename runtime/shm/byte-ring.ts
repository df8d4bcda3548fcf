/**
 * A single-producer single-consumer ring of bytes in shared memory: the
 * shm transport writes whole NOVA frames into it and the other process reads
 * them back as a byte stream. Lock-free: one producer and one consumer (each
 * in any thread or process that maps the memory) move two wrapping uint32
 * counters with `Atomics`. No allocation but the one view `peek` returns and
 * the one `subarray` a copy of part of an array needs.
 *
 * Publication: bytes are copied first and the tail is stored after, so the
 * consumer never sees a byte the producer has not finished writing, and a
 * producer killed mid-copy exposes nothing (README "Lock-free structures").
 */
import { IPCError } from "../errors.js";
import { CACHE_LINE, MAGIC_BYTE_RING, W_MAGIC, checkRange, copyBytes, corrupted, isPow2InRange, readHeader, writeHeader } from "./ring-common.js";

/** Smallest capacity: one page. */
export const BYTE_RING_MIN_CAPACITY = 4096;
/** Largest capacity: 1 GiB (counters are uint32, so capacity must stay below 2^31). */
export const BYTE_RING_MAX_CAPACITY = 1 << 30;
/** Header bytes before the data: five cache lines (common+closed, tail, head, two doorbell flags). */
export const BYTE_RING_HEADER_BYTES = 5 * CACHE_LINE;

/**
 * Int32 word indexes inside the header, for code that parks on a word with a
 * futex (`futexWait(new Int32Array(sab, byteOffset, BYTE_RING_HEADER_BYTES / 4), index, 1, ...)`)
 * or inspects a ring from outside (tests, `nova shm` tools).
 */
export const BYTE_RING_WORDS = {
  closed: 4,
  tail: CACHE_LINE / 4, // producer position
  head: (2 * CACHE_LINE) / 4, // consumer position
  consumerWaiting: (3 * CACHE_LINE) / 4,
  producerWaiting: (4 * CACHE_LINE) / 4,
} as const;
const W_CLOSED = BYTE_RING_WORDS.closed;
const W_TAIL = BYTE_RING_WORDS.tail;
const W_HEAD = BYTE_RING_WORDS.head;
const W_CONSUMER_WAITING = BYTE_RING_WORDS.consumerWaiting;
const W_PRODUCER_WAITING = BYTE_RING_WORDS.producerWaiting;

const WHAT = "SpscByteRing";
const EMPTY = new Uint8Array(0);

/** Single-producer single-consumer byte ring over a SharedArrayBuffer; see the module doc. */
export class SpscByteRing {
  /** Capacity in bytes (a power of two). */
  readonly capacity: number;
  private readonly mask: number;
  private readonly h: Int32Array;
  private readonly data: Uint8Array;
  // The last head and tail this object read or wrote. Positions only move
  // forward, so a stale value under-reports data or room, never over-reports:
  // the producer reloads the head only when the cached one says "no room".
  // Each side re-reads its own position on every call, so any object may take
  // over a role (a consumer that becomes the producer after its peer died).
  private headSeen: number;
  private tailSeen: number;

  private constructor(sab: SharedArrayBuffer, byteOffset: number, capacity: number) {
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.h = new Int32Array(sab, byteOffset, BYTE_RING_HEADER_BYTES / 4);
    this.data = new Uint8Array(sab, byteOffset + BYTE_RING_HEADER_BYTES, capacity);
    this.tailSeen = Atomics.load(this.h, W_TAIL);
    this.headSeen = Atomics.load(this.h, W_HEAD);
  }

  /** Bytes a ring of `capacity` data bytes occupies (header + data). */
  static bytesFor(capacity: number): number {
    checkCapacity(capacity);
    return BYTE_RING_HEADER_BYTES + capacity;
  }

  /**
   * Formats a new, empty ring at `byteOffset` (a multiple of 64). Only the
   * creator calls this, before the memory is handed to the other side.
   */
  static init(sab: SharedArrayBuffer, byteOffset: number, capacity: number): SpscByteRing {
    checkRange(sab, byteOffset, SpscByteRing.bytesFor(capacity), WHAT);
    const h = new Int32Array(sab, byteOffset, BYTE_RING_HEADER_BYTES / 4);
    Atomics.store(h, W_MAGIC, 0); // an old magic must not validate while we rewrite the rest
    for (const w of [W_CLOSED, W_TAIL, W_HEAD, W_CONSUMER_WAITING, W_PRODUCER_WAITING]) Atomics.store(h, w, 0);
    writeHeader(h, MAGIC_BYTE_RING, capacity, 0);
    return new SpscByteRing(sab, byteOffset, capacity);
  }

  /**
   * Opens a ring another party formatted. The header is untrusted: a bad
   * magic, version, capacity or counter pair is CorruptedMessage, a range
   * outside `sab` is InvalidArgument; nothing here can read out of bounds.
   */
  static attach(sab: SharedArrayBuffer, byteOffset: number): SpscByteRing {
    const { a: capacity } = readHeader(sab, byteOffset, BYTE_RING_HEADER_BYTES, MAGIC_BYTE_RING, WHAT);
    if (!isPow2InRange(capacity, BYTE_RING_MIN_CAPACITY, BYTE_RING_MAX_CAPACITY)) {
      corrupted(WHAT, `impossible capacity ${capacity}`, { byteOffset, capacity });
    }
    if (byteOffset + BYTE_RING_HEADER_BYTES + capacity > sab.byteLength) {
      corrupted(WHAT, `capacity ${capacity} runs past the end of the memory`, { byteOffset, capacity, byteLength: sab.byteLength });
    }
    const ring = new SpscByteRing(sab, byteOffset, capacity);
    ring.readable(); // validates the counter pair
    return ring;
  }

  // ---- consumer side ----

  /** Bytes ready to read. Throws CorruptedMessage if the counters are impossible (a scribbled header). */
  readable(): number {
    const head = Atomics.load(this.h, W_HEAD);
    const tail = Atomics.load(this.h, W_TAIL);
    this.headSeen = head;
    this.tailSeen = tail;
    const n = (tail - head) >>> 0;
    if (n > this.capacity) corrupted(WHAT, `counters out of range (${n} readable)`, { readable: n, capacity: this.capacity });
    return n;
  }

  /**
   * A zero-copy view of the readable bytes up to the wrap point (possibly
   * fewer than {@link readable}: call again after {@link consume} for the
   * rest). Valid until the bytes are consumed; the producer never touches them
   * before that.
   */
  peek(): Uint8Array {
    const n = this.readable();
    if (n === 0) return EMPTY;
    const idx = this.headSeen & this.mask; // just read by readable()
    const first = this.capacity - idx;
    return this.data.subarray(idx, idx + (n < first ? n : first));
  }

  /** Releases `n` read bytes to the producer (0 <= n <= readable()). */
  consume(n: number): void {
    const head = Atomics.load(this.h, W_HEAD);
    if (!(n >= 0 && n <= ((this.tailSeen - head) | 0) && Number.isInteger(n))) {
      const readable = this.readable();
      if (!(n >= 0 && n <= readable && Number.isInteger(n))) {
        throw new IPCError("InvalidArgument", `${WHAT}.consume(${n}): only ${readable} bytes readable`, { context: { n, readable } });
      }
    }
    this.headSeen = (head + n) | 0;
    Atomics.store(this.h, W_HEAD, this.headSeen);
  }

  /**
   * Consumer, before parking: raises consumerWaiting, then re-checks. True:
   * still empty, park until the producer rings. False: data arrived in
   * between; the flag is lowered again and the caller reads instead.
   */
  armConsumerWait(): boolean {
    Atomics.store(this.h, W_CONSUMER_WAITING, 1);
    if (this.readable() === 0 && !this.closed) return true;
    Atomics.store(this.h, W_CONSUMER_WAITING, 0);
    return false;
  }

  /** Consumer, after consuming: true (once) when the producer is parked waiting for room, so ring its doorbell. */
  takeProducerWait(): boolean {
    return Atomics.load(this.h, W_PRODUCER_WAITING) === 1 && Atomics.compareExchange(this.h, W_PRODUCER_WAITING, 1, 0) === 1;
  }

  // ---- producer side ----

  /** Bytes that can be written now. */
  writable(): number {
    return this.capacity - this.readable();
  }

  /**
   * Writes `src[start, end)` entirely or not at all (false: not enough room).
   * The bytes are copied before the tail moves, so they appear all at once.
   */
  tryWrite(src: Uint8Array, start: number, end: number): boolean {
    checkSpan(src, start, end);
    const len = end - start;
    const tail = Atomics.load(this.h, W_TAIL);
    if (len > this.capacity - ((tail - this.headSeen) >>> 0) && len > this.writable()) return false;
    this.copyIn(tail, src, start, end);
    return true;
  }

  /** Writes as much of `src[start, end)` as fits and returns how many bytes (for frames larger than the ring). */
  writeSome(src: Uint8Array, start: number, end: number): number {
    checkSpan(src, start, end);
    const tail = Atomics.load(this.h, W_TAIL);
    let room = this.capacity - ((tail - this.headSeen) >>> 0);
    if (room < end - start) room = this.writable();
    const len = end - start < room ? end - start : room;
    if (len > 0) this.copyIn(tail, src, start, start + len);
    return len;
  }

  /**
   * Producer, before parking on a full ring: raises producerWaiting, then
   * re-checks. True: still fewer than `minFree` bytes free, park until the
   * consumer rings. False: room appeared; the flag is lowered again.
   */
  armProducerWait(minFree = 1): boolean {
    Atomics.store(this.h, W_PRODUCER_WAITING, 1);
    if (this.writable() < minFree) return true;
    Atomics.store(this.h, W_PRODUCER_WAITING, 0);
    return false;
  }

  /** Producer, after publishing: true (once) when the consumer is parked, so ring its doorbell. */
  takeConsumerWait(): boolean {
    return Atomics.load(this.h, W_CONSUMER_WAITING) === 1 && Atomics.compareExchange(this.h, W_CONSUMER_WAITING, 1, 0) === 1;
  }

  /** Producer: no more bytes will be written. The consumer drains what is left, then sees {@link closed}. */
  close(): void {
    Atomics.store(this.h, W_CLOSED, 1);
  }

  /** True once the producer called {@link close}. */
  get closed(): boolean {
    return Atomics.load(this.h, W_CLOSED) !== 0;
  }

  /** Copies `src[start, end)` (known to fit) at the tail, wrapping, then publishes it with one store. */
  private copyIn(tail: number, src: Uint8Array, start: number, end: number): void {
    const idx = tail & this.mask;
    const len = end - start;
    const first = this.capacity - idx;
    if (len <= first) {
      copyBytes(this.data, idx, src, start, end);
    } else {
      copyBytes(this.data, idx, src, start, start + first);
      copyBytes(this.data, 0, src, start + first, end);
    }
    this.tailSeen = (tail + len) | 0;
    Atomics.store(this.h, W_TAIL, this.tailSeen);
  }
}

function checkCapacity(capacity: number): void {
  if (!isPow2InRange(capacity, BYTE_RING_MIN_CAPACITY, BYTE_RING_MAX_CAPACITY)) {
    throw new IPCError("InvalidArgument", `${WHAT} capacity must be a power of two in [4096, 2^30], got ${capacity}`, {
      context: { capacity },
    });
  }
}

function checkSpan(src: Uint8Array, start: number, end: number): void {
  if (!(start >= 0 && start <= end && end <= src.length)) {
    throw new IPCError("InvalidArgument", `${WHAT}: span [${start}, ${end}) is not inside a ${src.length}-byte source`, {
      context: { start, end, length: src.length },
    });
  }
}
