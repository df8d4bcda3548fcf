/**
 * The built-in `wayland` protocol handler (spec 5.1.4, runtime/protocol): one
 * Wayland wire message, version 1.0 (the wire format has had one version
 * since Wayland 1.0).
 *
 * A Wayland message names its object by id only; what its arguments mean
 * depends on the interface that id has in the connection's object map. So
 * the handler's message is the raw wire message — object id, opcode and the
 * argument bytes — with the header checked as WlConnection checks it (size a
 * multiple of 4, 8..65532 bytes, matching the bytes given). The side that
 * holds the object map decodes the arguments (wire.ts decodeMessage).
 * Descriptors (`fd` arguments) travel beside the bytes on a Wayland socket,
 * never inside them, so they cannot cross this handler.
 */
import { IPCError } from "../errors.js";
import type { ProtocolHandler } from "../protocol/handler.js";
import type { VersionRange } from "../protocol/version.js";
import { messageSize, WL_HEADER_SIZE, WL_MAX_WIRE_MESSAGE_SIZE } from "./wire.js";

/** The name the handler is registered under. */
export const WAYLAND_PROTOCOL = "wayland";

/** The Wayland wire format, as 1.0. */
export const WAYLAND_PROTOCOL_VERSIONS: VersionRange = { min: { major: 1, minor: 0 }, max: { major: 1, minor: 0 } };

/** One Wayland wire message, its arguments still encoded. */
export interface WlWireMessage {
  /** The object the message is sent to (request) or from (event): 1..2^32-1. */
  readonly objectId: number;
  /** Index of the request or event in its interface: 0..65535. */
  readonly opcode: number;
  /** The argument bytes (a multiple of 4, at most 65524). */
  readonly payload: Uint8Array;
}

/** True when `value` is a well-formed {@link WlWireMessage}. */
export function isWlWireMessage(value: unknown): value is WlWireMessage {
  const m = value as Partial<WlWireMessage> | null;
  return (
    typeof m === "object" &&
    m !== null &&
    Number.isInteger(m.objectId) &&
    (m.objectId as number) > 0 &&
    (m.objectId as number) <= 0xffffffff &&
    Number.isInteger(m.opcode) &&
    (m.opcode as number) >= 0 &&
    (m.opcode as number) <= 0xffff &&
    m.payload instanceof Uint8Array &&
    (m.payload.length & 3) === 0 &&
    m.payload.length + WL_HEADER_SIZE <= WL_MAX_WIRE_MESSAGE_SIZE
  );
}

/** The `wayland` handler: {@link WlWireMessage} ↔ its bytes on the wire (host byte order: little-endian here). */
export const waylandProtocolHandler: ProtocolHandler<WlWireMessage> = {
  supportedVersions: WAYLAND_PROTOCOL_VERSIONS,
  validate: isWlWireMessage,
  encode({ objectId, opcode, payload }) {
    const bytes = new Uint8Array(WL_HEADER_SIZE + payload.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, objectId, true);
    view.setUint32(4, (bytes.length << 16) | opcode, true);
    bytes.set(payload, WL_HEADER_SIZE);
    return bytes;
  },
  decode(bytes) {
    if (bytes.length < WL_HEADER_SIZE) throw new IPCError("TruncatedMessage", `a Wayland message needs 8 header bytes, got ${bytes.length}`, { context: { length: bytes.length } });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = messageSize(view, 0, WL_MAX_WIRE_MESSAGE_SIZE);
    if (size !== bytes.length) {
      throw new IPCError("ProtocolError", `the Wayland header says ${size} bytes, the message has ${bytes.length}`, { context: { size, length: bytes.length } });
    }
    return { objectId: view.getUint32(0, true), opcode: view.getUint32(4, true) & 0xffff, payload: bytes.slice(WL_HEADER_SIZE) };
  },
};
