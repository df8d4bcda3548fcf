/**
 * The built-in `nova` protocol: our own frames (idl/WIRE.md), the protocol RPC, events and the
 * bus daemon speak. Its codec is the wire layer's; its version is the frame format's (1.0).
 *
 * On a channel, `nova` messages travel as the frames they are, not inside an envelope (see
 * endpoint.ts), so this handler's encode/decode matter only where `nova` frames cross another
 * carrier.
 */
import { decodeMessage, encodeMessage } from "../wire/frame.js";
import { VERSION_MAJOR, VERSION_MINOR } from "../wire/constants.js";
import type { Message } from "../wire/message.js";
import type { ProtocolHandler } from "./handler.js";
import type { VersionRange } from "./version.js";

/** The name of the built-in protocol. */
export const NOVA_PROTOCOL = "nova";

/** The frame format versions this runtime writes and reads. */
export const NOVA_PROTOCOL_VERSIONS: VersionRange = {
  min: { major: VERSION_MAJOR, minor: VERSION_MINOR },
  max: { major: VERSION_MAJOR, minor: VERSION_MINOR },
};

const TYPES: ReadonlySet<unknown> = new Set(["request", "response", "event", "heartbeat"]);

/** True when `value` has the shape of a {@link Message} (the encoder checks every field's range). */
export function isNovaMessage(value: unknown): value is Message {
  const m = value as Partial<Message> | null;
  return (
    typeof m === "object" &&
    m !== null &&
    TYPES.has(m.type) &&
    typeof m.messageId === "bigint" &&
    typeof m.correlationId === "bigint" &&
    typeof m.timestampNs === "bigint" &&
    typeof m.body === "object" &&
    m.body !== null
  );
}

/** The `nova` handler: NOVA messages ↔ frames. */
export const novaHandler: ProtocolHandler<Message> = {
  supportedVersions: NOVA_PROTOCOL_VERSIONS,
  validate: isNovaMessage,
  encode: (message) => encodeMessage(message),
  decode: (bytes) => decodeMessage(bytes),
};
