/**
 * The NOVA wire format: message model, frames, streaming decoder, ids.
 * The format itself is specified in idl/WIRE.md.
 */
export * from "./message.js";
export {
  MAGIC,
  HEADER_SIZE,
  VERSION_MAJOR,
  VERSION_MINOR,
  DEFAULT_MAX_MESSAGE_SIZE,
  HEARTBEAT_BODY_SIZE,
  Offset as HeaderOffset,
  Flag as HeaderFlag,
} from "./constants.js";
export { crc32, frameCrc32 } from "./crc32.js";
export { readFrameHeader, flagsFor, parseFlags, type FrameHeader } from "./header.js";
export { encodeMessage, encodeMessageInto, encodeMessageAsync, decodeMessage, decodeMessageAsync, type EncodeOptions, type DecodeOptions } from "./frame.js";
export { FrameDecoder, type FrameDecoderOptions, type SkippedFrame } from "./frame-decoder.js";
export { FrameWriter, type FrameWriterOptions } from "./frame-writer.js";
export { MessageIdGenerator, nextMessageId, nowNs } from "./message-id.js";
export { messageToJson, messageFromJson, type MessageJson } from "./message-json.js";
