/**
 * The Wayland wire codec (https://wayland.freedesktop.org/docs/html/ch04.html,
 * libwayland connection.c): a message is a header of two 32-bit words in host
 * byte order (little-endian here), the object id and `size << 16 | opcode`,
 * where size counts the header and is a multiple of 4; then the arguments,
 * each 32-bit aligned. Strings and arrays are a uint32 byte length followed
 * by the bytes padded to 4 (a string's length counts its NUL; length 0 is a
 * null string). File descriptors take no bytes: they travel as SCM_RIGHTS
 * beside the bytes and are matched to `fd` arguments in order.
 *
 * Encoding appends to a reusable {@link WireWriter}; decoding reads a Buffer
 * with a DataView. Every malformed input is an IPCError ProtocolError with
 * context `{ objectId, opcode, interface, reason }`; a value the caller passes
 * that the wire cannot carry is an InvalidArgument.
 */
import { closeFds, closeQuietly } from "../transport/descriptors.js";
import { IPCError } from "../errors.js";
import type { WlArg, WlMessage } from "./descriptor.js";

/** Header bytes. */
export const WL_HEADER_SIZE = 8;
/** libwayland's limit on one message (WL_MAX_MESSAGE_SIZE), the default of both directions. */
export const WL_DEFAULT_MAX_MESSAGE_SIZE = 4096;
/** The largest size the 16-bit size field can hold, rounded down to a multiple of 4. */
export const WL_MAX_WIRE_MESSAGE_SIZE = 0xfffc;

/** The untyped `new_id` of `wl_registry.bind`: the interface is named on the wire. */
export interface WlUntypedNewId {
  interface: string;
  version: number;
  id: number;
}

/** Where a message comes from, for error context. */
export interface WlMessageSite {
  objectId: number;
  opcode: number;
  interface: string;
}

/** A ProtocolError about a received message. */
export function protocolError(site: WlMessageSite, reason: string, extra?: Record<string, unknown>): IPCError {
  return new IPCError("ProtocolError", `${site.interface}#${site.objectId} opcode ${site.opcode}: ${reason}`, {
    context: { objectId: site.objectId, opcode: site.opcode, interface: site.interface, reason, ...extra },
  });
}


/** Closes the descriptors among a decoded message's arguments (a message nobody takes: no listener, no handler, a zombie). */
export function closeFdArgs(msg: WlMessage, args: readonly unknown[]): void {
  for (let i = 0; i < msg.args.length; i++) if (msg.args[i]!.type === "fd") closeQuietly(args[i] as number);
}

/** Received descriptors not yet taken by a message, oldest first. */
export class FdQueue {
  #fds: number[] = [];
  #head = 0;

  /** Descriptors waiting. */
  get length(): number {
    return this.#fds.length - this.#head;
  }

  /** Appends `fds[start, end)`: the descriptors received with one recvmsg (recvFdsInto's `fdsOut` is read from 1). */
  push(fds: ArrayLike<number>, start = 0, end = fds.length): void {
    if (this.#head > 0 && this.#head === this.#fds.length) {
      this.#fds.length = 0;
      this.#head = 0;
    }
    for (let i = start; i < end; i++) this.#fds.push(fds[i]!);
  }

  /** The oldest descriptor, or -1 when none is waiting. */
  take(): number {
    return this.#head < this.#fds.length ? this.#fds[this.#head++]! : -1;
  }

  /** Closes every waiting descriptor. */
  closeAll(): void {
    closeFds(this.#fds.slice(this.#head));
    this.#fds = [];
    this.#head = 0;
  }
}

/** A growable output buffer messages are encoded into; the connection sends from it. */
export class WireWriter {
  buf: Buffer;
  view: DataView;
  /** Bytes written. */
  length = 0;
  /** Descriptors of the `fd` arguments encoded since the last {@link takeFds}, in order. */
  fds: number[] = [];

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Drops the first `n` bytes (sent), moving the rest to the front. */
  consume(n: number): void {
    if (n >= this.length) {
      this.length = 0;
      return;
    }
    this.buf.copy(this.buf, 0, n, this.length);
    this.length -= n;
  }
}

function badValue(msg: WlMessage, arg: WlArg, why: string, value: unknown): IPCError {
  return new IPCError("InvalidArgument", `${msg.name}: argument ${arg.name} (${arg.type}) ${why}`, {
    context: { message: msg.name, arg: arg.name, type: arg.type, value: typeof value === "object" ? String(value) : value },
  });
}

/** The id of an object argument: a number, anything with a numeric `id` (a WlObject), or null/undefined as 0. */
function objectId(msg: WlMessage, arg: WlArg, v: unknown): number {
  const id = v === null || v === undefined ? 0 : typeof v === "number" ? v : (v as { id?: unknown }).id;
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > 0xffffffff) throw badValue(msg, arg, "must be an object, an id or null", v);
  if (id === 0 && !arg.nullable) throw badValue(msg, arg, "is not nullable", v);
  return id;
}

function putString(w: WireWriter, msg: WlMessage, arg: WlArg, v: unknown): void {
  if (v === null || v === undefined) {
    if (!arg.nullable) throw badValue(msg, arg, "is not nullable", v);
    w.ensure(4);
    w.view.setUint32(w.length, 0, true);
    w.length += 4;
    return;
  }
  if (typeof v !== "string") throw badValue(msg, arg, "must be a string", v);
  if (v.includes("\0")) throw badValue(msg, arg, "must not contain NUL", v);
  const bytes = Buffer.byteLength(v, "utf8");
  const padded = (bytes + 4) & ~3;
  w.ensure(4 + padded);
  w.view.setUint32(w.length, bytes + 1, true);
  w.buf.write(v, w.length + 4, bytes, "utf8");
  w.buf.fill(0, w.length + 4 + bytes, w.length + 4 + padded);
  w.length += 4 + padded;
}

function putArray(w: WireWriter, msg: WlMessage, arg: WlArg, v: unknown): void {
  if (!(v instanceof Uint8Array)) throw badValue(msg, arg, "must be a Uint8Array", v);
  const padded = (v.length + 3) & ~3;
  w.ensure(4 + padded);
  w.view.setUint32(w.length, v.length, true);
  w.buf.set(v, w.length + 4);
  w.buf.fill(0, w.length + 4 + v.length, w.length + 4 + padded);
  w.length += 4 + padded;
}

function putWord(w: WireWriter, value: number, signed: boolean): void {
  w.ensure(4);
  if (signed) w.view.setInt32(w.length, value, true);
  else w.view.setUint32(w.length, value, true);
  w.length += 4;
}

function encodeArg(w: WireWriter, msg: WlMessage, arg: WlArg, v: unknown): void {
  switch (arg.type) {
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw badValue(msg, arg, "must be an integer in -2^31..2^31-1", v);
      return putWord(w, v, true);
    case "uint":
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw badValue(msg, arg, "must be an integer in 0..2^32-1", v);
      return putWord(w, v, false);
    case "fixed": {
      const f = typeof v === "number" ? Math.round(v * 256) : NaN;
      if (!(f >= -0x80000000 && f <= 0x7fffffff)) throw badValue(msg, arg, "must be a number in -2^23..2^23", v);
      return putWord(w, f, true);
    }
    case "string":
      return putString(w, msg, arg, v);
    case "object":
      return putWord(w, objectId(msg, arg, v), false);
    case "new_id":
      if (arg.interface === undefined) {
        const u = v as Partial<WlUntypedNewId> | null;
        if (u === null || typeof u !== "object" || typeof u.interface !== "string" || typeof u.version !== "number") {
          throw badValue(msg, arg, "(untyped) must be {interface, version, id}", v);
        }
        putString(w, msg, { name: arg.name, type: "string" }, u.interface);
        encodeArg(w, msg, { name: arg.name, type: "uint" }, u.version);
        return putWord(w, objectId(msg, arg, u.id), false);
      }
      return putWord(w, objectId(msg, arg, v), false);
    case "array":
      return putArray(w, msg, arg, v);
    case "fd":
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw badValue(msg, arg, "must be a file descriptor", v);
      w.fds.push(v);
      return;
  }
}

/**
 * Appends one message to `w` (descriptors of `fd` arguments to `w.fds`).
 * On any error nothing is appended. A message over `maxSize` bytes is
 * MessageTooLarge.
 */
export function encodeMessage(w: WireWriter, objectId: number, opcode: number, msg: WlMessage, args: readonly unknown[], maxSize = WL_DEFAULT_MAX_MESSAGE_SIZE): void {
  if (args.length !== msg.args.length) {
    throw new IPCError("InvalidArgument", `${msg.name}: ${msg.args.length} arguments expected, got ${args.length}`, { context: { message: msg.name } });
  }
  const start = w.length;
  const fdStart = w.fds.length;
  try {
    w.ensure(WL_HEADER_SIZE);
    w.length += WL_HEADER_SIZE;
    for (let i = 0; i < args.length; i++) encodeArg(w, msg, msg.args[i]!, args[i]);
    const size = w.length - start;
    if (size > maxSize) {
      throw new IPCError("MessageTooLarge", `${msg.name}: ${size} bytes, over the limit of ${maxSize}`, { context: { message: msg.name, size, maxSize } });
    }
    w.view.setUint32(start, objectId, true);
    w.view.setUint32(start + 4, ((size << 16) | opcode) >>> 0, true);
  } catch (e) {
    w.length = start;
    w.fds.length = fdStart;
    throw e;
  }
}

/**
 * The size of the message whose header starts at `offset`, after checking
 * it (a multiple of 4, at least 8, at most `maxSize`: else ProtocolError,
 * naming `iface`, the addressed object's interface when known). The caller
 * has at least 8 bytes there.
 */
export function messageSize(view: DataView, offset: number, maxSize: number, iface = "?"): number {
  const word = view.getUint32(offset + 4, true);
  const size = word >>> 16;
  if (size < WL_HEADER_SIZE || (size & 3) !== 0 || size > maxSize) {
    const site = { objectId: view.getUint32(offset, true), opcode: word & 0xffff, interface: iface };
    throw protocolError(site, `bad message size ${size}`, { size, maxSize });
  }
  return size;
}

/**
 * Decodes the arguments of the message occupying `[offset, offset + size)`
 * of `buf` (header included), taking descriptors from `fds`. Objects and
 * new ids come back as ids (the untyped new_id as {@link WlUntypedNewId}; a
 * nullable new_id of 0 as null);
 * arrays are copies. ProtocolError for anything malformed, after closing the
 * descriptors this message took.
 */
export function decodeMessage(buf: Buffer, view: DataView, offset: number, size: number, msg: WlMessage, fds: FdQueue, site: WlMessageSite): unknown[] {
  const out = new Array<unknown>(msg.args.length);
  const end = offset + size;
  let p = offset + WL_HEADER_SIZE;
  let taken: number[] | undefined;
  const word = (arg: WlArg): number => {
    if (p + 4 > end) throw protocolError(site, `message too short for argument ${arg.name} (${msg.name})`);
    const v = view.getUint32(p, true);
    p += 4;
    return v;
  };
  const string = (arg: WlArg): string | null => {
    const length = word(arg);
    if (length === 0) {
      if (!arg.nullable) throw protocolError(site, `null string for non-nullable argument ${arg.name} (${msg.name})`);
      return null;
    }
    const padded = (length + 3) & ~3;
    if (padded > end - p || length > end - p) throw protocolError(site, `string argument ${arg.name} (${msg.name}) runs past the message end`, { length });
    if (buf[p + length - 1] !== 0) throw protocolError(site, `string argument ${arg.name} (${msg.name}) is not NUL-terminated`);
    const s = buf.toString("utf8", p, p + length - 1);
    p += padded;
    return s;
  };
  try {
    for (let i = 0; i < msg.args.length; i++) {
      const arg = msg.args[i]!;
      switch (arg.type) {
        case "int":
        case "fixed": {
          const v = word(arg) | 0;
          out[i] = arg.type === "int" ? v : v / 256;
          break;
        }
        case "uint":
          out[i] = word(arg);
          break;
        case "string":
          out[i] = string(arg);
          break;
        case "object": {
          const id = word(arg);
          if (id === 0 && !arg.nullable) throw protocolError(site, `null object for non-nullable argument ${arg.name} (${msg.name})`);
          out[i] = id;
          break;
        }
        case "new_id": {
          let iface: string | undefined;
          let version = 0;
          if (arg.interface === undefined) {
            const name = string({ name: arg.name, type: "string" });
            iface = name!;
            version = word(arg);
          }
          const id = word(arg);
          if (id === 0) {
            if (!arg.nullable) throw protocolError(site, `null new_id for non-nullable argument ${arg.name} (${msg.name})`);
            out[i] = null;
          } else {
            out[i] = iface === undefined ? id : { interface: iface, version, id };
          }
          break;
        }
        case "array": {
          const length = word(arg);
          if (length > end - p) throw protocolError(site, `array argument ${arg.name} (${msg.name}) runs past the message end`, { length });
          const copy = new Uint8Array(length);
          copy.set(buf.subarray(p, p + length));
          p += (length + 3) & ~3;
          if (p > end) throw protocolError(site, `array argument ${arg.name} (${msg.name}) padding runs past the message end`, { length });
          out[i] = copy;
          break;
        }
        case "fd": {
          const fd = fds.take();
          if (fd < 0) throw protocolError(site, `file descriptor expected for argument ${arg.name} (${msg.name})`);
          (taken ??= []).push(fd);
          out[i] = fd;
          break;
        }
      }
    }
    if (p !== end) throw protocolError(site, `${end - p} bytes after the last argument (${msg.name})`);
  } catch (e) {
    if (taken) closeFds(taken);
    throw e;
  }
  return out;
}
