/**
 * What the lock-free structures of this folder share: header validation
 * (a header lives in memory another process can scribble on, so `attach`
 * checks everything before building views) and a copy helper that allocates
 * nothing for small records.
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

/** Below this many bytes a plain loop beats allocating a subarray for `set`. */
const SMALL_COPY = 64;

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
 * Copies `src[srcStart, srcEnd)` to `dst[dstStart...]`. Small copies loop
 * (no allocation); larger ones use `set`, whose one subarray is amortised
 * over the bytes moved. A whole-array source needs no subarray at all.
 */
export function copyBytes(dst: Uint8Array, dstStart: number, src: Uint8Array, srcStart: number, srcEnd: number): void {
  const n = srcEnd - srcStart;
  if (n <= SMALL_COPY) {
    for (let i = 0; i < n; i++) dst[dstStart + i] = src[srcStart + i];
  } else if (srcStart === 0 && srcEnd === src.length) {
    dst.set(src, dstStart);
  } else {
    dst.set(src.subarray(srcStart, srcEnd), dstStart);
  }
}
