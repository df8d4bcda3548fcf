/**
 * What the FrameDecoder tells about a frame it skipped: one whose magic,
 * version, length and CRC are intact but whose body could not be decoded.
 * Its header fields are trustworthy (the CRC covers them), which is what lets
 * RPC answer a Request it could not read instead of dropping it.
 */
import { IPCError, isIPCError } from "../errors.js";
import { readU32, readU64 } from "./bytes.js";
import { HEADER_SIZE, Offset } from "./constants.js";

/**
 * The header fields of a frame that was skipped: either one that passed its
 * magic, version, length and CRC checks but whose body could not be decoded
 * (`verified`: the CRC covers these fields), or one whose header declares a
 * payload over the size limit (not `verified`: its CRC cannot be checked
 * without reading the payload, so its ids are the sender's word only).
 */
export interface SkippedFrame {
  /** Header byte 6 (1 Request, 2 Response, 3 Event, 4 Heartbeat; others unknown). */
  readonly typeCode: number;
  /** Header byte 7: format and compression bits. */
  readonly flags: number;
  readonly messageId: bigint;
  readonly correlationId: bigint;
  /** A Request's body flags (ONEWAY etc.), when its body holds them (8 bytes or more). */
  readonly requestFlags: number | undefined;
  /** The frame's size on the wire (as its header declares it, when not verified). */
  readonly frameBytes: number;
  /** True when the frame's CRC was checked, so these fields are exactly what the sender wrote. */
  readonly verified: boolean;
}

/** The header fields of the intact frame at `b[p]` (only built when a frame is skipped). */
export function skippedFrame(b: Uint8Array, p: number, total: number): SkippedFrame {
  const typeCode = b[p + Offset.messageType];
  return {
    typeCode,
    flags: b[p + Offset.flags],
    messageId: readU64(b, p + Offset.messageId),
    correlationId: readU64(b, p + Offset.correlationId),
    requestFlags: typeCode === 1 && total >= HEADER_SIZE + 8 ? readU32(b, p + HEADER_SIZE + 4) : undefined,
    frameBytes: total,
    verified: true,
  };
}

/**
 * The header fields of a frame at `b[p]` (its 40-byte header present) that
 * declares `payloadLength` bytes, more than the limit: reported so that RPC can
 * answer such a Request with MessageTooLarge instead of leaving its caller to
 * time out. The body is never read, so there are no request flags.
 */
export function oversizedFrame(b: Uint8Array, p: number, payloadLength: number): SkippedFrame {
  return {
    typeCode: b[p + Offset.messageType],
    flags: b[p + Offset.flags],
    messageId: readU64(b, p + Offset.messageId),
    correlationId: readU64(b, p + Offset.correlationId),
    requestFlags: undefined,
    frameBytes: HEADER_SIZE + payloadLength,
    verified: false,
  };
}

/** A thrown value as an IPCError (DeserializationError unless it already is one). */
export function asIPCError(cause: unknown): IPCError {
  if (isIPCError(cause)) return cause;
  return new IPCError("DeserializationError", `frame body could not be decoded: ${String(cause)}`, { cause });
}
