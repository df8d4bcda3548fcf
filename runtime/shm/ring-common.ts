/**
 * What the lock-free structures of this folder share: header validation
 * (a header lives in memory another process can scribble on, so `attach`
 * checks everything before building views), a copy helper, and the geometry
 * of the two fixed-slot structures.
 *
 * Every header starts with the same 16 bytes, so one validator serves all three:
 *
 * | offset | field | meaning |
 * |---|---|---|
 * | 0 | magic (u32) | which structure ("NVBR", "NVSR", "NVMQ") |
 * | 4 | version (u32) | layout version, {@link RING_VERSION} |
 * | 8 | a (u32) | byte ring: capacity; slot rings: slot count |
 * | 12 | b (u32) | slot rings: slot size; byte ring: 0 |
 */
import { IPCError } from "../errors.js";

/** Layout version written by `init`; `attach` refuses anything else. */
export const RING_VERSION = 1;

/** Bytes of one cache line: counters written by different sides never share one. */
export const CACHE_LINE = 64;

/** Magic of {@link SpscByteRing} ("NVBR" little-endian). */
export const MAGIC_BYTE_RING = 0x5242564e;
/** Magic of {@link SpscRing} ("NVSR"). */
export const MAGIC_SLOT_RING = 0x5253564e;
/** Magic of {@link MpmcQueue} ("NVMQ"). */
export const MAGIC_MPMC_QUEUE = 0x514d564e;

/** Word indexes (Int32) of the common header fields. */
export const W_MAGIC = 0;
export const W_VERSION = 1;
export const W_A = 2;
export const W_B = 3;

/** True when `n` is a power of two in [min, max]. */
export function isPow2InRange(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max && (n & (n - 1)) === 0;
}

/**
 * Checks that `[byteOffset, byteOffset + bytes)` is an aligned range of `sab`.
 * Int32Array views need 4-byte alignment; 64 keeps the counters on their own
 * cache lines, which is what the layout promises, so that is what we demand.
 */
export function checkRange(sab: SharedArrayBuffer, byteOffset: number, bytes: number, what: string): void {
  if (!(sab instanceof SharedArrayBuffer)) {
    throw new IPCError("InvalidArgument", `${what}: memory must be a SharedArrayBuffer`);
  }
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % CACHE_LINE !== 0) {
    throw new IPCError("InvalidArgument", `${what}: byteOffset must be a non-negative multiple of ${CACHE_LINE}`, {
      context: { byteOffset },
    });
  }
  if (byteOffset + bytes > sab.byteLength) {
    throw new IPCError("InvalidArgument", `${what}: ${bytes} bytes at offset ${byteOffset} do not fit in ${sab.byteLength}`, {
      context: { byteOffset, bytes, byteLength: sab.byteLength },
    });
  }
}

/**
 * Validates the common header of an existing structure and returns its two
 * geometry words. Magic and version mismatches are CorruptedMessage: the
 * memory does not hold what the caller was told it holds.
 */
export function readHeader(
  sab: SharedArrayBuffer,
  byteOffset: number,
  headerBytes: number,
  magic: number,
  what: string,
): { a: number; b: number } {
  checkRange(sab, byteOffset, headerBytes, what);
  const h = new Int32Array(sab, byteOffset, 4);
  const gotMagic = Atomics.load(h, W_MAGIC) >>> 0;
  if (gotMagic !== magic) {
    throw new IPCError("CorruptedMessage", `${what}: bad magic 0x${gotMagic.toString(16)} at offset ${byteOffset}`, {
      context: { byteOffset, magic: gotMagic, expected: magic },
    });
  }
  const version = Atomics.load(h, W_VERSION);
  if (version !== RING_VERSION) {
    throw new IPCError("CorruptedMessage", `${what}: unsupported layout version ${version}`, {
      context: { byteOffset, version, expected: RING_VERSION },
    });
  }
  return { a: Atomics.load(h, W_A) >>> 0, b: Atomics.load(h, W_B) >>> 0 };
}

/** Throws CorruptedMessage: a header field read from shared memory is impossible. */
export function corrupted(what: string, detail: string, context: Record<string, unknown>): never {
  throw new IPCError("CorruptedMessage", `${what}: ${detail}`, { context });
}

/** Writes the common header; the magic goes last so a half-initialised header never validates. */
export function writeHeader(h: Int32Array, magic: number, a: number, b: number): void {
  Atomics.store(h, W_VERSION, RING_VERSION);
  Atomics.store(h, W_A, a | 0);
  Atomics.store(h, W_B, b | 0);
  Atomics.store(h, W_MAGIC, magic | 0);
}

/**
 * Copies `src[srcStart, srcEnd)` to `dst[dstStart...]` with `set` (a memmove).
 * A whole-array source needs no view; a range costs one short-lived
 * subarray. Measured on this machine for 64 bytes, `set` (~30 ns) beats a
 * byte loop (~60 ns): V8 does not vectorise element loops over shared memory.
 */
export function copyBytes(dst: Uint8Array, dstStart: number, src: Uint8Array, srcStart: number, srcEnd: number): void {
  if (srcStart === 0 && srcEnd === src.length) dst.set(src, dstStart);
  else if (srcEnd > srcStart) dst.set(src.subarray(srcStart, srcEnd), dstStart);
}

// ---- fixed-slot geometry, shared by SpscRing and MpmcQueue ----
// A power-of-two number of slots, each an 8-byte slot prefix (two Int32
// words: sequence (MPMC only), payload length) followed by `slotSize` payload
// bytes, the stride rounded up to 8 so every prefix stays aligned for Atomics.

/** Header bytes before the slots: three cache lines (common header, one position, the other position). */
export const SLOT_HEADER_BYTES = 3 * CACHE_LINE;
/** Int32 word indexes of the two positions in a slot structure's header: producer (tail/enqueue), consumer (head/dequeue). */
export const SLOT_WORDS = { producer: CACHE_LINE / 4, consumer: (2 * CACHE_LINE) / 4 } as const;
/** Bytes before each slot's payload: word 0 (sequence, MPMC only) and word 1 (payload length). */
export const SLOT_PREFIX_BYTES = 8;
/** Most slots (the positions are wrapping uint32 counters, so the count must stay far below 2^31). */
export const MAX_SLOTS = 1 << 24;
/** Largest slot payload. */
export const MAX_SLOT_SIZE = 1 << 24;
/** Most bytes one structure may span (Int32 word indexes stay exact). */
const MAX_TOTAL = 2 ** 31;

/** Distance in bytes between two slots. */
export function slotStride(slotSize: number): number {
  return (SLOT_PREFIX_BYTES + slotSize + 7) & ~7;
}

/** Validated total bytes for `slots` slots of `slotSize` bytes; InvalidArgument otherwise. */
export function slotBytesFor(what: string, slots: number, slotSize: number): number {
  if (!isPow2InRange(slots, 2, MAX_SLOTS)) {
    throw new IPCError("InvalidArgument", `${what}: slots must be a power of two in [2, 2^24], got ${slots}`, { context: { slots } });
  }
  if (!Number.isInteger(slotSize) || slotSize < 1 || slotSize > MAX_SLOT_SIZE) {
    throw new IPCError("InvalidArgument", `${what}: slotSize must be an integer in [1, 2^24], got ${slotSize}`, { context: { slotSize } });
  }
  const total = SLOT_HEADER_BYTES + slots * slotStride(slotSize);
  if (total > MAX_TOTAL) {
    throw new IPCError("InvalidArgument", `${what}: ${slots} slots of ${slotSize} bytes exceed 2 GiB`, { context: { slots, slotSize } });
  }
  return total;
}

/** Validates geometry read back from an untrusted header (CorruptedMessage) and that it fits in `sab`. */
export function checkAttachedGeometry(what: string, sab: SharedArrayBuffer, byteOffset: number, slots: number, slotSize: number): void {
  let total: number;
  try {
    total = slotBytesFor(what, slots, slotSize);
  } catch {
    return corrupted(what, `impossible geometry: ${slots} slots of ${slotSize} bytes`, { byteOffset, slots, slotSize });
  }
  if (byteOffset + total > sab.byteLength) {
    corrupted(what, `${slots} slots of ${slotSize} bytes run past the end of the memory`, { byteOffset, slots, slotSize, byteLength: sab.byteLength });
  }
}

/** Throws MessageTooLarge when a pushed record cannot fit a slot. */
export function tooLarge(what: string, length: number, slotSize: number): never {
  throw new IPCError("MessageTooLarge", `${what}: ${length} bytes do not fit a ${slotSize}-byte slot`, { context: { length, slotSize } });
}

/** Throws InvalidArgument when a pop destination cannot hold a whole slot. */
export function dstTooSmall(what: string, length: number, slotSize: number): never {
  throw new IPCError("InvalidArgument", `${what}: the destination (${length} bytes) must hold a whole slot (${slotSize} bytes)`, {
    context: { length, slotSize },
  });
}
