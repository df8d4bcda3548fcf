/**
 * The lanes for the bulk of traffic, uncompressed msgpack Requests, Responses
 * and Events: encoded straight into a batch buffer, and decoded without the
 * general path's format and compression dispatch.
 *
 * It writes exactly the bytes of the general path (frame.ts + body.ts; the
 * tests compare them) but without its indirections: no shared plan object,
 * no per-type dispatch twice, the value section encoded in place behind the
 * fixed fields, header and fixed fields stored through one DataView. At a
 * million one-way messages a second these indirections were a fifth of the
 * sender's time. The checks are the same helpers, in the same order, so
 * errors are identical too.
 */
import { decodeMsgpack } from "../codec/msgpack-decoder.js";
import { encodeMsgpackInto, encodeMsgpackScratch } from "../codec/msgpack-encoder.js";
import { IPCError } from "../errors.js";
import { checkU64, checkUint, nameBytes, readName, readU16, readU32, readU64, viewOf } from "./bytes.js";
import { checkErrorDetails, writeFixedFields } from "./body.js";
import { HEADER_SIZE, MAX_NAME_BYTES, Offset, U32_MAX } from "./constants.js";
import { writeHeader } from "./header.js";
import type { Message } from "./message.js";

const NO_NAME = new Uint8Array(0);

/**
 * Encodes `message` at `target[offset]` without its CRC. Returns the frame
 * length; the negated length when it does not fit (bytes from `offset` on
 * may have been overwritten); undefined for a Heartbeat (the general path
 * writes those).
 * The caller has checked that the format is msgpack and there is no compression.
 */
export function encodeDirect(message: Message, target: Uint8Array, offset: number, max: number): number | undefined {
  let typeCode: number;
  let fixed: number;
  let u32a = 0;
  let u32b = 0;
  let big = 0n;
  let name: Uint8Array = NO_NAME;
  let value: unknown;
  switch (message.type) {
    case "request": {
      checkIds(message);
      const body = message.body;
      name = nameBytes(body.method, "body.method", MAX_NAME_BYTES);
      u32a = checkUint(body.timeoutMs, U32_MAX, "body.timeoutMs");
      u32b = checkUint(body.flags, U32_MAX, "body.flags");
      value = body.params;
      typeCode = 1;
      fixed = 10 + name.length;
      break;
    }
    case "response": {
      checkIds(message);
      const body = message.body;
      u32a = checkUint(body.status, U32_MAX, "body.status");
      u32b = checkUint(body.executionTimeUs, U32_MAX, "body.executionTimeUs");
      value = [body.value, checkErrorDetails(body.error, "encode")];
      typeCode = 2;
      fixed = 8;
      break;
    }
    case "event": {
      checkIds(message);
      const body = message.body;
      big = checkU64(body.sourceId, "body.sourceId");
      u32a = checkUint(body.priority, 255, "body.priority");
      name = nameBytes(body.eventType, "body.eventType", MAX_NAME_BYTES);
      value = body.data;
      typeCode = 3;
      fixed = 12 + name.length;
      break;
    }
    default:
      return undefined;
  }
  const s = offset + HEADER_SIZE + fixed;
  const end = s <= target.length ? encodeMsgpackInto(value, target, s) : -1;
  if (end < 0) {
    // Measure it, for the caller to flush and retry (and for the size limit).
    const payloadLength = fixed + encodeMsgpackScratch(value).length;
    checkSize(message, payloadLength, max);
    return -(HEADER_SIZE + payloadLength);
  }
  const payloadLength = end - offset - HEADER_SIZE;
  checkSize(message, payloadLength, max);
  const dv = viewOf(target);
  writeHeader(dv, offset, typeCode, 0, message, payloadLength);
  writeFixedFields(dv, target, offset + HEADER_SIZE, typeCode, u32a, u32b, big, name);
  return HEADER_SIZE + payloadLength;
}

/** Checks the three u64 header fields of a message being encoded (SerializationError). */
export function checkIds(message: Message): void {
  checkU64(message.messageId, "messageId");
  checkU64(message.correlationId, "correlationId");
  checkU64(message.timestampNs, "timestampNs");
}

/** Throws MessageTooLarge when a body of `payloadLength` bytes exceeds `max`. */
export function checkSize(message: Message, payloadLength: number, max: number): void {
  if (payloadLength > max) {
    throw new IPCError("MessageTooLarge", `message body is ${payloadLength} bytes, limit is ${max}`, {
      context: { payloadLength, limit: max, messageId: String(message.messageId) },
    });
  }
}

/**
 * Decodes the checked frame at `b[p]` when it is an uncompressed msgpack
 * Request, Response or Event (header flags 0); undefined for anything else and
 * for a malformed body (the general path then decodes it, or rejects it with
 * the detailed error). Same objects, same property order, as the general path.
 */
export function decodeMsgpackFrame(b: Uint8Array, p: number): Message | undefined {
  const typeCode = b[p + Offset.messageType];
  const start = p + HEADER_SIZE;
  const end = start + readU32(b, p + Offset.payloadLength);
  const have = end - start;
  let type: "request" | "response" | "event";
  let body: Message["body"];
  if (typeCode === 1) {
    const nameEnd = start + 10 + (have >= 10 ? readU16(b, start + 8) : 0);
    if (have < 10 || nameEnd > end) return undefined;
    type = "request";
    body = { method: readName(b, start + 10, nameEnd, "body.method"), params: decodeMsgpack(b, nameEnd, end), timeoutMs: readU32(b, start), flags: readU32(b, start + 4) };
  } else if (typeCode === 2) {
    if (have < 8) return undefined;
    const pair = decodeMsgpack(b, start + 8, end);
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    type = "response";
    body = { status: readU32(b, start), value: pair[0], error: checkErrorDetails(pair[1], "decode"), executionTimeUs: readU32(b, start + 4) };
  } else if (typeCode === 3) {
    const nameEnd = start + 12 + (have >= 12 ? readU16(b, start + 10) : 0);
    if (have < 12 || nameEnd > end || b[start + 9] !== 0) return undefined;
    type = "event";
    body = { eventType: readName(b, start + 12, nameEnd, "body.eventType"), data: decodeMsgpack(b, nameEnd, end), sourceId: readU64(b, start), priority: b[start + 8] };
  } else {
    return undefined;
  }
  return {
    type,
    messageId: readU64(b, p + Offset.messageId),
    correlationId: readU64(b, p + Offset.correlationId),
    timestampNs: readU64(b, p + Offset.timestampNs),
    format: "msgpack",
    compression: "none",
    body,
  } as Message;
}
