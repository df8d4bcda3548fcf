/**
 * The spec's internal serialization interface (5.2.1):
 * `serialize_message(message, format, compression)` and
 * `deserialize_message(data, format, compression)`. The bytes are one
 * complete NOVA frame; deserializing also checks that the frame records the
 * format and compression the caller expects, so a mismatch is a detailed
 * DeserializationError instead of a silently different interpretation.
 */
import { IPCError } from "../errors.js";
import { decodeMessage, decodeMessageAsync, encodeMessage, encodeMessageAsync, type DecodeOptions } from "../wire/frame.js";
import type { CompressionType, Message, PayloadFormat } from "../wire/message.js";

/** Encodes `message` as a frame using exactly `format` and `compression`. */
export function serializeMessage(message: Message, format: PayloadFormat = "msgpack", compression: CompressionType = "none"): Uint8Array {
  return encodeMessage(message, { format, compression });
}

/** Async twin of {@link serializeMessage} (zstd does not block the thread). */
export function serializeMessageAsync(message: Message, format: PayloadFormat = "msgpack", compression: CompressionType = "none"): Promise<Uint8Array> {
  return encodeMessageAsync(message, { format, compression });
}

function expect(message: Message, format: PayloadFormat, compression: CompressionType): Message {
  if (message.format !== format || message.compression !== compression) {
    throw new IPCError(
      "DeserializationError",
      `frame is ${message.format}/${message.compression}, expected ${format}/${compression}`,
      { context: { expected: { format, compression }, actual: { format: message.format, compression: message.compression }, messageId: String(message.messageId) } },
    );
  }
  return message;
}

/** Decodes one frame and checks it used `format` and `compression`. */
export function deserializeMessage(
  data: Uint8Array,
  format: PayloadFormat = "msgpack",
  compression: CompressionType = "none",
  options?: DecodeOptions,
): Message {
  return expect(decodeMessage(data, options), format, compression);
}

/** Async twin of {@link deserializeMessage}. */
export async function deserializeMessageAsync(
  data: Uint8Array,
  format: PayloadFormat = "msgpack",
  compression: CompressionType = "none",
  options?: DecodeOptions,
): Promise<Message> {
  return expect(await decodeMessageAsync(data, options), format, compression);
}
