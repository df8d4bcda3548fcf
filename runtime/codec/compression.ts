/**
 * Compression of a frame's value section (idl/WIRE.md "Compressed sections").
 *
 * A compressed section is `uncompressedLength: u32 LE` followed by the
 * algorithm's data: an LZ4 *block* (the format of LZ4_decompress_safe) or one
 * Zstandard frame. The length prefix lets a receiver refuse an oversized
 * section before it allocates anything; the decompressed size must equal it.
 */
import { compressSync as lz4CompressSync, uncompress as lz4Uncompress, uncompressSync as lz4UncompressSync } from "lz4-napi";
import { availableParallelism } from "node:os";
import { IPCError } from "../errors.js";
import type { CompressionType } from "../wire/message.js";
import { zstdDeclaredContentSize, zstdDecompressedBound } from "./zstd-frame.js";
import { zstdCompressAsync, zstdCompressSync, zstdDecompressAsync, zstdDecompressSync } from "./zstd-sync.js";

/** zstd level used by the encoder: fast, and still well ahead of lz4 in ratio. */
export const ZSTD_LEVEL = 3;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function withPrefix(length: number, data: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(4 + data.length);
  out.writeUInt32LE(length, 0);
  out.set(data, 4);
  return out;
}

/** Compresses `plain` into a section (sync; zstd blocks briefly on a helper thread). */
export function compressSection(plain: Uint8Array, compression: CompressionType): Uint8Array {
  if (compression === "none") return plain;
  if (compression === "lz4") {
    try {
      // lz4-napi's compressSync already writes the u32 LE length prefix.
      return lz4CompressSync(asBuffer(plain));
    } catch (cause) {
      throw new IPCError("SerializationError", `lz4 compress failed: ${String(cause)}`, { cause, context: { compression } });
    }
  }
  return withPrefix(plain.length, zstdCompressSync(plain, ZSTD_LEVEL));
}

/** Async variant of {@link compressSection}: zstd runs without blocking this thread. */
export async function compressSectionAsync(plain: Uint8Array, compression: CompressionType): Promise<Uint8Array> {
  if (compression !== "zstd") return compressSection(plain, compression);
  return withPrefix(plain.length, await zstdCompressAsync(plain, ZSTD_LEVEL));
}

/**
 * Validates a compressed section's prefix (and, for zstd, its frame structure)
 * against `maxSize` before anything is decompressed. Returns the declared size.
 */
function checkSection(bytes: Uint8Array, start: number, end: number, compression: CompressionType, maxSize: number): number {
  if (end - start < 4) {
    throw new IPCError("DeserializationError", `${compression} section shorter than its 4-byte length prefix`, {
      context: { compression, offset: start },
    });
  }
  const declared = (bytes[start] | (bytes[start + 1] << 8) | (bytes[start + 2] << 16) | (bytes[start + 3] << 24)) >>> 0;
  if (declared > maxSize) {
    throw new IPCError("MessageTooLarge", `${compression} section declares ${declared} bytes, limit is ${maxSize}`, {
      context: { compression, declared, limit: maxSize },
    });
  }
  if (compression === "zstd") {
    // The frame's own Frame_Content_Size, when it has one, must agree with the prefix.
    const fcs = zstdDeclaredContentSize(bytes, start + 4, end);
    if (fcs !== undefined && fcs > maxSize) {
      throw new IPCError("MessageTooLarge", `zstd frame declares ${fcs} bytes, limit is ${maxSize}`, {
        context: { compression, declared: fcs, limit: maxSize },
      });
    }
    if (fcs !== undefined && fcs !== declared) {
      throw new IPCError("DeserializationError", `zstd frame declares ${fcs} bytes, the section prefix ${declared}`, {
        context: { compression, declared, frameContentSize: fcs },
      });
    }
    // Without a content size the block walk is the bound: nothing can decompress to more.
    // It runs on the event loop, so its length is bounded too: one block per 256 declared
    // bytes (plus 64) is far more than any encoder makes (libzstd: one per 128 KiB).
    const slack = maxSize + 128 * 1024;
    const bound = zstdDecompressedBound(bytes, start + 4, end, slack, 64 + Math.ceil(declared / 256));
    if (bound > slack) {
      throw new IPCError("MessageTooLarge", `zstd section may expand to ${bound} bytes, limit is ${maxSize}`, {
        context: { compression, bound, limit: maxSize },
      });
    }
  }
  return declared;
}

function checkLength(decompressed: Uint8Array, declared: number, compression: CompressionType): Uint8Array {
  if (decompressed.length !== declared) {
    throw new IPCError("DeserializationError", `${compression} section decompressed to ${decompressed.length} bytes, prefix says ${declared}`, {
      context: { compression, declared, actual: decompressed.length },
    });
  }
  return decompressed;
}

/** Decompresses `bytes[start, end)`; never produces more than `maxSize` bytes. */
export function decompressSection(bytes: Uint8Array, start: number, end: number, compression: CompressionType, maxSize: number): Uint8Array {
  if (compression === "none") return bytes.subarray(start, end);
  const declared = checkSection(bytes, start, end, compression, maxSize);
  if (compression === "lz4") {
    let out: Uint8Array;
    try {
      out = lz4UncompressSync(bytes.subarray(start, end));
    } catch (cause) {
      throw new IPCError("DeserializationError", `invalid lz4 section: ${String(cause)}`, { cause, context: { compression } });
    }
    return checkLength(out, declared, compression);
  }
  return checkLength(zstdDecompressSync(bytes.subarray(start + 4, end)), declared, compression);
}

/**
 * Decompressions running at once, process-wide: all cores but one, so that
 * peers sending compressed frames (bombs included) can never take the core
 * the event loop needs. The rest wait their turn, in order.
 */
const DECOMPRESS_SLOTS = Math.max(1, availableParallelism() - 1);
let slotsBusy = 0;
const slotWaiters: Array<() => void> = [];

function acquireSlot(): Promise<void> | undefined {
  if (slotsBusy < DECOMPRESS_SLOTS) {
    slotsBusy++;
    return undefined;
  }
  return new Promise((resolve) => slotWaiters.push(resolve));
}

function releaseSlot(): void {
  const next = slotWaiters.shift();
  if (next !== undefined) next(); // the slot passes straight to the next waiter
  else slotsBusy--;
}

/** Runs one decompression on the thread pool once a slot is free. */
async function inSlot<T>(run: () => Promise<T>): Promise<T> {
  const wait = acquireSlot();
  if (wait !== undefined) await wait;
  try {
    return await run();
  } finally {
    releaseSlot();
  }
}

/**
 * Async variant of {@link decompressSection}: both algorithms run on the
 * libuv thread pool (at most all cores but one at a time), so the event loop
 * only does the bound checks (a few header reads). Throws (rejects) the same
 * IPCErrors.
 */
export async function decompressSectionAsync(
  bytes: Uint8Array,
  start: number,
  end: number,
  compression: CompressionType,
  maxSize: number,
): Promise<Uint8Array> {
  if (compression === "none") return bytes.subarray(start, end);
  const declared = checkSection(bytes, start, end, compression, maxSize);
  if (compression === "lz4") {
    let out: Uint8Array;
    try {
      // lz4-napi reads the u32 prefix itself and decompresses into exactly that many bytes (checked above).
      out = await inSlot(() => lz4Uncompress(bytes.subarray(start, end)));
    } catch (cause) {
      throw new IPCError("DeserializationError", `invalid lz4 section: ${String(cause)}`, { cause, context: { compression } });
    }
    return checkLength(out, declared, compression);
  }
  return checkLength(await inSlot(() => zstdDecompressAsync(bytes.subarray(start + 4, end))), declared, compression);
}
