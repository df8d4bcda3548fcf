/**
 * Whole-run frame checks: the CRC work of a chunk or batch in one call.
 *
 * With the native addon, `scanGoodFrames` and `sealFrames` are one call into
 * C++ per socket chunk / outbound batch (PCLMULQDQ CRC folding, ~30 ns per
 * small frame); without it (not built, or NOVA_NO_NATIVE_FRAMES=1) the same
 * contracts are met in JavaScript with the table-driven CRC of crc32.ts.
 * Either way the bytes and results are identical (tested).
 */
import { nativeFrames } from "../../native/index.js";
import { readU32, writeU32 } from "./bytes.js";
import { HEADER_SIZE, Offset, VERSION_MAJOR } from "./constants.js";
import { frameCrc32 } from "./crc32.js";
import { hasMagic } from "./header.js";

const native = nativeFrames();

/**
 * Any range that can hold a frame goes native. In a hot loop a lone small
 * frame is cheaper in JavaScript (a call into the addon costs ~350 ns, the
 * table-driven CRC ~1.5-2 ns per byte), and this used to be 512 bytes. But a
 * lone frame is an RPC call or reply on a process that has just woken up,
 * where the 16 KiB of CRC tables and the loop are cold: A/B of RPC round trips
 * (2026-11-26, four runs) gave the native check −0.4 to −3 µs p50 and −0.7 to
 * −2.8 µs p95 against the JavaScript one.
 */
const NATIVE_MIN_BYTES = HEADER_SIZE;

/** True when the checks run natively (for benchmarks and diagnostics). */
export const NATIVE_FRAME_CHECKS = native !== undefined;

/**
 * The end of the run of good frames starting at `start`: the first offset in
 * `[start, end)` that does not begin a complete frame with the NOVA magic,
 * major version 1, a payload length <= `max` and a matching CRC (`end` when
 * every frame is good). It says nothing about why a frame is not good.
 */
export function scanGoodFrames(b: Uint8Array, start: number, end: number, max: number): number {
  return native !== undefined && end - start >= NATIVE_MIN_BYTES ? native.scanFrames(b, start, end, max) : scanGoodFramesJs(b, start, end, max);
}

/**
 * Computes and stores the CRC of every frame in `[start, end)`, which must be
 * whole frames back to back. Returns the number of frames, or -1 (and writes
 * nothing) when their lengths do not tile the range exactly.
 */
export function sealFrames(b: Uint8Array, start: number, end: number): number {
  return native !== undefined && end - start >= NATIVE_MIN_BYTES ? native.sealFrames(b, start, end) : sealFramesJs(b, start, end);
}

/** JavaScript {@link scanGoodFrames}. */
export function scanGoodFramesJs(b: Uint8Array, start: number, end: number, max: number): number {
  let p = start;
  while (end - p >= HEADER_SIZE) {
    if (!hasMagic(b, p) || b[p + Offset.versionMajor] !== VERSION_MAJOR) return p;
    const len = readU32(b, p + Offset.payloadLength);
    if (len > max || end - p - HEADER_SIZE < len) return p;
    if (readU32(b, p + Offset.crc) !== frameCrc32(b, p, len)) return p;
    p += HEADER_SIZE + len;
  }
  return p;
}

/** JavaScript {@link sealFrames}. */
export function sealFramesJs(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  let p = start;
  while (p < end) {
    if (end - p < HEADER_SIZE) return -1;
    const len = readU32(b, p + Offset.payloadLength);
    if (end - p - HEADER_SIZE < len) return -1;
    p += HEADER_SIZE + len;
    n++;
  }
  for (p = start; p < end; ) {
    const len = readU32(b, p + Offset.payloadLength);
    writeU32(b, p + Offset.crc, frameCrc32(b, p, len));
    p += HEADER_SIZE + len;
  }
  return n;
}
