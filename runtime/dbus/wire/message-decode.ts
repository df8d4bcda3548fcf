/**
 * Decoding of complete D-Bus messages of either byte order: the fixed header,
 * the header fields (types checked, names validated, required fields present,
 * as GLib does) and the body.
 */
import { IPCError } from "../../errors.js";
import { MAX_MESSAGE_BYTES } from "./encoder.js";
import { WireReader, readBody } from "./decoder.js";
import { validName } from "./names.js";
import { parseSingleType } from "./signature.js";
import { FIXED_HEADER_BYTES, Field, MESSAGE_TYPES, type DbusMessage } from "./message.js";

function corrupt(message: string, context: Record<string, unknown> = {}): never {
  throw new IPCError("MessageCorrupted", message, { context });
}

/**
 * The total length of the message starting at `bytes[start]`, read from its
 * first 16 bytes, or -1 while fewer than 16 are there. Throws
 * MessageCorrupted for a bad byte-order mark or protocol version, and
 * MessageTooLarge above 128 MiB: after either the stream cannot be framed.
 */
export function messageLength(bytes: Uint8Array, view: DataView, start: number, end: number): number {
  if (end - start < FIXED_HEADER_BYTES) return -1;
  const endian = bytes[start];
  if (endian !== 108 && endian !== 66) corrupt(`bad D-Bus byte-order mark 0x${endian!.toString(16)}`, { offset: start });
  if (bytes[start + 3] !== 1) corrupt(`unsupported D-Bus protocol version ${bytes[start + 3]}`);
  const le = endian === 108;
  const bodyLen = view.getUint32(start + 4, le);
  const fieldsLen = view.getUint32(start + 12, le);
  const total = FIXED_HEADER_BYTES + fieldsLen + ((8 - (fieldsLen & 7)) & 7) + bodyLen;
  if (total > MAX_MESSAGE_BYTES) {
    throw new IPCError("MessageTooLarge", `a D-Bus message of ${total} bytes is over the maximum of ${MAX_MESSAGE_BYTES}`, {
      context: { limit: MAX_MESSAGE_BYTES, length: total },
    });
  }
  return total;
}

const OBJECT_PATH = parseSingleType("o");
const SIGNATURE = parseSingleType("g");

/** The type code each known header field must have. */
const FIELD_TYPES = [0, 111, 115, 115, 115, 117, 115, 115, 103, 117];

/**
 * Decodes the complete message `bytes[start, start + total)` (total from
 * {@link messageLength}). Its descriptors are the first UNIX_FDS entries of
 * `fdQueue`, which are removed from it. Returns undefined for a message of an
 * unknown type, which the specification says to ignore. Throws IPCError
 * (DeserializationError, MessageCorrupted, TruncatedMessage) otherwise.
 * `reader`, when it reads `bytes`, is reused instead of a new one.
 */
export function readMessage(bytes: Uint8Array, start: number, total: number, fdQueue: number[], reader?: WireReader): DbusMessage | undefined {
  const r = reader?.bytes === bytes ? reader.at(start, start + total, bytes[start] === 108) : new WireReader(bytes, start, start + total, bytes[start] === 108);
  try {
    return readFramed(r, start, total, fdQueue);
  } catch (e) {
    // The message is complete, so running out of bytes inside it means a length inside it lies.
    if (e instanceof IPCError && e.code === "TruncatedMessage") throw new IPCError("DeserializationError", e.message, { cause: e, context: e.context });
    throw e;
  }
}

function readFramed(r: WireReader, start: number, total: number, fdQueue: number[]): DbusMessage | undefined {
  const bytes = r.bytes;
  const view = r.view;
  const le = r.le;
  const typeByte = bytes[start + 1]!;
  const flags = bytes[start + 2]!;
  const bodyLen = view.getUint32(start + 4, le);
  const serial = view.getUint32(start + 8, le);
  if (serial === 0) corrupt("a D-Bus message has serial 0");
  r.pos = start + 12;
  const fieldsLen = r.u32();
  const fieldsEnd = r.pos + fieldsLen;
  r.end = fieldsEnd;
  let path: string | undefined;
  let iface: string | undefined;
  let member: string | undefined;
  let errorName: string | undefined;
  let replySerial: number | undefined;
  let destination: string | undefined;
  let sender: string | undefined;
  let signature = "";
  let nfds = 0;
  while (r.pos < fieldsEnd) {
    r.align(8);
    const code = r.u8();
    const sig = r.signature();
    if (code >= 1 && code <= 9) {
      if (sig.length !== 1 || sig.charCodeAt(0) !== FIELD_TYPES[code]) r.fail(`header field ${code} has type ${JSON.stringify(sig)}`);
      switch (code) {
        case Field.PATH:
          path = r.value(OBJECT_PATH, 1) as string;
          break;
        case Field.INTERFACE:
          iface = validName("interface", r.string(), "DeserializationError");
          break;
        case Field.MEMBER:
          member = validName("member", r.string(), "DeserializationError");
          break;
        case Field.ERROR_NAME:
          errorName = validName("errorName", r.string(), "DeserializationError");
          break;
        case Field.REPLY_SERIAL:
          replySerial = r.u32();
          if (replySerial === 0) r.fail("REPLY_SERIAL is 0");
          break;
        case Field.DESTINATION:
          destination = validName("busName", r.string(), "DeserializationError");
          break;
        case Field.SENDER:
          sender = validName("busName", r.string(), "DeserializationError");
          break;
        case Field.SIGNATURE:
          signature = r.value(SIGNATURE, 1) as string;
          break;
        default:
          nfds = r.u32();
      }
    } else {
      if (code === 0) r.fail("header field code 0 is invalid");
      r.value(parseSingleType(sig, "DeserializationError"), 1);
    }
  }
  r.end = start + total;
  r.align(8);
  const type = MESSAGE_TYPES[typeByte];
  if (type === undefined) {
    if (typeByte === 0) r.fail("message type 0 is invalid");
    fdQueue.splice(0, nfds);
    return undefined;
  }
  const missing =
    type === "method_call"
      ? path === undefined
        ? "PATH"
        : member === undefined
          ? "MEMBER"
          : undefined
      : type === "signal"
        ? path === undefined
          ? "PATH"
          : iface === undefined
            ? "INTERFACE"
            : member === undefined
              ? "MEMBER"
              : undefined
        : replySerial === undefined
          ? "REPLY_SERIAL"
          : type === "error" && errorName === undefined
            ? "ERROR_NAME"
            : undefined;
  if (missing !== undefined) r.fail(`a ${type} lacks the ${missing} header field`);
  if (nfds > fdQueue.length) corrupt(`the message declares ${nfds} descriptors but ${fdQueue.length} arrived`);
  const fds = nfds === 0 ? [] : fdQueue.splice(0, nfds);
  if (bodyLen > 0 && signature === "") r.fail(`a body of ${bodyLen} bytes without a SIGNATURE header field`);
  r.fds = fds;
  const body = signature === "" ? [] : readBody(r, signature, start + total);
  const msg: DbusMessage = { type, flags, serial, signature, body, fds };
  if (path !== undefined) msg.path = path;
  if (iface !== undefined) msg.interface = iface;
  if (member !== undefined) msg.member = member;
  if (errorName !== undefined) msg.errorName = errorName;
  if (replySerial !== undefined) msg.replySerial = replySerial;
  if (destination !== undefined) msg.destination = destination;
  if (sender !== undefined) msg.sender = sender;
  return msg;
}

/**
 * Decodes one complete message held alone in `bytes` (with the descriptors
 * received with it). Throws TruncatedMessage when `bytes` is shorter than the
 * message, DeserializationError when longer or malformed.
 */
export function decodeMessage(bytes: Uint8Array, fds: readonly number[] = []): DbusMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = messageLength(bytes, view, 0, bytes.length);
  if (total < 0 || total > bytes.length) {
    throw new IPCError("TruncatedMessage", `the D-Bus message needs ${total < 0 ? FIXED_HEADER_BYTES : total} bytes, got ${bytes.length}`, { context: { length: bytes.length } });
  }
  if (total < bytes.length) throw new IPCError("DeserializationError", `${bytes.length - total} bytes after the D-Bus message`);
  const msg = readMessage(bytes, 0, total, fds.slice());
  if (msg === undefined) throw new IPCError("DeserializationError", `unknown D-Bus message type ${bytes[1]}`);
  return msg;
}
