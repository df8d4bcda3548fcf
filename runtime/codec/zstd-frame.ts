/**
 * Structural check of a Zstandard frame (RFC 8878) that yields an upper bound
 * on its decompressed size without decompressing it.
 *
 * Why: the zstd binding decompresses a whole frame at once with no output
 * limit, and RLE blocks let 4 bytes expand to 128 KiB, so a 16 MiB section
 * could claim hundreds of GB. Walking the block headers is cheap and sound:
 * a Raw or RLE block regenerates exactly Block_Size bytes and a Compressed
 * block at most 128 KiB (Block_Maximum_Size).
 */
import { IPCError } from "../errors.js";

const ZSTD_MAGIC = 0xfd2fb528;
const MAX_BLOCK = 128 * 1024;

/**
 * The Frame_Content_Size a zstd frame header at `bytes[start]` declares, or
 * undefined when the header does not declare one (or is too short to say).
 */
export function zstdDeclaredContentSize(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end - start < 5) return undefined;
  const fhd = bytes[start + 4];
  const singleSegment = (fhd & 0x20) !== 0;
  const fcsFlag = fhd >> 6;
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  if (fcsSize === 0) return undefined;
  const at = start + 5 + (singleSegment ? 0 : 1) + ((fhd & 0x03) === 0 ? 0 : [0, 1, 2, 4][fhd & 0x03]);
  if (at + fcsSize > end) return undefined;
  let v = 0;
  for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + bytes[at + i];
  // The 2-byte form is offset by 256 (RFC 8878 3.1.1.1.4).
  return fcsSize === 2 ? v + 256 : v;
}

/**
 * Checks that `bytes[start, end)` is exactly one zstd frame without a
 * dictionary and returns the most bytes it can decompress to. Throws
 * DeserializationError on a malformed frame. With `stopAbove`, the walk
 * stops (and returns a bound above it) as soon as the bound passes it, so a
 * bomb costs a few block headers, not a walk over its whole payload. With
 * `maxBlocks`, a frame of more blocks is refused (DeserializationError): a
 * frame of millions of tiny blocks would otherwise cost the walk tens of ms.
 */
export function zstdDecompressedBound(bytes: Uint8Array, start: number, end: number, stopAbove = Infinity, maxBlocks = Infinity): number {
  const fail = (why: string, at: number): never => {
    throw new IPCError("DeserializationError", `malformed zstd frame: ${why}`, { context: { compression: "zstd", offset: at } });
  };
  let p = start;
  if (end - p < 5) fail("too short", p);
  const magic = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
  if (magic !== ZSTD_MAGIC) fail("bad magic", p);
  p += 4;
  const fhd = bytes[p++];
  if (fhd & 0x08) fail("reserved header bit set", p - 1);
  const singleSegment = (fhd & 0x20) !== 0;
  const dictFlag = fhd & 0x03;
  const fcsFlag = fhd >> 6;
  if (dictFlag !== 0) fail("dictionaries are not supported", p - 1);
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  p += (singleSegment ? 0 : 1) + fcsSize;
  const checksum = (fhd & 0x04) !== 0;
  let bound = 0;
  for (let blocks = 1; ; blocks++) {
    if (blocks > maxBlocks) fail(`more than ${maxBlocks} blocks`, p);
    if (end - p < 3) fail("truncated block header", p);
    const h = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16);
    p += 3;
    const last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    if (type === 3) fail("reserved block type", p - 3);
    if (size > MAX_BLOCK) fail("block larger than 128 KiB", p - 3);
    if (type === 0) {
      bound += size;
      p += size;
    } else if (type === 1) {
      bound += size;
      p += 1;
    } else {
      bound += MAX_BLOCK;
      p += size;
    }
    if (p > end) fail("truncated block", p);
    if (bound > stopAbove) return bound;
    if (last) break;
  }
  if (checksum) p += 4;
  if (p !== end) fail(p > end ? "truncated checksum" : "trailing bytes after the frame", Math.min(p, end));
  return bound;
}
