/**
 * Little-endian field access on Uint8Arrays. The decoders work on offsets
 * into whatever buffer the transport handed them (a socket chunk, a
 * shared-memory view), so reads create no Buffer or DataView per frame; the
 * writers keep one DataView per batch buffer (viewOf). Whatever a decoded
 * message keeps is copied out (copyOut), never a view of the input.
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

// One 8-byte scratch view: copying 8 bytes and one native Big(U)Int64 access
// beats splitting a bigint into two numbers (several bigint allocations).
const scratchBytes = new Uint8Array(8);
const scratch = new DataView(scratchBytes.buffer);

/** Reads a u64 LE as a bigint. */
export function readU64(b: Uint8Array, o: number): bigint {
  // 0 is common (no correlation, no source id) and needs no allocation.
  if ((b[o] | b[o + 1] | b[o + 2] | b[o + 3] | b[o + 4] | b[o + 5] | b[o + 6] | b[o + 7]) === 0) return 0n;
  const s = scratchBytes;
  s[0] = b[o];
  s[1] = b[o + 1];
  s[2] = b[o + 2];
  s[3] = b[o + 3];
  s[4] = b[o + 4];
  s[5] = b[o + 5];
  s[6] = b[o + 6];
  s[7] = b[o + 7];
  return scratch.getBigUint64(0, true);
}

let viewTarget: Uint8Array | undefined;
let viewOfTarget: DataView = new DataView(new ArrayBuffer(0));

/**
 * A DataView over exactly `b`, for the writers' multi-byte stores (one
 * unaligned store instead of four to eight byte stores). The view of the last
 * batch buffer (>= 4 KiB, reused for many frames) is kept; a small one-off
 * buffer gets a fresh one.
 */
export function viewOf(b: Uint8Array): DataView {
  if (b === viewTarget) return viewOfTarget;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 4096) {
    viewTarget = b;
    viewOfTarget = view;
  }
  return view;
}

/** A u64 store; 0 (no correlation, no timestamp) skips the BigInt store, which V8 does not inline. */
export function setU64(dv: DataView, o: number, v: bigint): void {
  if (v === 0n) {
    dv.setUint32(o, 0, true);
    dv.setUint32(o + 4, 0, true);
  } else {
    dv.setBigUint64(o, v, true);
  }
}

/** Writes a u32 LE. */
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
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

// A direct-mapped cache of recently decoded names. Method names and event
// types repeat constantly, so comparing bytes against a cached entry beats
// building the string again; the cache is bounded (256 slots, names <= 64 bytes).
const NAME_SLOTS = 256;
const cachedNameBytes: (Uint8Array | undefined)[] = new Array(NAME_SLOTS);
const cachedNames: string[] = new Array(NAME_SLOTS);
let lastNameBytes: Uint8Array = new Uint8Array(0);
let lastName = "";

/** {@link readUtf8} for names (method, event type), with the cache above. */
export function readName(b: Uint8Array, start: number, end: number, field: string): string {
  const n = end - start;
  if (n > 64) return readUtf8(b, start, end, field);
  // Most streams repeat one name (a method called in a loop): try the last one first.
  const last = lastNameBytes;
  if (last.length === n) {
    let i = 0;
    while (i < n && last[i] === b[start + i]) i++;
    if (i === n) return lastName;
  }
  let h = n;
  for (let i = start; i < end; i++) h = (h * 31 + b[i]) | 0;
  const slot = (h ^ (h >>> 8)) & (NAME_SLOTS - 1);
  const bytes = cachedNameBytes[slot];
  if (bytes !== undefined && bytes.length === n) {
    let i = 0;
    while (i < n && bytes[i] === b[start + i]) i++;
    if (i === n) {
      lastNameBytes = bytes;
      return (lastName = cachedNames[slot]);
    }
  }
  const name = readUtf8(b, start, end, field);
  const copy = copyOut(b, start, n);
  cachedNameBytes[slot] = copy;
  cachedNames[slot] = name;
  lastNameBytes = copy;
  lastName = name;
  return name;
}

const isWellFormed = (String.prototype as unknown as { isWellFormed?: () => boolean }).isWellFormed;

const nameCache = new Map<string, Buffer>();
let lastNameValue: string | undefined;
let lastNameValueBytes: Buffer = Buffer.alloc(0);
const NAME_CACHE_LIMIT = 4096;

/**
 * UTF-8 bytes of a name field (method, event type), checked against the u16
 * length limit. Names repeat (a service has few methods), so their bytes are
 * cached; callers must not modify the returned Buffer.
 */
export function nameBytes(value: unknown, field: string, maxBytes: number): Buffer {
  if (typeof value !== "string") {
    throw new IPCError("SerializationError", `${field} must be a string`, { context: { field } });
  }
  // A stream usually repeats one name: the last one is checked before the map.
  if (value === lastNameValue) return lastNameValueBytes;
  const cached = nameCache.get(value);
  if (cached !== undefined) {
    lastNameValue = value;
    lastNameValueBytes = cached;
    return cached;
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
  if (value.length <= 256) {
    if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
    nameCache.set(value, bytes);
  }
  return bytes;
}

/**
 * A copy of `b[start, start + n)` as a plain Uint8Array, whatever `b` is
 * (`Buffer#slice` returns a view into the same memory, not a copy).
 */
export function copyOut(b: Uint8Array, start: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (n <= 32) for (let i = 0; i < n; i++) out[i] = b[start + i];
  else out.set(b.subarray(start, start + n));
  return out;
}

