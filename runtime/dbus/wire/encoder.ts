/**
 * The D-Bus marshaller: writes values little-endian ('l') into one growing,
 * reusable buffer. Alignment is relative to `base` (the start of the message
 * being written), so several messages can be written back to back into the
 * same buffer, as the connection's output queue does.
 *
 * One switch over the parsed type's code per value, no closure per value and
 * no intermediate objects: this is the hot path of every call and signal.
 */
import { IPCError } from "../../errors.js";
import { MAX_TOTAL_NESTING, T, parseSignature, parseSingleType, type SigType } from "./signature.js";
import { Variant } from "./variant.js";
import { isObjectPath } from "./names.js";

/** The maximum length of one array's contents in bytes (64 MiB, D-Bus specification). */
export const MAX_ARRAY_BYTES = 64 * 1024 * 1024;
/** The maximum length of a message in bytes (128 MiB, D-Bus specification). */
export const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function fail(message: string, context: Record<string, unknown> = {}): never {
  throw new IPCError("SerializationError", message, { context });
}

function describe(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  return typeof v === "object" && v !== null ? (v.constructor?.name ?? "object") : String(v);
}

/** A growing little-endian D-Bus writer; reuse one instance (call {@link WireWriter.reset}). */
export class WireWriter {
  buf: Buffer;
  view: DataView;
  /** Next byte to write. */
  pos = 0;
  /** Alignment origin: the offset of the current message's first byte. */
  base = 0;
  /** Descriptors collected from `h` values of the message being written. */
  fds: number[] = [];

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Forgets everything written; keeps the buffer. */
  reset(): void {
    this.pos = 0;
    this.base = 0;
    this.fds = [];
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    if (need - this.base > MAX_MESSAGE_BYTES + 8) fail(`the message exceeds the D-Bus maximum of ${MAX_MESSAGE_BYTES} bytes`, { limit: MAX_MESSAGE_BYTES });
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Writes zero bytes up to the next multiple of `a` (relative to `base`). */
  pad(a: number): void {
    const rem = (this.pos - this.base) & (a - 1);
    if (rem === 0) return;
    const n = a - rem;
    this.ensure(n);
    const b = this.buf;
    for (let i = 0; i < n; i++) b[this.pos++] = 0;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.pad(4);
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  /** Writes a string's UTF-8 bytes, NUL-terminated, with a u32 (or, for a signature, u8) length before them. */
  str(s: string, u8Length: boolean): void {
    if (typeof s !== "string") fail(`expected a string, got ${describe(s)}`);
    const n = s.length;
    if (!u8Length) this.pad(4);
    const lenAt = this.pos;
    this.ensure((u8Length ? 1 : 4) + n * 3 + 1);
    const b = this.buf;
    let p = lenAt + (u8Length ? 1 : 4);
    const start = p;
    let i = 0;
    // ASCII fast path; anything else goes through Node's UTF-8 writer.
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 || c === 0) break;
      b[p++] = c;
    }
    if (i < n) {
      if (s.includes("\0", i)) fail("a D-Bus string cannot contain NUL", { value: describe(s) });
      p += b.write(i === 0 ? s : s.slice(i), p, "utf8");
    }
    const len = p - start;
    if (u8Length) b[lenAt] = len;
    else this.view.setUint32(lenAt, len, true);
    b[p++] = 0;
    this.pos = p;
  }

  /** Writes one value of type `t`. `depth` counts enclosing containers (variants included). */
  value(t: SigType, v: unknown, depth: number): void {
    switch (t.code) {
      case T.BYTE:
        if (typeof v !== "number" || (v & 0xff) !== v) fail(`expected a byte (0..255), got ${describe(v)}`);
        this.u8(v);
        return;
      case T.BOOLEAN:
        if (typeof v !== "boolean") fail(`expected a boolean, got ${describe(v)}`);
        this.u32(v ? 1 : 0);
        return;
      case T.INT16:
      case T.UINT16: {
        const signed = t.code === T.INT16;
        if (typeof v !== "number" || !Number.isInteger(v) || (signed ? v < -0x8000 || v > 0x7fff : v < 0 || v > 0xffff)) {
          fail(`expected ${signed ? "an int16" : "a uint16"}, got ${describe(v)}`);
        }
        this.pad(2);
        this.ensure(2);
        this.view.setUint16(this.pos, v & 0xffff, true);
        this.pos += 2;
        return;
      }
      case T.INT32:
        if (typeof v !== "number" || (v | 0) !== v) fail(`expected an int32, got ${describe(v)}`);
        this.u32(v >>> 0);
        return;
      case T.UINT32:
        if (typeof v !== "number" || v >>> 0 !== v) fail(`expected a uint32, got ${describe(v)}`);
        this.u32(v);
        return;
      case T.UNIX_FD: {
        if (typeof v !== "number" || (v | 0) !== v || v < 0) fail(`expected a file descriptor (a non-negative integer), got ${describe(v)}`);
        let index = this.fds.indexOf(v);
        if (index < 0) index = this.fds.push(v) - 1;
        this.u32(index);
        return;
      }
      case T.INT64:
      case T.UINT64: {
        const signed = t.code === T.INT64;
        let big: bigint;
        if (typeof v === "bigint") big = v;
        else if (typeof v === "number" && Number.isSafeInteger(v)) big = BigInt(v);
        else fail(`expected ${signed ? "an int64" : "a uint64"} (bigint or safe integer), got ${describe(v)}`);
        if (signed ? big < I64_MIN || big > I64_MAX : big < 0n || big > U64_MAX) fail(`${big} is out of range for ${signed ? "int64" : "uint64"}`);
        this.pad(8);
        this.ensure(8);
        if (signed) this.view.setBigInt64(this.pos, big, true);
        else this.view.setBigUint64(this.pos, big, true);
        this.pos += 8;
        return;
      }
      case T.DOUBLE:
        if (typeof v !== "number") fail(`expected a number (double), got ${describe(v)}`);
        this.pad(8);
        this.ensure(8);
        this.view.setFloat64(this.pos, v, true);
        this.pos += 8;
        return;
      case T.STRING:
        this.str(v as string, false);
        return;
      case T.OBJECT_PATH:
        if (typeof v !== "string" || !isObjectPath(v)) fail(`expected an object path, got ${describe(v)}`);
        this.str(v, false);
        return;
      case T.SIGNATURE:
        if (typeof v !== "string") fail(`expected a signature string, got ${describe(v)}`);
        parseSignatureForValue(v);
        this.str(v, true);
        return;
      case T.VARIANT:
        this.variant(v, depth);
        return;
      case T.ARRAY:
        this.array(t, v, depth);
        return;
      case T.STRUCT: {
        if (depth >= MAX_TOTAL_NESTING) fail(`values nest deeper than ${MAX_TOTAL_NESTING} containers`);
        const fields = t.fields!;
        if (!Array.isArray(v) || v.length !== fields.length) fail(`expected a struct ${t.text} as an array of ${fields.length} fields, got ${describe(v)}`);
        this.pad(8);
        for (let i = 0; i < fields.length; i++) this.value(fields[i]!, v[i], depth + 1);
        return;
      }
      default:
        fail(`cannot encode a value of type ${t.text}`);
    }
  }

  private variant(v: unknown, depth: number): void {
    if (!(v instanceof Variant)) fail(`expected a Variant, got ${describe(v)}`);
    if (depth >= MAX_TOTAL_NESTING) fail(`values nest deeper than ${MAX_TOTAL_NESTING} containers`);
    let inner: SigType;
    try {
      inner = parseSingleType(v.signature);
    } catch (cause) {
      throw new IPCError("SerializationError", `a Variant's signature is invalid: ${(cause as Error).message}`, { cause });
    }
    this.str(inner.text, true);
    this.value(inner, v.value, depth + 1);
  }

  private array(t: SigType, v: unknown, depth: number): void {
    if (depth >= MAX_TOTAL_NESTING) fail(`values nest deeper than ${MAX_TOTAL_NESTING} containers`);
    const elem = t.elem!;
    this.pad(4);
    const lenAt = this.pos;
    this.ensure(4);
    this.pos += 4;
    this.pad(elem.align);
    const start = this.pos;
    if (elem.code === T.BYTE && v instanceof Uint8Array) {
      this.ensure(v.length);
      this.buf.set(v, this.pos);
      this.pos += v.length;
    } else if (t.isDict) {
      if (!(v instanceof Map)) fail(`expected a Map for ${t.text}, got ${describe(v)}`);
      const [kt, vt] = elem.fields!;
      for (const [key, val] of v) {
        this.pad(8);
        this.value(kt!, key, depth + 2);
        this.value(vt!, val, depth + 2);
      }
    } else {
      if (!Array.isArray(v)) fail(`expected an array for ${t.text}, got ${describe(v)}`);
      for (let i = 0; i < v.length; i++) this.value(elem, v[i], depth + 1);
    }
    const len = this.pos - start;
    if (len > MAX_ARRAY_BYTES) fail(`an array of ${len} bytes exceeds the D-Bus maximum of ${MAX_ARRAY_BYTES}`, { limit: MAX_ARRAY_BYTES });
    this.view.setUint32(lenAt, len, true);
  }
}

/** A `g` value holds any number of complete types ("" included); an invalid one is a SerializationError. */
function parseSignatureForValue(text: string): void {
  try {
    parseSignature(text);
  } catch (cause) {
    throw new IPCError("SerializationError", `invalid signature value: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Encodes `values` (one per complete type of `signature`) as a message body
 * starting at an 8-aligned offset. Returns a fresh copy of the bytes and the
 * descriptors the `h` values referred to.
 */
export function encodeBody(signature: string, values: readonly unknown[], writer = new WireWriter(256)): { bytes: Uint8Array; fds: number[] } {
  writer.reset();
  writeBody(writer, signature, values);
  return { bytes: new Uint8Array(writer.buf.subarray(0, writer.pos)), fds: writer.fds };
}

/** Writes a body's values at the writer's position (which must be 8-aligned relative to its base). */
export function writeBody(writer: WireWriter, signature: string, values: readonly unknown[]): void {
  let types: readonly SigType[];
  try {
    types = parseSignature(signature).types;
  } catch (cause) {
    throw new IPCError("SerializationError", (cause as Error).message, { cause, context: { signature } });
  }
  if (!Array.isArray(values) || values.length !== types.length) {
    fail(`signature ${JSON.stringify(signature)} needs ${types.length} values, got ${Array.isArray(values) ? values.length : describe(values)}`, { signature });
  }
  for (let i = 0; i < types.length; i++) writer.value(types[i]!, values[i], 0);
}
