/**
 * D-Bus messages: the fixed header, the header fields and the body
 * (D-Bus specification, "Message Format"). Encoding always writes 'l'
 * (little-endian); decoding reads 'l' and 'B'.
 */
import { IPCError } from "../../errors.js";
import { MAX_MESSAGE_BYTES, WireWriter, writeBody } from "./encoder.js";
import { validName } from "./names.js";
import { parseSignature } from "./signature.js";

/** What kind of message: the header's type byte 1..4. */
export type DbusMessageType = "method_call" | "method_return" | "error" | "signal";

/** Header flag bits. */
export const MessageFlags = {
  NO_REPLY_EXPECTED: 1,
  NO_AUTO_START: 2,
  ALLOW_INTERACTIVE_AUTHORIZATION: 4,
} as const;

/** One D-Bus message, as encoded and decoded by this module (see runtime/dbus/README.md). */
export interface DbusMessage {
  type: DbusMessageType;
  /** NO_REPLY_EXPECTED=1, NO_AUTO_START=2, ALLOW_INTERACTIVE_AUTHORIZATION=4. */
  flags: number;
  /** 1..2^32-1, chosen by the sender. */
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  /** The body's signature; "" when there is no body. */
  signature: string;
  /** One JS value per complete type of `signature`. */
  body: unknown[];
  /** The descriptors sent or received with the message; `h` values are these numbers. */
  fds: number[];
}

const TYPE_CODES: Record<DbusMessageType, number> = { method_call: 1, method_return: 2, error: 3, signal: 4 };
/** The message type for each header type byte (index 1..4). */
export const MESSAGE_TYPES: readonly (DbusMessageType | undefined)[] = [undefined, "method_call", "method_return", "error", "signal"];

/** Header field codes (D-Bus specification, "Header Fields"). */
export const enum Field {
  PATH = 1,
  INTERFACE = 2,
  MEMBER = 3,
  ERROR_NAME = 4,
  REPLY_SERIAL = 5,
  DESTINATION = 6,
  SENDER = 7,
  SIGNATURE = 8,
  UNIX_FDS = 9,
}

/** The size of the fixed part of the header, before the header fields' array. */
export const FIXED_HEADER_BYTES = 16;

const body = new WireWriter(1024);

function name(kind: "path" | "interface" | "member" | "errorName" | "busName", value: string): string {
  return validName(kind, value, "SerializationError");
}

function stringField(w: WireWriter, code: number, typeChar: number, value: string): void {
  w.pad(8);
  w.ensure(4);
  const b = w.buf;
  b[w.pos] = code;
  b[w.pos + 1] = 1;
  b[w.pos + 2] = typeChar;
  b[w.pos + 3] = 0;
  w.pos += 4;
  w.str(value, typeChar === 103);
}

function u32Field(w: WireWriter, code: number, value: number): void {
  w.pad(8);
  w.ensure(4);
  const b = w.buf;
  b[w.pos] = code;
  b[w.pos + 1] = 1;
  b[w.pos + 2] = 117; // 'u'
  b[w.pos + 3] = 0;
  w.pos += 4;
  w.u32(value);
}

function serialOk(v: unknown): v is number {
  return typeof v === "number" && v >>> 0 === v && v !== 0;
}

/**
 * Writes `msg` at the writer's position (its `base` becomes that position)
 * and returns the descriptors to send with it: `msg.fds` followed by any new
 * ones the body's `h` values named. Throws IPCError SerializationError (a bad
 * value or name, a missing required field) or MessageTooLarge; on a throw
 * the writer's position is back where it was.
 */
export function writeMessage(w: WireWriter, msg: DbusMessage): number[] {
  const start = w.pos;
  const savedBase = w.base;
  try {
    return writeMessageUnchecked(w, msg, start);
  } catch (e) {
    w.pos = start;
    w.base = savedBase;
    if (e instanceof IPCError) throw e;
    throw new IPCError("SerializationError", `cannot encode the D-Bus message: ${String(e)}`, { cause: e });
  }
}

function writeMessageUnchecked(w: WireWriter, msg: DbusMessage, start: number): number[] {
  const typeCode = TYPE_CODES[msg.type];
  if (typeCode === undefined) throw new IPCError("SerializationError", `unknown D-Bus message type ${JSON.stringify(msg.type)}`);
  if (!serialOk(msg.serial)) throw new IPCError("SerializationError", `a D-Bus serial must be an integer in 1..2^32-1, got ${String(msg.serial)}`);
  const signature = msg.signature ?? "";
  const sig = parseSignature(signature, "SerializationError");
  const baseFds = msg.fds ?? [];
  let fds = baseFds;
  // A body with `h` values may add descriptors, and UNIX_FDS precedes the body:
  // encode such a body first, aside. Any other body goes straight after the header.
  let aside: Buffer | undefined;
  if (sig.mayHaveFds) {
    body.reset();
    body.fds = baseFds.slice();
    writeBody(body, signature, msg.body ?? []);
    fds = body.fds;
    aside = body.buf.subarray(0, body.pos);
  }
  w.base = start;
  w.ensure(FIXED_HEADER_BYTES);
  const b = w.buf;
  b[start] = 108; // 'l'
  b[start + 1] = typeCode;
  b[start + 2] = msg.flags & 0xff;
  b[start + 3] = 1;
  w.view.setUint32(start + 8, msg.serial, true);
  w.pos = start + FIXED_HEADER_BYTES;
  const fieldsStart = w.pos;
  const t = msg.type;
  if (msg.path !== undefined) stringField(w, Field.PATH, 111, name("path", msg.path));
  else if (t === "method_call" || t === "signal") throw new IPCError("SerializationError", `a ${t} needs a path`);
  if (msg.interface !== undefined) stringField(w, Field.INTERFACE, 115, name("interface", msg.interface));
  else if (t === "signal") throw new IPCError("SerializationError", "a signal needs an interface");
  if (msg.member !== undefined) stringField(w, Field.MEMBER, 115, name("member", msg.member));
  else if (t === "method_call" || t === "signal") throw new IPCError("SerializationError", `a ${t} needs a member`);
  if (msg.errorName !== undefined) stringField(w, Field.ERROR_NAME, 115, name("errorName", msg.errorName));
  else if (t === "error") throw new IPCError("SerializationError", "an error needs an errorName");
  if (msg.replySerial !== undefined) {
    if (!serialOk(msg.replySerial)) throw new IPCError("SerializationError", `replySerial must be an integer in 1..2^32-1, got ${String(msg.replySerial)}`);
    u32Field(w, Field.REPLY_SERIAL, msg.replySerial);
  } else if (t === "method_return" || t === "error") throw new IPCError("SerializationError", `a ${t} needs a replySerial`);
  if (msg.destination !== undefined) stringField(w, Field.DESTINATION, 115, name("busName", msg.destination));
  if (msg.sender !== undefined) stringField(w, Field.SENDER, 115, name("busName", msg.sender));
  if (signature !== "") stringField(w, Field.SIGNATURE, 103, signature);
  if (fds.length > 0) u32Field(w, Field.UNIX_FDS, fds.length);
  w.view.setUint32(start + 12, w.pos - fieldsStart, true);
  w.pad(8);
  const bodyStart = w.pos;
  if (aside !== undefined) {
    w.ensure(aside.length);
    w.buf.set(aside, w.pos);
    w.pos += aside.length;
  } else {
    w.fds = fds;
    writeBody(w, signature, msg.body ?? []);
  }
  const bodyLen = w.pos - bodyStart;
  if (w.pos - start > MAX_MESSAGE_BYTES) {
    throw new IPCError("MessageTooLarge", `the D-Bus message is ${w.pos - start} bytes, over the maximum of ${MAX_MESSAGE_BYTES}`, { context: { limit: MAX_MESSAGE_BYTES } });
  }
  w.view.setUint32(start + 4, bodyLen, true);
  return fds;
}

const scratch = new WireWriter(4096);

/** Encodes one message into fresh bytes (little-endian), with the descriptors to send alongside. */
export function encodeMessage(msg: DbusMessage): { bytes: Uint8Array; fds: number[] } {
  scratch.reset();
  const fds = writeMessage(scratch, msg);
  return { bytes: new Uint8Array(scratch.buf.subarray(0, scratch.pos)), fds };
}

