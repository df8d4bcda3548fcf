/**
 * The D-Bus unmarshaller: reads values of either byte order ('l' or 'B') from
 * a byte range with a DataView and direct byte access. It is as strict as
 * GLib: non-zero padding, a boolean other than 0/1, a string without its NUL
 * or with invalid UTF-8, an array whose elements overrun its length, or an
 * invalid object path or signature are all errors. Every failure is an
 * IPCError: TruncatedMessage when bytes run out, DeserializationError for
 * anything malformed.
 */
import { IPCError } from "../../errors.js";
import { MAX_TOTAL_NESTING, T, parseSignature, parseSingleType, type SigType } from "./signature.js";
import { Variant } from "./variant.js";
import { validName } from "./names.js";
import { MAX_ARRAY_BYTES } from "./encoder.js";

// ignoreBOM: a leading U+FEFF is part of the string, not a byte-order mark to drop.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** Node's Buffer#latin1Slice, which accepts any Uint8Array: the fastest way to a string from ASCII bytes. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/**
 * A reader over `bytes[base, end)`; alignment is relative to `base` (the
 * message start). One reader can be re-aimed at the next message of the same
 * buffer with {@link WireReader.at}, saving a DataView per message.
 */
export class WireReader {
  view: DataView;
  pos: number;
  /** The descriptors received with the message: `h` indexes into them. */
  fds: readonly number[] = [];

  constructor(
    readonly bytes: Uint8Array,
    public base: number,
    public end: number,
    public le: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = base;
  }

  /** Re-aims the reader at `bytes[base, end)` of the same buffer. */
  at(base: number, end: number, le: boolean): this {
    this.base = base;
    this.pos = base;
    this.end = end;
    this.le = le;
    this.fds = [];
    return this;
  }

  fail(message: string): never {
    throw new IPCError("DeserializationError", message, { context: { offset: this.pos - this.base } });
  }

  need(n: number): void {
    if (this.pos + n > this.end) {
      throw new IPCError("TruncatedMessage", `the D-Bus data ends early: ${n} more bytes needed at offset ${this.pos - this.base}`, {
        context: { offset: this.pos - this.base, needed: n },
      });
    }
  }

  /** Skips padding to a multiple of `a`; the padding must be zero bytes. */
  align(a: number): void {
    const rem = (this.pos - this.base) & (a - 1);
    if (rem === 0) return;
    const n = a - rem;
    this.need(n);
    const b = this.bytes;
    for (let i = 0; i < n; i++) if (b[this.pos + i] !== 0) this.fail("non-zero padding byte");
    this.pos += n;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    this.align(4);
    this.need(4);
    const v = this.view.getUint32(this.pos, this.le);
    this.pos += 4;
    return v;
  }

  /** Reads `len` bytes of UTF-8 and the NUL after them (a string's, object path's or signature's text). */
  text(len: number): string {
    this.need(len + 1);
    const b = this.bytes;
    const start = this.pos;
    const stop = start + len;
    if (b[stop] !== 0) this.fail("a string is not NUL-terminated");
    let ascii = true;
    for (let i = start; i < stop; i++) {
      const c = b[i]!;
      if (c >= 0x80 || c === 0) {
        ascii = false;
        break;
      }
    }
    let s: string;
    if (ascii) {
      // Short ASCII: one char at a time; longer: Node's latin1 slice (a flat string, which hashes fast).
      if (len < 8) {
        s = "";
        for (let i = start; i < stop; i++) s += String.fromCharCode(b[i]!);
      } else s = latin1Slice.call(b, start, stop);
    } else {
      if (b.indexOf(0, start) < stop) this.fail("a string contains a NUL byte");
      try {
        s = utf8.decode(b.subarray(start, stop));
      } catch {
        this.fail("a string is not valid UTF-8");
      }
    }
    this.pos = stop + 1;
    return s;
  }

  string(): string {
    const len = this.u32();
    return this.text(len);
  }

  signature(): string {
    const len = this.u8();
    return this.text(len);
  }

  /** Reads one value of type `t`; `depth` counts enclosing containers (variants included). */
  value(t: SigType, depth: number): unknown {
    switch (t.code) {
      case T.BYTE:
        return this.u8();
      case T.BOOLEAN: {
        const v = this.u32();
        if (v > 1) this.fail(`a boolean holds ${v}, not 0 or 1`);
        return v === 1;
      }
      case T.INT16:
      case T.UINT16: {
        this.align(2);
        this.need(2);
        const v = t.code === T.INT16 ? this.view.getInt16(this.pos, this.le) : this.view.getUint16(this.pos, this.le);
        this.pos += 2;
        return v;
      }
      case T.INT32: {
        this.align(4);
        this.need(4);
        const v = this.view.getInt32(this.pos, this.le);
        this.pos += 4;
        return v;
      }
      case T.UINT32:
        return this.u32();
      case T.UNIX_FD: {
        const index = this.u32();
        if (index >= this.fds.length) this.fail(`a file descriptor index ${index} is out of range (the message carries ${this.fds.length})`);
        return this.fds[index];
      }
      case T.INT64:
      case T.UINT64: {
        this.align(8);
        this.need(8);
        const v = t.code === T.INT64 ? this.view.getBigInt64(this.pos, this.le) : this.view.getBigUint64(this.pos, this.le);
        this.pos += 8;
        return v;
      }
      case T.DOUBLE: {
        this.align(8);
        this.need(8);
        const v = this.view.getFloat64(this.pos, this.le);
        this.pos += 8;
        return v;
      }
      case T.STRING:
        return this.string();
      case T.OBJECT_PATH:
        return validName("path", this.string(), "DeserializationError");
      case T.SIGNATURE: {
        const s = this.signature();
        parseSignature(s, "DeserializationError");
        return s;
      }
      case T.VARIANT: {
        if (depth >= MAX_TOTAL_NESTING) this.fail(`values nest deeper than ${MAX_TOTAL_NESTING} containers`);
        const inner = parseSingleType(this.signature(), "DeserializationError");
        return new Variant(inner.text, this.value(inner, depth + 1));
      }
      case T.ARRAY:
        return this.array(t, depth);
      case T.STRUCT: {
        if (depth >= MAX_TOTAL_NESTING) this.fail(`values nest deeper than ${MAX_TOTAL_NESTING} containers`);
        this.align(8);
        const fields = t.fields!;
        const out = new Array<unknown>(fields.length);
        for (let i = 0; i < fields.length; i++) out[i] = this.value(fields[i]!, depth + 1);
        return out;
      }
      default:
        this.fail(`cannot decode a value of type ${t.text}`);
    }
  }

  private array(t: SigType, depth: number): unknown {
    if (depth >= MAX_TOTAL_NESTING) this.fail(`values nest deeper than ${MAX_TOTAL_NESTING} containers`);
    const len = this.u32();
    if (len > MAX_ARRAY_BYTES) this.fail(`an array of ${len} bytes exceeds the D-Bus maximum of ${MAX_ARRAY_BYTES}`);
    const elem = t.elem!;
    this.align(elem.align);
    this.need(len);
    const stop = this.pos + len;
    if (elem.code === T.BYTE) {
      const out = new Uint8Array(this.bytes.subarray(this.pos, stop));
      this.pos = stop;
      return out;
    }
    // Elements must end exactly at `stop`: read them against a lowered end.
    const outerEnd = this.end;
    this.end = stop;
    try {
      if (t.isDict) {
        const [kt, vt] = elem.fields!;
        const map = new Map<unknown, unknown>();
        while (this.pos < stop) {
          this.align(8);
          const k = this.value(kt!, depth + 2);
          map.set(k, this.value(vt!, depth + 2));
        }
        return map;
      }
      const out: unknown[] = [];
      while (this.pos < stop) out.push(this.value(elem, depth + 1));
      return out;
    } catch (e) {
      if (e instanceof IPCError && e.code === "TruncatedMessage") {
        throw new IPCError("DeserializationError", `an element of ${t.text} overruns the array's length`, { cause: e, context: { offset: this.pos - this.base } });
      }
      throw e;
    } finally {
      this.end = outerEnd;
    }
  }
}

/**
 * Decodes a message body: one value per complete type of `signature`, from
 * `bytes` (the body alone, which starts 8-aligned), in byte order `le`, with
 * `h` values mapped through `fds`. Trailing bytes after the last value are an
 * error, as in GLib.
 */
export function decodeBody(signature: string, bytes: Uint8Array, le = true, fds: readonly number[] = []): unknown[] {
  const r = new WireReader(bytes, 0, bytes.length, le);
  r.fds = fds;
  return readBody(r, signature, bytes.length);
}

/** Reads a body of `signature` from the reader's position up to exactly `end`. */
export function readBody(r: WireReader, signature: string, end: number): unknown[] {
  const types = parseSignature(signature, "DeserializationError").types;
  const out = new Array<unknown>(types.length);
  for (let i = 0; i < types.length; i++) out[i] = r.value(types[i]!, 0);
  if (r.pos !== end) r.fail(`${end - r.pos} bytes after the body's last value`);
  return out;
}
