/**
 * Whole-frame encoding and decoding (idl/WIRE.md). A frame is the 40-byte
 * header followed by `payloadLength` body bytes; the CRC covers both.
 */
import { compressSection, compressSectionAsync, decompressSectionAsync } from "../codec/compression.js";
import { IPCError } from "../errors.js";
import { checkU64, plainView, readU32, readU64, writeU32 } from "./bytes.js";
import { decodeBody, planBody, sectionStart, type BodyPlan } from "./body.js";
import { DEFAULT_MAX_MESSAGE_SIZE, HEADER_SIZE, Offset, VERSION_MAJOR } from "./constants.js";
import { frameCrc32 } from "./crc32.js";
import { COMPRESSION_BY_FLAGS, flagsFor, FORMAT_BY_FLAGS, hasMagic, isMagicPrefix, parseFlags, readFrameHeader, TYPE_CODE, TYPE_NAME, writeHeader } from "./header.js";
import type { CompressionType, Message, PayloadFormat } from "./message.js";

/** Options of {@link encodeMessage}. */
export interface EncodeOptions {
  /** Overrides `message.format`; msgpack when both are absent. */
  format?: PayloadFormat;
  /** Overrides `message.compression`; none when both are absent. */
  compression?: CompressionType;
  /** Largest payload (body) length accepted, default 16 MiB. */
  maxMessageSize?: number;
}

/** Options of {@link decodeMessage}. */
export interface DecodeOptions {
  /** Largest payload length and largest decompressed section, default 16 MiB. */
  maxMessageSize?: number;
}

function checkMax(max: number | undefined): number {
  if (max === undefined) return DEFAULT_MAX_MESSAGE_SIZE;
  if (!Number.isInteger(max) || max < 0 || max > 0xffff_ffff) {
    throw new IPCError("InvalidArgument", "maxMessageSize must be an integer in 0..2^32-1", { context: { maxMessageSize: max } });
  }
  return max;
}

interface Prepared {
  typeCode: number;
  format: PayloadFormat;
  compression: CompressionType;
  plan: BodyPlan;
  max: number;
}

function prepare(message: Message, options: EncodeOptions): Prepared {
  if (typeof message !== "object" || message === null) {
    throw new IPCError("SerializationError", "message must be an object", {});
  }
  const typeCode = TYPE_CODE[message.type];
  if (typeCode === undefined) {
    throw new IPCError("SerializationError", `unknown message type ${JSON.stringify(message.type)}`, { context: { field: "type" } });
  }
  checkU64(message.messageId, "messageId");
  checkU64(message.correlationId, "correlationId");
  checkU64(message.timestampNs, "timestampNs");
  const format = options.format ?? message.format ?? "msgpack";
  const compression = options.compression ?? message.compression ?? "none";
  flagsFor(format, compression);
  return { typeCode, format, compression, plan: planBody(message, format), max: checkMax(options.maxMessageSize) };
}

function assemble(message: Message, p: Prepared, section: Uint8Array): Buffer {
  const payloadLength = p.plan.fixedSize + section.length;
  if (payloadLength > p.max) {
    throw new IPCError("MessageTooLarge", `message body is ${payloadLength} bytes, limit is ${p.max}`, {
      context: { payloadLength, limit: p.max, messageId: String(message.messageId) },
    });
  }
  const frame = Buffer.allocUnsafe(HEADER_SIZE + payloadLength);
  // Write through a plain Uint8Array view: the byte helpers and the CRC then
  // see one array type for encoding and decoding and stay monomorphic.
  const out = new Uint8Array(frame.buffer, frame.byteOffset, frame.length);
  writeHeader(out, 0, p.typeCode, flagsFor(p.format, p.compression), message, payloadLength);
  p.plan.writeFixed(out, HEADER_SIZE);
  out.set(section, HEADER_SIZE + p.plan.fixedSize);
  writeU32(out, Offset.crc, frameCrc32(out, 0, payloadLength));
  return frame;
}

/**
 * Encodes one message as one complete frame. Throws IPCError SerializationError
 * (a field out of range, a value the format cannot carry) or MessageTooLarge.
 * zstd compression blocks briefly on a helper thread; see {@link encodeMessageAsync}.
 */
export function encodeMessage(message: Message, options: EncodeOptions = {}): Buffer {
  const p = prepare(message, options);
  const section = p.plan.section.length === 0 ? p.plan.section : compressSection(p.plan.section, p.compression);
  return assemble(message, p, section);
}

/** Like {@link encodeMessage}, but zstd runs on the thread pool without blocking. */
export async function encodeMessageAsync(message: Message, options: EncodeOptions = {}): Promise<Buffer> {
  const p = prepare(message, options);
  if (p.compression === "none" || p.plan.section.length === 0) return assemble(message, p, p.plan.section);
  // The plan's section may be a view into msgpackr's scratch buffer: copy it before awaiting.
  const section = await compressSectionAsync(new Uint8Array(p.plan.section), p.compression);
  return assemble(message, p, section);
}

/**
 * Decodes the body of a frame at `b[p]` whose magic, version, length and CRC
 * the caller has already checked. Throws UnsupportedVersion for an unknown type
 * or flag and DeserializationError / MessageTooLarge for a bad body.
 */
export function decodeCheckedFrame(b: Uint8Array, p: number, max: number): Message {
  const typeCode = b[p + Offset.messageType];
  const type = TYPE_NAME[typeCode];
  if (type === undefined) {
    throw new IPCError("UnsupportedVersion", `unknown message type code ${typeCode}`, {
      context: { typeCode, messageId: String(readU64(b, p + Offset.messageId)) },
    });
  }
  const flags = b[p + Offset.flags];
  const format = FORMAT_BY_FLAGS[flags];
  const compression = COMPRESSION_BY_FLAGS[flags];
  if (format === undefined || compression === undefined) {
    parseFlags(flags); // throws the detailed error
    throw new IPCError("UnsupportedVersion", `unsupported flags 0x${flags.toString(16)}`, { context: { flags } });
  }
  const start = p + HEADER_SIZE;
  const body = decodeBody(type, b, start, start + readU32(b, p + Offset.payloadLength), format, compression, max);
  return {
    type,
    messageId: readU64(b, p + Offset.messageId),
    correlationId: readU64(b, p + Offset.correlationId),
    timestampNs: readU64(b, p + Offset.timestampNs),
    format,
    compression,
    body,
  } as Message;
}

/**
 * Checks everything up to and including the CRC of the single frame `frame`
 * and returns its payload length. Order: magic, length >= 40, major version,
 * size limit, exact length, CRC.
 */
function checkFrame(frame: Uint8Array, max: number): number {
  if (!isMagicPrefix(frame, 0, Math.min(frame.length, 4)) || (frame.length >= 4 && !hasMagic(frame, 0))) {
    throw new IPCError("CorruptedMessage", "bad magic: frame does not start with NOVA", { context: { offset: 0 } });
  }
  if (frame.length < HEADER_SIZE) {
    throw new IPCError("TruncatedMessage", `frame is ${frame.length} bytes, the header alone is 40`, { context: { length: frame.length } });
  }
  if (frame[Offset.versionMajor] !== VERSION_MAJOR) {
    throw new IPCError("UnsupportedVersion", `wire version ${frame[Offset.versionMajor]}.${frame[Offset.versionMinor]} is not supported (major 1 is)`, {
      context: { versionMajor: frame[Offset.versionMajor], versionMinor: frame[Offset.versionMinor] },
    });
  }
  const payloadLength = readU32(frame, Offset.payloadLength);
  if (payloadLength > max) {
    throw new IPCError("MessageTooLarge", `payload length ${payloadLength} exceeds the limit ${max}`, { context: { payloadLength, limit: max } });
  }
  const total = HEADER_SIZE + payloadLength;
  if (frame.length < total) {
    throw new IPCError("TruncatedMessage", `frame is ${frame.length} bytes, header says ${total}`, { context: { length: frame.length, expected: total } });
  }
  if (frame.length > total) {
    throw new IPCError("CorruptedMessage", `${frame.length - total} bytes after the end of the frame`, { context: { length: frame.length, expected: total } });
  }
  const stored = readU32(frame, Offset.crc);
  const actual = frameCrc32(frame, 0, payloadLength);
  if (stored !== actual) {
    throw new IPCError("CorruptedMessage", `CRC mismatch: header says 0x${stored.toString(16)}, frame has 0x${actual.toString(16)}`, {
      context: { stored, actual },
    });
  }
  return payloadLength;
}

/**
 * Decodes exactly one frame. Throws IPCError: CorruptedMessage (magic, CRC,
 * trailing bytes), TruncatedMessage, MessageTooLarge, UnsupportedVersion,
 * DeserializationError.
 */
export function decodeMessage(input: Uint8Array, options: DecodeOptions = {}): Message {
  const frame = plainView(input);
  const max = checkMax(options.maxMessageSize);
  checkFrame(frame, max);
  return decodeCheckedFrame(frame, 0, max);
}

/** Like {@link decodeMessage}, but zstd decompression does not block this thread. */
export async function decodeMessageAsync(input: Uint8Array, options: DecodeOptions = {}): Promise<Message> {
  const frame = plainView(input);
  const max = checkMax(options.maxMessageSize);
  const payloadLength = checkFrame(frame, max);
  const type = TYPE_NAME[frame[Offset.messageType]];
  if (type === undefined || type === "heartbeat" || parseFlags(frame[Offset.flags]).compression !== "zstd") {
    return decodeCheckedFrame(frame, 0, max);
  }
  const end = HEADER_SIZE + payloadLength;
  const s = sectionStart(type, frame, HEADER_SIZE, end);
  const plain = await decompressSectionAsync(frame, s, end, "zstd", max);
  // Rebuild the body with the section decompressed, then decode it as uncompressed.
  const rebuilt = new Uint8Array(s + plain.length);
  rebuilt.set(frame.subarray(0, s));
  rebuilt.set(plain, s);
  const h = readFrameHeader(rebuilt, 0);
  const { format } = parseFlags(h.flags);
  const body = decodeBody(type, rebuilt, HEADER_SIZE, rebuilt.length, format, "none", max);
  return { type, messageId: h.messageId, correlationId: h.correlationId, timestampNs: h.timestampNs, format, compression: "zstd", body } as Message;
}
