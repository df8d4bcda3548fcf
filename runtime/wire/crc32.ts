/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final xor
 * 0xFFFFFFFF) — the checksum of the NOVA header.
 *
 * Two implementations, chosen by length: native `zlib.crc32` (Node >= 20.15)
 * is several GB/s but costs ~200 ns per call plus a subarray allocation, so
 * short ranges (every small frame) use a table-driven slicing-by-16 loop that
 * works on offsets without allocating.
 */
import * as zlib from "node:zlib";

const TABLE = buildTable();
/** Below this many bytes the JS loop beats the native call overhead. */
const NATIVE_THRESHOLD = 512;
const nativeCrc32: ((data: Uint8Array, value?: number) => number) | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === "function"
    ? (zlib as unknown as { crc32: (data: Uint8Array, value?: number) => number }).crc32
    : undefined;

function buildTable(): Int32Array {
  const t = new Int32Array(256 * 16);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 16; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

function crc32Js(buf: Uint8Array, start: number, end: number, crc: number): number {
  const T = TABLE;
  let c = ~crc;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    const a = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    const b = buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24);
    const d = buf[i + 8] | (buf[i + 9] << 8) | (buf[i + 10] << 16) | (buf[i + 11] << 24);
    const e = buf[i + 12] | (buf[i + 13] << 8) | (buf[i + 14] << 16) | (buf[i + 15] << 24);
    c =
      T[3840 + (a & 255)] ^ T[3584 + ((a >>> 8) & 255)] ^ T[3328 + ((a >>> 16) & 255)] ^ T[3072 + (a >>> 24)] ^
      T[2816 + (b & 255)] ^ T[2560 + ((b >>> 8) & 255)] ^ T[2304 + ((b >>> 16) & 255)] ^ T[2048 + (b >>> 24)] ^
      T[1792 + (d & 255)] ^ T[1536 + ((d >>> 8) & 255)] ^ T[1280 + ((d >>> 16) & 255)] ^ T[1024 + (d >>> 24)] ^
      T[768 + (e & 255)] ^ T[512 + ((e >>> 8) & 255)] ^ T[256 + ((e >>> 16) & 255)] ^ T[e >>> 24];
  }
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    const b = buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24);
    c =
      T[1792 + (a & 255)] ^ T[1536 + ((a >>> 8) & 255)] ^ T[1280 + ((a >>> 16) & 255)] ^ T[1024 + (a >>> 24)] ^
      T[768 + (b & 255)] ^ T[512 + ((b >>> 8) & 255)] ^ T[256 + ((b >>> 16) & 255)] ^ T[b >>> 24];
  }
  for (; i < end; i++) c = T[(c ^ buf[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * CRC-32 of `buf[start, end)`, continuing from `crc` (0 to start afresh), as an
 * unsigned 32-bit number.
 */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  if (nativeCrc32 !== undefined && end - start >= NATIVE_THRESHOLD) {
    return nativeCrc32(buf.subarray(start, end), crc) >>> 0;
  }
  return crc32Js(buf, start, end, crc);
}

/**
 * The frame checksum: CRC-32 over the 40 header bytes at `frameStart` with the
 * CRC field (offset 36..39) taken as zero, then `payloadLength` payload bytes.
 * Reads only; never writes to `buf` (it may be a caller's or shared memory).
 */
export function frameCrc32(buf: Uint8Array, frameStart: number, payloadLength: number): number {
  const T = TABLE;
  // Header bytes 0..31: two slicing-by-16 steps.
  let c = ~crc32Js(buf, frameStart, frameStart + 32, 0);
  // Bytes 32..39 as one slicing-by-8 step whose last four bytes (the CRC field) are zero.
  const i = frameStart + 32;
  const a = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
  c = T[1792 + (a & 255)] ^ T[1536 + ((a >>> 8) & 255)] ^ T[1280 + ((a >>> 16) & 255)] ^ T[1024 + (a >>> 24)] ^ T[768] ^ T[512] ^ T[256] ^ T[0];
  const p = frameStart + 40;
  return crc32(buf, p, p + payloadLength, ~c >>> 0);
}
