/**
 * A strict MessagePack decoder for the value model of idl/WIRE.md §6.
 *
 * Why not msgpackr's unpack: for the small sections that dominate IPC it
 * costs more than the rest of frame decoding together (per-call global state,
 * a DataView per new source buffer, a native call per string). This decoder
 * works on offsets into a plain Uint8Array, checks every length against the
 * section end, rejects invalid UTF-8 and trailing bytes, and returns bigint
 * for int 64 / uint 64, like msgpackr's `int64AsType: "bigint"`. Encoding
 * stays with msgpackr; the tests check the two agree.
 */
import { IPCError } from "../errors.js";
import { copyOut } from "../wire/bytes.js";

const MAX_DEPTH = 512;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, s: number, e: number) => string }).latin1Slice;
const scratch = new DataView(new ArrayBuffer(8));

let b: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;

class Malformed extends Error {}

function need(n: number): void {
  if (pos + n > end) throw new Malformed(`needs ${n} more bytes at offset ${pos}, section ends at ${end}`);
}

function u16(): number {
  need(2);
  const v = (b[pos] << 8) | b[pos + 1];
  pos += 2;
  return v;
}

function u32(): number {
  need(4);
  const v = ((b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]) >>> 0;
  pos += 4;
  return v;
}

const scratchBytes = new Uint8Array(scratch.buffer);

/** Copies the next `n` (4 or 8) bytes into the scratch view for a big-endian read. */
function load(n: number): void {
  need(n);
  const s = scratchBytes;
  const p = pos;
  s[0] = b[p];
  s[1] = b[p + 1];
  s[2] = b[p + 2];
  s[3] = b[p + 3];
  if (n === 8) {
    s[4] = b[p + 4];
    s[5] = b[p + 5];
    s[6] = b[p + 6];
    s[7] = b[p + 7];
  }
  pos += n;
}

function str(n: number): string {
  const s = pos;
  const e = s + n;
  if (e > end) throw new Malformed(`string of ${n} bytes at offset ${s} runs past the section end ${end}`);
  pos = e;
  const bytes = b;
  // ASCII (the common case for names, keys and identifiers) is its own latin1;
  // latin1Slice is the cheapest way V8 offers to make a string from bytes.
  let high = 0;
  let i = s;
  for (; i + 4 <= e; i += 4) high |= bytes[i] | bytes[i + 1] | bytes[i + 2] | bytes[i + 3];
  for (; i < e; i++) high |= bytes[i];
  if (high < 0x80) return n < 8 ? shortAscii(s, e) : latin1Slice.call(bytes, s, e);
  try {
    return utf8.decode(bytes.subarray(s, e));
  } catch {
    throw new Malformed(`string at offset ${s} is not valid UTF-8`);
  }
}

function shortAscii(s: number, e: number): string {
  let out = "";
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]);
  return out;
}

function bin(n: number): Uint8Array {
  need(n);
  // A fresh plain Uint8Array, whatever `b` is (Buffer#slice would alias the transport's chunk).
  const out = copyOut(b, pos, n);
  pos += n;
  return out;
}

function array(n: number, depth: number): unknown[] {
  // Each element needs at least one byte: refuse absurd counts before allocating.
  if (n > end - pos) throw new Malformed(`array of ${n} elements in ${end - pos} bytes`);
  // Literals for the short arrays that dominate (positional parameters,
  // [value, error] pairs) are created packed, with no holey-to-packed transitions.
  switch (n) {
    case 0:
      return [];
    case 1:
      return [read(depth)];
    case 2: {
      const a = read(depth);
      return [a, read(depth)];
    }
    case 3: {
      const a = read(depth);
      const c = read(depth);
      return [a, c, read(depth)];
    }
    default: {
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(read(depth));
      return out;
    }
  }
}

function map(n: number, depth: number): Record<string, unknown> {
  if (n * 2 > end - pos) throw new Malformed(`map of ${n} entries in ${end - pos} bytes`);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const k = read(depth);
    let key: string;
    if (typeof k === "string") key = k;
    else if (typeof k === "number" || typeof k === "bigint") key = String(k);
    else throw new Malformed(`map key of type ${k === null ? "null" : typeof k} at offset ${pos}`);
    const v = read(depth);
    if (key === "__proto__") Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

function ext(n: number): unknown {
  need(1 + n);
  const type = (b[pos] << 24) >> 24;
  pos += 1;
  const s = pos;
  pos += n;
  if (type === 0 && n === 1) return undefined; // msgpackr's undefined
  if (type === -1) {
    // Timestamp extension: 32-bit seconds, 64-bit (30-bit ns + 34-bit s), or 96-bit (u32 ns + i64 s).
    const dv = new DataView(b.buffer, b.byteOffset + s, n);
    if (n === 4) return new Date(dv.getUint32(0) * 1000);
    if (n === 8) return new Date((dv.getUint32(0, false) >>> 2) / 1e6 + ((dv.getUint32(0) & 3) * 2 ** 32 + dv.getUint32(4)) * 1000);
    if (n === 12) return new Date(dv.getUint32(0) / 1e6 + Number(dv.getBigInt64(4)) * 1000);
  }
  throw new Malformed(`extension type ${type} (${n} bytes) at offset ${s - 1} is not part of the value model`);
}

function read(depth: number): unknown {
  if (pos >= end) throw new Malformed(`needs 1 more byte at offset ${pos}, section ends at ${end}`);
  const t = b[pos++];
  // The fix* families first, without a call: they are most of every section.
  if (t < 0x80) return t;
  if (t >= 0xa0) {
    if (t < 0xc0) return str(t & 0x1f);
    if (t >= 0xe0) return t - 0x100;
  } else {
    if (depth >= MAX_DEPTH) throw new Malformed(`nesting deeper than ${MAX_DEPTH}`);
    return t < 0x90 ? map(t & 0x0f, depth + 1) : array(t & 0x0f, depth + 1);
  }
  if (t === 0xc3) return true;
  if (t === 0xc2) return false;
  if (t === 0xc0) return null;
  return readTagged(t, depth);
}

/** Everything that is not a fix* family: a type byte followed by a fixed or counted part. */
function readTagged(t: number, depth: number): unknown {
  // (nil, false and true were handled by read.)
  switch (t) {
    case 0xc4:
      need(1);
      return bin(b[pos++]);
    case 0xc5:
      return bin(u16());
    case 0xc6:
      return bin(u32());
    case 0xc7:
      need(1);
      return ext(b[pos++]);
    case 0xc8:
      return ext(u16());
    case 0xc9:
      return ext(u32());
    case 0xca:
      load(4);
      return scratch.getFloat32(0);
    case 0xcb:
      load(8);
      return scratch.getFloat64(0);
    case 0xcc:
      need(1);
      return b[pos++];
    case 0xcd:
      return u16();
    case 0xce:
      return u32();
    case 0xcf:
      load(8);
      return scratch.getBigUint64(0);
    case 0xd0:
      need(1);
      return (b[pos++] << 24) >> 24;
    case 0xd1:
      return (u16() << 16) >> 16;
    case 0xd2:
      return u32() | 0;
    case 0xd3:
      load(8);
      return scratch.getBigInt64(0);
    case 0xd4:
      return ext(1);
    case 0xd5:
      return ext(2);
    case 0xd6:
      return ext(4);
    case 0xd7:
      return ext(8);
    case 0xd8:
      return ext(16);
    case 0xd9:
      need(1);
      return str(b[pos++]);
    case 0xda:
      return str(u16());
    case 0xdb:
      return str(u32());
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      if (depth >= MAX_DEPTH) throw new Malformed(`nesting deeper than ${MAX_DEPTH}`);
      const n = t & 1 ? u32() : u16();
      return t < 0xde ? array(n, depth + 1) : map(n, depth + 1);
    }
    default:
      throw new Malformed(`reserved type byte 0x${t.toString(16)} at offset ${pos - 1}`);
  }
}

/**
 * Decodes exactly one MessagePack value from `bytes[start, end)`. Throws
 * IPCError DeserializationError (truncated, malformed, trailing bytes,
 * invalid UTF-8, an extension outside the value model, nesting over 512).
 */
export function decodeMsgpack(bytes: Uint8Array, start: number, stop: number): unknown {
  b = bytes;
  pos = start;
  end = stop;
  try {
    if (stop <= start) throw new Malformed("empty section");
    const value = read(0);
    if (pos !== stop) throw new Malformed(`${stop - pos} bytes after the value`);
    return value;
  } catch (cause) {
    const why = cause instanceof Malformed ? cause.message : cause instanceof RangeError ? "nesting too deep" : String(cause);
    throw new IPCError("DeserializationError", `invalid msgpack value section: ${why}`, {
      cause: cause instanceof Malformed ? undefined : cause,
      context: { format: "msgpack", offset: start, length: stop - start },
    });
  } finally {
    b = EMPTY;
  }
}

const EMPTY = new Uint8Array(0);
