/**
 * Whole-frame encoding and decoding (idl/WIRE.md). A frame is the 40-byte
 * header followed by `payloadLength` body bytes; the CRC covers both.
 */
import { compressSection, compressSectionAsync, decompressSectionAsync } from "../codec/compression.js";
import { IPCError } from "../errors.js";
import { readU32, readU64, viewOf } from "./bytes.js";
import { decodeBody, planBody, sectionStart, type BodyPlan } from "./body.js";
import { DEFAULT_MAX_MESSAGE_SIZE, Flag, HEADER_SIZE, MAX_MESSAGE_SIZE_LIMIT, Offset, VERSION_MAJOR } from "./constants.js";
import { frameCrc32 } from "./crc32.js";
import { scanGoodFrames, sealFrames } from "./frame-check.js";
import { checkIds, checkSize, decodeMsgpackFrame, encodeDirect } from "./frame-direct.js";
import { COMPRESSION_BY_FLAGS, flagsFor, FORMAT_BY_FLAGS, hasMagic, isMagicPrefix, parseFlags, TYPE_CODE, TYPE_NAME, writeHeader } from "./header.js";
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

/** A `maxMessageSize` option checked (InvalidArgument unless an integer in 0..2^32-1), or the default. */
export function checkMaxMessageSize(max: number | undefined): number {
  if (max === undefined) return DEFAULT_MAX_MESSAGE_SIZE;
  if (!Number.isInteger(max) || max < 0 || max > MAX_MESSAGE_SIZE_LIMIT) {
    throw new IPCError("InvalidArgument", "maxMessageSize must be an integer in 0..2^32-1", { context: { maxMessageSize: max } });
  }
  return max;
}

/** Header flag byte for a format/compression pair; the common msgpack/none pair skips the lookup. */
function flagsOf(format: PayloadFormat, compression: CompressionType): number {
  return format === "msgpack" && compression === "none" ? 0 : flagsFor(format, compression);
}

// The result of prepare(): module state instead of an object per frame. Only
// synchronous code runs between prepare() and the write that consumes it;
// encodeMessageAsync copies what it needs before awaiting.
let pFlags = 0;
let pCompression: CompressionType = "none";
let pMax = DEFAULT_MAX_MESSAGE_SIZE;

function prepare(message: Message, options: EncodeOptions | undefined): BodyPlan {
  if (typeof message !== "object" || message === null) {
    throw new IPCError("SerializationError", "message must be an object", {});
  }
  const typeCode = TYPE_CODE[message.type];
  if (typeCode === undefined) {
    throw new IPCError("SerializationError", `unknown message type ${JSON.stringify(message.type)}`, { context: { field: "type" } });
  }
  checkIds(message);
  let format: PayloadFormat;
  let compression: CompressionType;
  let max = DEFAULT_MAX_MESSAGE_SIZE;
  if (options === undefined) {
    format = message.format ?? "msgpack";
    compression = message.compression ?? "none";
  } else {
    format = options.format ?? message.format ?? "msgpack";
    compression = options.compression ?? message.compression ?? "none";
    if (options.maxMessageSize !== undefined) max = checkMaxMessageSize(options.maxMessageSize);
  }
  const flags = flagsOf(format, compression);
  const plan = planBody(message, format);
  pFlags = flags;
  pCompression = compression;
  pMax = max;
  return plan;
}

/** The section as transmitted: compressed when the frame says so (sync). */
function finalSection(plan: BodyPlan, compression: CompressionType): Uint8Array {
  return compression === "none" || plan.section.length === 0 ? plan.section : compressSection(plan.section, compression);
}

/**
 * Writes the whole frame at `out[o]` (the caller guarantees room for
 * 40 + payloadLength bytes) and returns its length.
 */
function writeFrame(out: Uint8Array, o: number, message: Message, plan: BodyPlan, flags: number, section: Uint8Array, seal = true): number {
  const payloadLength = plan.fixedSize + section.length;
  const dv = viewOf(out);
  writeHeader(dv, o, plan.typeCode, flags, message, payloadLength);
  plan.writeFixed(dv, out, o + HEADER_SIZE);
  const s = o + HEADER_SIZE + plan.fixedSize;
  const n = section.length;
  if (n > 64) out.set(section, s);
  else for (let i = 0; i < n; i++) out[s + i] = section[i];
  const total = HEADER_SIZE + payloadLength;
  if (seal) sealFrames(out, o, o + total);
  return total;
}

function assemble(message: Message, plan: BodyPlan, flags: number, max: number, section: Uint8Array): Buffer {
  const payloadLength = plan.fixedSize + section.length;
  checkSize(message, payloadLength, max);
  const frame = Buffer.allocUnsafe(HEADER_SIZE + payloadLength);
  // Write through a plain Uint8Array view: the byte helpers and the CRC then
  // see one array type for encoding and decoding and stay monomorphic.
  writeFrame(new Uint8Array(frame.buffer, frame.byteOffset, frame.length), 0, message, plan, flags, section);
  return frame;
}

/**
 * Encodes one message as one complete frame. Throws IPCError SerializationError
 * (a field out of range, a value the format cannot carry) or MessageTooLarge.
 * zstd compression blocks briefly on a helper thread; see {@link encodeMessageAsync}.
 * To encode many frames into one write buffer without a Buffer per frame, use
 * {@link encodeMessageInto} or a FrameWriter (frame-writer.ts).
 */
export function encodeMessage(message: Message, options?: EncodeOptions): Buffer {
  const plan = prepare(message, options);
  return assemble(message, plan, pFlags, pMax, finalSection(plan, pCompression));
}

/**
 * Encodes one message straight into `target` at `offset`, allocating nothing
 * for the frame itself. Returns the frame length when it fitted. When the
 * frame does not fit in `target.length - offset` bytes, nothing is written and
 * the result is the NEGATED frame length (so the caller can grow or flush and
 * retry). Throws what {@link encodeMessage} throws, and InvalidArgument for
 * an offset that is not a non-negative integer. The bytes written are
 * identical to encodeMessage's.
 */
export function encodeMessageInto(message: Message, target: Uint8Array, offset: number, options?: EncodeOptions): number {
  return encodeInto(message, target, offset, options, true);
}

/**
 * {@link encodeMessageInto} without the CRC (the field is left as it was):
 * for batch writers that seal a whole batch with one `sealFrames` call
 * before the bytes leave (frame-check.ts). Unlike encodeMessageInto, a frame
 * that does not fit (negative result) may have overwritten bytes of `target`
 * from `offset` on: the caller must treat them as garbage.
 * @internal
 */
export function encodeMessageIntoUnsealed(message: Message, target: Uint8Array, offset: number, options?: EncodeOptions): number {
  return encodeInto(message, target, offset, options, false);
}

/** True when `message` is encoded as uncompressed msgpack (the direct lane's case). */
function isPlainMsgpack(message: Message, options: EncodeOptions | undefined): boolean {
  if (typeof message !== "object" || message === null) return false;
  const format = options?.format ?? message.format;
  const compression = options?.compression ?? message.compression;
  return (format === undefined || format === "msgpack") && (compression === undefined || compression === "none");
}

function encodeInto(message: Message, target: Uint8Array, offset: number, options: EncodeOptions | undefined, seal: boolean): number {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new IPCError("InvalidArgument", "offset must be a non-negative integer", { context: { offset } });
  }
  // The batch writers (unsealed) let a frame that turns out not to fit scribble
  // past their committed bytes; the public function keeps "nothing written".
  if (!seal && isPlainMsgpack(message, options)) {
    const direct = encodeDirect(message, target, offset, checkMaxMessageSize(options?.maxMessageSize));
    if (direct !== undefined) return direct;
  }
  const plan = prepare(message, options);
  const flags = pFlags;
  const section = finalSection(plan, pCompression);
  const payloadLength = plan.fixedSize + section.length;
  checkSize(message, payloadLength, pMax);
  const total = HEADER_SIZE + payloadLength;
  if (offset + total > target.length) return -total;
  return writeFrame(target, offset, message, plan, flags, section, seal);
}

/** Like {@link encodeMessage}, but zstd runs on the thread pool without blocking. */
export async function encodeMessageAsync(message: Message, options: EncodeOptions = {}): Promise<Buffer> {
  const shared = prepare(message, options);
  const flags = pFlags;
  const compression = pCompression;
  const max = pMax;
  if (compression === "none" || shared.section.length === 0) return assemble(message, shared, flags, max, shared.section);
  // The shared plan is reused by the next encode and its section may be a view
  // into msgpackr's scratch buffer: take a private copy before awaiting.
  const plan = shared.clone();
  const section = await compressSectionAsync(plan.section, compression);
  return assemble(message, plan, flags, max, section);
}

/**
 * Decodes the body of a frame at `b[p]` whose magic, version, length and CRC
 * the caller has already checked. Throws UnsupportedVersion for an unknown type
 * or flag and DeserializationError / MessageTooLarge for a bad body.
 */
export function decodeCheckedFrame(b: Uint8Array, p: number, max: number): Message {
  // Uncompressed msgpack (flags 0) is nearly all traffic: one direct path without the
  // format/compression dispatch. Objects have the same shape as the general path's.
  if (b[p + Offset.flags] === 0) {
    const fast = decodeMsgpackFrame(b, p);
    if (fast !== undefined) return fast;
  }
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
  return headerMessage(b, p, type, format, compression, body);
}

/** The message of the frame at `b[p]`: its header fields around a decoded body. */
function headerMessage(b: Uint8Array, p: number, type: Message["type"], format: PayloadFormat, compression: CompressionType, body: Message["body"]): Message {
  // readU64 copies through a scratch DataView: as fast as a DataView over `b`
  // and without creating one (a new DataView costs more than the three reads).
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
  // Everything before this point has been checked, so a short scan means a CRC mismatch.
  if (scanGoodFrames(frame, 0, total, max) === total) return payloadLength;
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
export function decodeMessage(frame: Uint8Array, options: DecodeOptions = {}): Message {
  const max = checkMaxMessageSize(options.maxMessageSize);
  checkFrame(frame, max);
  return decodeCheckedFrame(frame, 0, max);
}

/** Like {@link decodeMessage}, but decompression (lz4 and zstd) runs off this thread. */
export async function decodeMessageAsync(frame: Uint8Array, options: DecodeOptions = {}): Promise<Message> {
  const max = checkMaxMessageSize(options.maxMessageSize);
  checkFrame(frame, max);
  return decodeCheckedFrameAsync(frame, 0, max);
}

/**
 * True when the checked frame at `b[p]` has a compressed value section to
 * decompress (a Request, Response or Event with valid flags naming lz4 or
 * zstd): the frames {@link decodeCheckedFrameAsync} decodes off the thread.
 */
export function isCompressedFrame(b: Uint8Array, p: number): boolean {
  const flags = b[p + Offset.flags];
  if ((flags & Flag.compressionMask) === 0) return false;
  const c = COMPRESSION_BY_FLAGS[flags];
  const t = b[p + Offset.messageType];
  return c !== undefined && c !== "none" && t >= 1 && t <= 3;
}

/**
 * {@link decodeCheckedFrame} with the value section decompressed on the libuv
 * thread pool; the event loop only reads headers and parses the result.
 * `b` must not change until the promise settles (pass a private copy).
 * Frames without compression are decoded synchronously inside.
 */
export async function decodeCheckedFrameAsync(b: Uint8Array, p: number, max: number): Promise<Message> {
  if (!isCompressedFrame(b, p)) return decodeCheckedFrame(b, p, max);
  const type = TYPE_NAME[b[p + Offset.messageType]] as Message["type"];
  const flags = b[p + Offset.flags];
  const format = FORMAT_BY_FLAGS[flags] as PayloadFormat;
  const compression = COMPRESSION_BY_FLAGS[flags] as CompressionType;
  const start = p + HEADER_SIZE;
  const end = start + readU32(b, p + Offset.payloadLength);
  const s = sectionStart(type, b, start, end);
  const plain = await decompressSectionAsync(b, s, end, compression, max);
  // The fixed fields come from the frame, the value from the decompressed bytes: no rebuilt copy.
  return headerMessage(b, p, type, format, compression, decodeBody(type, b, start, end, format, compression, max, plain));
}
