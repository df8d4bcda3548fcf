/**
 * Little-endian field access on plain Uint8Arrays. The decoders work on
 * offsets into whatever buffer the transport handed them (a socket chunk, a
 * shared-memory view), so these avoid creating Buffers or DataViews per frame.
 */
import { IPCError } from "../errors.js";
import { U64_MAX } from "./constants.js";

/** Reads a u32 LE. */
export function readU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** Reads a u16 LE. */
export function readU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

/** Reads a u64 LE as a bigint (cheap path when the high word is zero). */
export function readU64(b: Uint8Array, o: number): bigint {
  const lo = readU32(b, o);
  const hi = readU32(b, o + 4);
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writes a u32 LE. */
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

/** Writes a u16 LE. */
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
}

/** Writes a u64 LE from a bigint already checked to be in range. */
export function writeU64(b: Uint8Array, o: number, v: bigint): void {
  writeU32(b, o, Number(v & 0xffff_ffffn));
  writeU32(b, o + 4, Number(v >> 32n));
}

/** Checks a u64 field of a message being encoded. */
export function checkU64(value: unknown, field: string): bigint {
  if (typeof value !== "bigint" || value < 0n || value > U64_MAX) {
    throw new IPCError("SerializationError", `${field} must be a bigint in 0..2^64-1`, { context: { field, value: String(value) } });
  }
  return value;
}

/** Checks an unsigned integer field of at most `max`. */
export function checkUint(value: unknown, max: number, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new IPCError("SerializationError", `${field} must be an integer in 0..${max}`, { context: { field, value: String(value) } });
  }
  return value;
}

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/** Decodes strict UTF-8 from `b[start, end)`; short ASCII takes a fast path. */
export function readUtf8(b: Uint8Array, start: number, end: number, field: string): string {
  if (end - start <= 48) {
    let s = "";
    let i = start;
    for (; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) return s;
  }
  try {
    return utf8Fatal.decode(b.subarray(start, end));
  } catch (cause) {
    throw new IPCError("DeserializationError", `${field} is not valid UTF-8`, { cause, context: { field, offset: start } });
  }
}

const isWellFormed = (String.prototype as unknown as { isWellFormed?: () => boolean }).isWellFormed;

/** UTF-8 bytes of a name field (method, event type), checked against the u16 length limit. */
export function nameBytes(value: unknown, field: string, maxBytes: number): Buffer {
  if (typeof value !== "string") {
    throw new IPCError("SerializationError", `${field} must be a string`, { context: { field } });
  }
  if (isWellFormed !== undefined && !isWellFormed.call(value)) {
    throw new IPCError("SerializationError", `${field} contains a lone surrogate and has no UTF-8 form`, { context: { field } });
  }
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > maxBytes) {
    throw new IPCError("SerializationError", `${field} is ${bytes.length} UTF-8 bytes, at most ${maxBytes} allowed`, {
      context: { field, length: bytes.length },
    });
  }
  return bytes;
}
