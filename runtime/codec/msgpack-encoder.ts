/**
 * A MessagePack encoder for the value model of idl/WIRE.md §6 that writes
 * straight into the caller's buffer.
 *
 * Why not msgpackr's `pack`: for the small sections that dominate IPC its
 * per-call state and result subarray cost more than the encoding itself.
 * This encoder writes at an offset into any Uint8Array, allocates nothing per
 * call for the value model, and never writes past `target.length`.
 *
 * Its bytes are identical to msgpackr's with the configuration of
 * ./value-msgpack.ts (the wire vectors and golden tests depend on that):
 * integers that fit 32 bits in the smallest int family (positive fixint up to
 * 127 because records are off), every other number as float 64, bigint as
 * int 64 when it fits and uint 64 otherwise, plain objects as map 16 (msgpackr
 * reserves the header before counting keys), Map instances with the smallest
 * map header, undefined as `D4 00 00`, Dates as timestamp 32/64/96.
 * Values outside the model that msgpackr gives a special meaning (Set, Error,
 * RegExp, ArrayBuffer, subclasses of Date) are handed to msgpackr whole.
 *
 * Class instances follow msgpackr too: their toJSON() if they have one,
 * otherwise their own enumerable keys as a map.
 *
 * Where msgpackr would send bytes our decoder refuses, or quietly change the
 * value, this encoder throws SerializationError instead: lone surrogates
 * (msgpackr writes U+FFFD), functions (msgpackr writes undefined, so a plain
 * object's own toJSON method is refused, not called), Map keys that are not
 * string, number or bigint, invalid Dates, nesting deeper than 512
 * arrays/maps, and cycles (msgpackr overflows the stack). One difference goes
 * the other way: an object whose prototype is Object.prototype or null is
 * always a map of data, even with "constructor" and "toJSON" keys (msgpackr
 * then calls the "toJSON" key, and throws when it is no function).
 */
import { constants as bufferConstants } from "node:buffer";
import { C1, Packr } from "msgpackr";
import { IPCError } from "../errors.js";
import { at, EncodeFailure, toIPCError } from "./msgpack-encode-errors.js";

const MAX_DEPTH = 512;
const SCRATCH_START = 64 * 1024;
const SCRATCH_KEEP = 1024 * 1024;
/** Strings at least this long are encoded natively; shorter ones by a JS loop (cheaper than the call). */
const NATIVE_STRING_MIN = 24;

// Same options as value-msgpack.ts; used only for values this encoder hands over whole.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: "bigint", copyBuffers: true, moreTypes: false });
const C1Type = (C1 as object).constructor;

type Utf8Write = (this: Uint8Array, s: string, offset: number, max: number) => number;
const utf8Write = (Buffer.prototype as unknown as { utf8Write: Utf8Write }).utf8Write;
type WellFormed = { isWellFormed(): boolean };

const EMPTY = new Uint8Array(0);
const scratchView = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratchView.buffer);

// The target of the encode in progress (saved and restored around re-entrant calls from toJSON).
let t: Uint8Array = EMPTY;
let lim = 0;

function copyScratch(n: number, p: number): void {
  for (let i = 0; i < n; i++) t[p + i] = scratchBytes[i];
}

/** A type byte and the low 16 bits of `v`, big-endian (the Uint8Array store keeps the low 8 bits of each). */
function tagged16(type: number, v: number, p: number): number {
  if (p + 3 > lim) return -1;
  t[p] = type;
  t[p + 1] = v >>> 8;
  t[p + 2] = v;
  return p + 3;
}

/** A type byte and `v` as 32 bits (ToUint32, as DataView.setUint32 converts), big-endian. */
function tagged32(type: number, v: number, p: number): number {
  if (p + 5 > lim) return -1;
  t[p] = type;
  writeU32(v, p + 1);
  return p + 5;
}

function writeNumber(v: number, p: number): number {
  if (v >>> 0 === v) {
    if (v < 0x80) {
      if (p >= lim) return -1;
      t[p] = v;
      return p + 1;
    }
    if (v < 0x100) {
      if (p + 2 > lim) return -1;
      t[p] = 0xcc;
      t[p + 1] = v;
      return p + 2;
    }
    if (v < 0x10000) return tagged16(0xcd, v, p);
    return tagged32(0xce, v, p);
  }
  if (v >> 0 === v) {
    if (v >= -0x20) {
      if (p >= lim) return -1;
      t[p] = 0x100 + v;
      return p + 1;
    }
    if (v >= -0x80) {
      if (p + 2 > lim) return -1;
      t[p] = 0xd0;
      t[p + 1] = v + 0x100;
      return p + 2;
    }
    if (v >= -0x8000) return tagged16(0xd1, v, p);
    return tagged32(0xd2, v, p);
  }
  if (p + 9 > lim) return -1;
  t[p] = 0xcb;
  scratchView.setFloat64(0, v);
  copyScratch(8, p + 1);
  return p + 9;
}

function writeBigInt(v: bigint, p: number): number {
  let type: number;
  if (v < 0x8000000000000000n && v >= -0x8000000000000000n) {
    type = 0xd3;
    scratchView.setBigInt64(0, v);
  } else if (v < 0x10000000000000000n && v > 0n) {
    type = 0xcf;
    scratchView.setBigUint64(0, v);
  } else {
    throw new EncodeFailure(`bigint ${v} is outside the 64-bit range`);
  }
  if (p + 9 > lim) return -1;
  t[p] = type;
  copyScratch(8, p + 1);
  return p + 9;
}

/** Encodes UTF-8 at `q` (room for 3 bytes per UTF-16 unit from `i` on is guaranteed) and returns the end. */
function utf8Into(s: string, i: number, q: number): number {
  const n = s.length;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      t[q++] = c;
    } else if (c < 0x800) {
      t[q++] = (c >> 6) | 0xc0;
      t[q++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xf800) !== 0xd800) {
      t[q++] = (c >> 12) | 0xe0;
      t[q++] = ((c >> 6) & 0x3f) | 0x80;
      t[q++] = (c & 0x3f) | 0x80;
    } else {
      const d = s.charCodeAt(i + 1);
      if ((c & 0xfc00) !== 0xd800 || (d & 0xfc00) !== 0xdc00) throw loneSurrogate();
      c = 0x10000 + ((c & 0x3ff) << 10) + (d & 0x3ff);
      i++;
      t[q++] = (c >> 18) | 0xf0;
      t[q++] = ((c >> 12) & 0x3f) | 0x80;
      t[q++] = ((c >> 6) & 0x3f) | 0x80;
      t[q++] = (c & 0x3f) | 0x80;
    }
  }
  return q;
}

function loneSurrogate(): EncodeFailure {
  return new EncodeFailure("string contains a lone surrogate (not valid UTF-8; the peer would refuse it)");
}

function strHeaderSize(bytes: number): number {
  return bytes < 0x20 ? 1 : bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5;
}

/** Writes a str header; the caller has checked the room. */
function writeStrHeader(bytes: number, p: number): void {
  if (bytes < 0x20) {
    t[p] = 0xa0 | bytes;
  } else if (bytes < 0x100) {
    t[p] = 0xd9;
    t[p + 1] = bytes;
  } else if (bytes < 0x10000) {
    tagged16(0xda, bytes, p);
  } else {
    tagged32(0xdb, bytes, p);
  }
}

function writeString(s: string, p: number): number {
  const n = s.length;
  // UTF-8 never has fewer bytes than UTF-16 units, so this header is the smallest possible; it grows below if needed.
  const guess = strHeaderSize(n);
  if (p + 5 + 3 * n > lim) return writeStringNearEnd(s, p);
  const start = p + guess;
  let end: number;
  if (n < NATIVE_STRING_MIN) {
    let i = 0;
    let q = start;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      t[q++] = c;
    }
    end = i === n ? q : utf8Into(s, i, q);
  } else {
    end = start + utf8Write.call(t, s, start, lim - start);
    // Only a string with a non-ASCII unit writes more bytes than units; only those can hold a lone surrogate.
    if (end - start !== n && !(s as unknown as WellFormed).isWellFormed()) throw loneSurrogate();
  }
  const bytes = end - start;
  const size = strHeaderSize(bytes);
  if (size !== guess) {
    t.copyWithin(p + size, start, end);
    end += size - guess;
  }
  writeStrHeader(bytes, p);
  return end;
}

/** The exact-length path for a string that may not fit: measure first, write only what fits. */
function writeStringNearEnd(s: string, p: number): number {
  if (!(s as unknown as WellFormed).isWellFormed()) throw loneSurrogate();
  const bytes = Buffer.byteLength(s, "utf8");
  const start = p + strHeaderSize(bytes);
  if (start + bytes > lim) return -1;
  writeStrHeader(bytes, p);
  if (bytes === s.length && bytes < NATIVE_STRING_MIN) {
    for (let i = 0; i < bytes; i++) t[start + i] = s.charCodeAt(i);
  } else {
    utf8Write.call(t, s, start, bytes);
  }
  return start + bytes;
}

function writeBin(v: ArrayBufferView, p: number): number {
  const bytes = v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const n = bytes.length;
  const q = p + (n < 0x100 ? 2 : n < 0x10000 ? 3 : 5);
  if (q + n > lim) return -1;
  if (n < 0x100) {
    t[p] = 0xc4;
    t[p + 1] = n;
  } else if (n < 0x10000) {
    tagged16(0xc5, n, p);
  } else {
    tagged32(0xc6, n, p);
  }
  if (n < 16) for (let i = 0; i < n; i++) t[q + i] = bytes[i];
  else t.set(bytes, q);
  return q + n;
}

/** Writes an array/map header: `fix` family below 16, then the 16- and 32-bit forms (`code16`, `code16 + 1`). */
function writeCount(n: number, p: number, fix: number, code16: number): number {
  if (n < 0x10) {
    if (p >= lim) return -1;
    t[p] = fix | n;
    return p + 1;
  }
  return n < 0x10000 ? tagged16(code16, n, p) : tagged32(code16 + 1, n, p);
}

function tooDeep(): EncodeFailure {
  return new EncodeFailure(`nesting deeper than ${MAX_DEPTH} arrays/maps`, undefined, true);
}

function writeArray(a: readonly unknown[], p: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw tooDeep();
  const n = a.length;
  p = writeCount(n, p, 0x90, 0xdc);
  let i = 0;
  try {
    for (; i < n && p >= 0; i++) p = write(a[i], p, depth + 1);
  } catch (e) {
    throw at(e, a, i);
  }
  return p;
}

/** A plain object: msgpackr always writes map 16 and fills in the count after the keys. */
function writeObject(o: Record<string, unknown>, p: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw tooDeep();
  if (p + 3 > lim) return -1;
  const header = p;
  p += 3;
  let size = 0;
  let key: string | undefined;
  try {
    // msgpackr's exact key rule: for-in filtered by the object's own hasOwnProperty, if it has one.
    for (key in o) {
      if (typeof o.hasOwnProperty !== "function" || o.hasOwnProperty(key)) {
        p = writeString(key, p);
        if (p < 0) return -1;
        p = write(o[key], p, depth + 1);
        if (p < 0) return -1;
        size++;
      }
    }
  } catch (e) {
    throw at(e, o, key);
  }
  if (size > 0xffff) throw new EncodeFailure(`object has ${size} keys; msgpackr's map 16 holds at most 65535`);
  t[header] = 0xde;
  t[header + 1] = size >>> 8;
  t[header + 2] = size;
  return p;
}

/**
 * A Map key as the wire carries it: strings, bigints and safe integers as they
 * are; a bool (`map<bool, V>`) and any other finite number (`map<f64, V>`) as
 * its text, as the JSON encoder writes them, since decoders accept only str and
 * integer keys (WIRE.md, value model) and msgpack would write such a number as
 * a float.
 */
function mapKey(key: unknown): unknown {
  const kt = typeof key;
  if (kt === "string" || kt === "bigint" || (kt === "number" && Number.isSafeInteger(key))) return key;
  if (kt === "boolean" || (kt === "number" && Number.isFinite(key))) return String(key);
  throw new EncodeFailure(`map key ${kt === "number" ? String(key) : `of type ${key === null ? "null" : kt}`} (the peer accepts only string, integer, bool and finite number keys)`);
}

function writeMapInstance(m: Map<unknown, unknown>, p: number, depth: number): number {
  if (depth >= MAX_DEPTH) throw tooDeep();
  p = writeCount(m.size, p, 0x80, 0xde);
  let key: unknown;
  try {
    for (const entry of m) {
      if (p < 0) return -1;
      key = entry[0];
      p = write(mapKey(key), p, depth + 1);
      if (p >= 0) p = write(entry[1], p, depth + 1);
    }
  } catch (e) {
    throw at(e, m, key);
  }
  return p;
}

function writeDate(d: Date, p: number): number {
  const ms = d.getMilliseconds();
  const seconds = d.getTime() / 1000;
  if (ms === 0 && seconds >= 0 && seconds < 0x100000000) {
    if (p + 6 > lim) return -1;
    t[p] = 0xd6;
    t[p + 1] = 0xff;
    writeU32(seconds, p + 2);
    return p + 6;
  }
  if (seconds > 0 && seconds < 0x400000000) {
    if (p + 10 > lim) return -1;
    t[p] = 0xd7;
    t[p + 1] = 0xff;
    writeU32(ms * 4000000 + ((seconds / 0x100000000) >> 0), p + 2);
    writeU32(seconds, p + 6);
    return p + 10;
  }
  if (seconds !== seconds) throw new EncodeFailure("invalid Date (msgpackr's D4 FF FF is refused by the peer)");
  if (p + 15 > lim) return -1;
  t[p] = 0xc7;
  t[p + 1] = 12;
  t[p + 2] = 0xff;
  writeU32(ms * 1000000, p + 3);
  // The whole seconds fit 2^53, so the 64-bit two's complement splits exactly into two 32-bit halves.
  const whole = Math.floor(seconds);
  const high = Math.floor(whole / 0x100000000);
  writeU32(high, p + 7);
  writeU32(whole - high * 0x100000000, p + 11);
  return p + 15;
}

/** DataView.setUint32's conversion (ToUint32: truncate, wrap modulo 2^32), big-endian. */
function writeU32(v: number, p: number): void {
  const u = v >>> 0;
  t[p] = u >>> 24;
  t[p + 1] = u >>> 16;
  t[p + 2] = u >>> 8;
  t[p + 3] = u;
}

/** msgpackr's own encoding of one whole value (its extensions for Set, Error, RegExp, ArrayBuffer, Date subclasses). */
function writeViaMsgpackr(v: object, p: number): number {
  const bytes = packr.pack(v);
  const n = bytes.length;
  if (p + n > lim) return -1;
  t.set(bytes, p);
  return p + n;
}

/** Objects that are not plain objects, arrays, byte views, Maps or Dates: msgpackr's rules, in its order. */
function writeOther(v: object, p: number, depth: number): number {
  // An object whose "constructor" is just a key is still a map of data: msgpackr would call (or choke on) a "toJSON" key.
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return writeObject(v as Record<string, unknown>, p, depth);
  if (v instanceof Date || v instanceof Set || v instanceof Error || v instanceof RegExp || v instanceof ArrayBuffer) return writeViaMsgpackr(v, p);
  if (v instanceof C1Type) throw new EncodeFailure("msgpackr's C1 marker is outside the value model");
  if (Array.isArray(v)) return writeArray(v, p, depth);
  const withJson = v as { toJSON?: () => unknown };
  if (withJson.toJSON) {
    const json = withJson.toJSON();
    if (json !== v) return write(json, p, depth);
  }
  return writeObject(v as Record<string, unknown>, p, depth);
}

function write(v: unknown, p: number, depth: number): number {
  switch (typeof v) {
    case "string":
      return writeString(v, p);
    case "number":
      return writeNumber(v, p);
    case "boolean":
      if (p >= lim) return -1;
      t[p] = v ? 0xc3 : 0xc2;
      return p + 1;
    case "object": {
      if (v === null) {
        if (p >= lim) return -1;
        t[p] = 0xc0;
        return p + 1;
      }
      const c = v.constructor;
      if (c === Object) return writeObject(v as Record<string, unknown>, p, depth);
      if (c === Array && Array.isArray(v)) return writeArray(v, p, depth);
      if (ArrayBuffer.isView(v)) return writeBin(v, p);
      if (c === Map && v instanceof Map) return writeMapInstance(v, p, depth);
      if (c === Date && v instanceof Date) return writeDate(v, p);
      return writeOther(v, p, depth);
    }
    case "undefined":
      if (p + 3 > lim) return -1;
      t[p] = 0xd4;
      t[p + 1] = 0;
      t[p + 2] = 0;
      return p + 3;
    case "bigint":
      return writeBigInt(v, p);
    default:
      throw new EncodeFailure(`${typeof v} cannot be encoded`);
  }
}

/**
 * Encodes `value` as MessagePack into `target` starting at `offset`. Returns the end offset
 * (offset + bytes written), or -1 when it did not fit in target.length (bytes between offset and
 * target.length may then have been overwritten; nothing past target.length ever is).
 * Throws IPCError("SerializationError") for values outside the value model, with a message
 * naming the problem and the path (e.g. "value[2].when: symbol cannot be encoded"), and
 * IPCError("InvalidArgument") for an offset that is not an integer in 0..target.length.
 */
export function encodeMsgpackInto(value: unknown, target: Uint8Array, offset: number): number {
  if (offset >>> 0 !== offset || offset > target.length) {
    throw new IPCError("InvalidArgument", `offset ${offset} is not an integer in 0..${target.length}`, { context: { offset, length: target.length } });
  }
  const savedTarget = t;
  const savedLimit = lim;
  t = target;
  lim = target.length;
  try {
    return write(value, offset, 0);
  } catch (e) {
    throw toIPCError(e);
  } finally {
    t = savedTarget;
    lim = savedLimit;
  }
}

let scratch: Uint8Array = new Uint8Array(SCRATCH_START);
let scratchBusy = false;

/**
 * Encodes `value` into a module-level scratch buffer that grows as needed (start 64 KiB; after
 * an encode > 1 MiB shrink back on a later call) and returns a VIEW of it: valid until the next call.
 */
export function encodeMsgpackScratch(value: unknown): Uint8Array {
  // A toJSON that encodes while we encode must not overwrite our buffer: it gets one of its own.
  if (scratchBusy) return encodeGrowing(value, new Uint8Array(SCRATCH_START)).view;
  if (scratch.length > SCRATCH_KEEP) scratch = new Uint8Array(SCRATCH_START);
  scratchBusy = true;
  try {
    // The common case (it fits) allocates nothing but the view.
    const end = encodeMsgpackInto(value, scratch, 0);
    if (end >= 0) return scratch.subarray(0, end);
    const { buffer, view } = encodeGrowing(value, scratch);
    scratch = buffer;
    return view;
  } finally {
    scratchBusy = false;
  }
}

function encodeGrowing(value: unknown, buffer: Uint8Array): { buffer: Uint8Array; view: Uint8Array } {
  for (;;) {
    const end = encodeMsgpackInto(value, buffer, 0);
    if (end >= 0) return { buffer, view: buffer.subarray(0, end) };
    if (buffer.length >= bufferConstants.MAX_LENGTH) {
      throw new IPCError("SerializationError", `value does not fit in ${bufferConstants.MAX_LENGTH} bytes`, { context: { format: "msgpack" } });
    }
    buffer = new Uint8Array(Math.min(buffer.length * 2, bufferConstants.MAX_LENGTH));
  }
}
