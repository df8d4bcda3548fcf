/**
 * The built-in `dbus` protocol handler (spec 5.1.4, runtime/protocol): D-Bus
 * messages as our own wire codec marshals them, version 1.0 (the D-Bus
 * protocol version in every message header is 1).
 *
 * A DbusConnection does not go through it: it has its own socket to
 * dbus-daemon. The handler is what lets a D-Bus message travel over a NOVA
 * channel (runtime/protocol/endpoint.ts) and what negotiation names. A
 * message carrying descriptors (`h` values) is refused: the envelope carries
 * bytes only, so a descriptor would arrive as a number that means nothing in
 * the receiving process.
 */
import { IPCError } from "../errors.js";
import type { ProtocolHandler } from "../protocol/handler.js";
import type { VersionRange } from "../protocol/version.js";
import { decodeMessage, encodeMessage, type DbusMessage } from "./wire/index.js";

/** The name the handler is registered under. */
export const DBUS_PROTOCOL = "dbus";

/** D-Bus protocol version 1 (the header's major protocol version byte), as 1.0. */
export const DBUS_PROTOCOL_VERSIONS: VersionRange = { min: { major: 1, minor: 0 }, max: { major: 1, minor: 0 } };

const TYPES: ReadonlySet<unknown> = new Set(["method_call", "method_return", "error", "signal"]);

/** True when `value` has the shape of a {@link DbusMessage} without descriptors (the encoder checks names, signature and body). */
export function isDbusMessage(value: unknown): value is DbusMessage {
  const m = value as Partial<DbusMessage> | null;
  return (
    typeof m === "object" &&
    m !== null &&
    TYPES.has(m.type) &&
    Number.isInteger(m.serial) &&
    Number.isInteger(m.flags) &&
    typeof m.signature === "string" &&
    Array.isArray(m.body) &&
    (m.fds === undefined || (Array.isArray(m.fds) && m.fds.length === 0))
  );
}

/** The `dbus` handler: {@link DbusMessage} ↔ its marshalled bytes (little-endian when we encode; both byte orders decode). */
export const dbusProtocolHandler: ProtocolHandler<DbusMessage> = {
  supportedVersions: DBUS_PROTOCOL_VERSIONS,
  validate: isDbusMessage,
  encode(message) {
    const { bytes, fds } = encodeMessage({ ...message, fds: message.fds ?? [] });
    if (fds.length > 0) throw new IPCError("SerializationError", "a D-Bus message with descriptors cannot travel as protocol bytes", { context: { fds: fds.length } });
    return bytes;
  },
  // A message that declares descriptors finds none here: the decoder refuses its `h` values.
  decode: (bytes) => decodeMessage(bytes, []),
};
