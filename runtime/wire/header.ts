/**
 * The 40-byte NOVA header (idl/WIRE.md "Header"): reading it, writing it, and
 * the flag byte that records payload format and compression.
 */
import { IPCError } from "../errors.js";
import { readU32, readU64, setU64 } from "./bytes.js";
import {
  COMPRESSION_CODES,
  Flag,
  FORMAT_CODES,
  MAGIC,
  Offset,
  VERSION_MAJOR,
  VERSION_MINOR,
} from "./constants.js";
import type { CompressionType, Message, PayloadFormat } from "./message.js";
import { MessageType, type MessageTypeCode } from "./message.js";

/** The header fields as read from a frame, before the body is interpreted. */
export interface FrameHeader {
  versionMajor: number;
  versionMinor: number;
  /** Header byte 6. */
  typeCode: number;
  /** Header byte 7 (see {@link Flag}). */
  flags: number;
  messageId: bigint;
  correlationId: bigint;
  timestampNs: bigint;
  payloadLength: number;
  crc: number;
}

/** Message type name -> header code. */
export const TYPE_CODE: Readonly<Record<Message["type"], MessageTypeCode>> = {
  request: MessageType.Request,
  response: MessageType.Response,
  event: MessageType.Event,
  heartbeat: MessageType.Heartbeat,
};

/** Header code -> message type name (index = code). */
export const TYPE_NAME: readonly (Message["type"] | undefined)[] = [undefined, "request", "response", "event", "heartbeat"];

/** Builds header byte 7 from a format and a compression. */
export function flagsFor(format: PayloadFormat, compression: CompressionType): number {
  const f = FORMAT_CODES.indexOf(format);
  const c = COMPRESSION_CODES.indexOf(compression);
  if (f < 0) throw new IPCError("SerializationError", `unknown payload format ${JSON.stringify(format)}`, { context: { format } });
  if (c < 0) {
    throw new IPCError("SerializationError", `unknown compression ${JSON.stringify(compression)}`, { context: { compression } });
  }
  return (f << Flag.formatShift) | (c << Flag.compressionShift);
}

/** The format and compression a flag byte records; UnsupportedVersion for bits this version does not define. */
export function parseFlags(flags: number): { format: PayloadFormat; compression: CompressionType } {
  if ((flags & (Flag.reservedMask | Flag.macTrailer | Flag.encrypted)) !== 0) {
    const feature = flags & Flag.macTrailer ? "mac-trailer" : flags & Flag.encrypted ? "encrypted-payload" : "reserved-flag";
    throw new IPCError("UnsupportedVersion", `frame uses ${feature} (flags 0x${flags.toString(16)}), which this decoder does not support`, {
      context: { flags, feature },
    });
  }
  const format = FORMAT_CODES[(flags & Flag.formatMask) >> Flag.formatShift];
  const compression = COMPRESSION_CODES[(flags & Flag.compressionMask) >> Flag.compressionShift];
  if (format === undefined || compression === undefined) {
    throw new IPCError("UnsupportedVersion", `unknown ${format === undefined ? "payload format" : "compression"} code in flags 0x${flags.toString(16)}`, {
      context: { flags },
    });
  }
  return { format, compression };
}

function byFlags<T>(pick: (flags: number) => T): readonly (T | undefined)[] {
  const out: (T | undefined)[] = [];
  for (let f = 0; f < 256; f++) {
    try {
      out.push(pick(f));
    } catch {
      out.push(undefined);
    }
  }
  return out;
}

/** Flag byte -> payload format, undefined where {@link parseFlags} would throw (a lookup beats parsing per frame). */
export const FORMAT_BY_FLAGS = byFlags((f) => parseFlags(f).format);
/** Flag byte -> compression, undefined where {@link parseFlags} would throw. */
export const COMPRESSION_BY_FLAGS = byFlags((f) => parseFlags(f).compression);

/** The magic "NOVA" read as a little-endian u32. */
const MAGIC_LE = 0x41564f4e;

/** True when the 4 bytes at `o` are the magic "NOVA". */
export function hasMagic(b: Uint8Array, o: number): boolean {
  return b[o] === 0x4e && b[o + 1] === 0x4f && b[o + 2] === 0x56 && b[o + 3] === 0x41;
}

/** True when the first `n` (< 4) bytes at `o` could still begin a magic. */
export function isMagicPrefix(b: Uint8Array, o: number, n: number): boolean {
  for (let i = 0; i < n && i < 4; i++) if (b[o + i] !== MAGIC[i]) return false;
  return true;
}

/** Reads the header at `o` (the caller guarantees 40 bytes). No validation beyond parsing. */
export function readFrameHeader(b: Uint8Array, o = 0): FrameHeader {
  return {
    versionMajor: b[o + Offset.versionMajor],
    versionMinor: b[o + Offset.versionMinor],
    typeCode: b[o + Offset.messageType],
    flags: b[o + Offset.flags],
    messageId: readU64(b, o + Offset.messageId),
    correlationId: readU64(b, o + Offset.correlationId),
    timestampNs: readU64(b, o + Offset.timestampNs),
    payloadLength: readU32(b, o + Offset.payloadLength),
    crc: readU32(b, o + Offset.crc),
  };
}

/**
 * Writes a version-1.0 header at `o` through a DataView over the target
 * (bytes.ts viewOf), with the CRC field zero (the caller fills it in once the
 * payload is in place). Ids must already be range-checked.
 */
export function writeHeader(
  dv: DataView,
  o: number,
  typeCode: number,
  flags: number,
  message: Pick<Message, "messageId" | "correlationId" | "timestampNs">,
  payloadLength: number,
): void {
  dv.setUint32(o, MAGIC_LE, true);
  dv.setUint32(o + 4, VERSION_MAJOR | (VERSION_MINOR << 8) | (typeCode << 16) | (flags << 24), true);
  setU64(dv, o + Offset.messageId, message.messageId);
  setU64(dv, o + Offset.correlationId, message.correlationId);
  setU64(dv, o + Offset.timestampNs, message.timestampNs);
  dv.setUint32(o + Offset.payloadLength, payloadLength, true);
  dv.setUint32(o + Offset.crc, 0, true);
}

