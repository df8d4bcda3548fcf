/**
 * The protocol-handler contract (spec 5.1.4 `ProtocolHandler`): a codec with a version range.
 *
 * A handler only turns messages into bytes and back and says whether a message is well formed; it
 * never does I/O. That is what lets the same handler sit behind any carrier: the NOVA channel
 * envelope of runtime/protocol/endpoint.ts, a D-Bus connection (runtime/dbus's codec: `encode` a
 * `DbusMessage` into its marshalled bytes), or a Wayland socket. The registry wraps every call so
 * that a faulty plugin surfaces as the spec's typed errors, never as a stray exception.
 */
import { IPCError, isIPCError } from "../errors.js";
import { formatVersion, type ProtocolVersion, type VersionRange, type VersionSpec } from "./version.js";

/** A protocol implementation (spec `ProtocolHandler`). `M` is the type of its decoded messages. */
export interface ProtocolHandler<M = unknown> {
  /**
   * The versions this implementation can speak at all (default: any). Registering it for a
   * version outside them is UnsupportedProtocolVersion: a plugin built for 2.x refuses to be
   * registered as 1.0.
   */
  readonly supportedVersions?: VersionSpec;
  /**
   * True when `message` is a well-formed message of this protocol at `version` (spec
   * "schema-based message validation"). Called before every encode and after every decode; it may
   * also throw an IPCError `MessageValidationFailed` with details.
   */
  validate(message: unknown, version: ProtocolVersion): boolean;
  /** The message's bytes at `version`. Throwing is a ProtocolError for the sender. */
  encode(message: M, version: ProtocolVersion): Uint8Array;
  /** The message in `bytes` at `version`. Throwing is MessageCorrupted for the receiver. */
  decode(bytes: Uint8Array, version: ProtocolVersion): M;
}

/** A protocol and the versions it is offered in (spec `ProtocolInfo`): one entry of a negotiation offer. */
export interface ProtocolInfo {
  readonly name: string;
  readonly versions: VersionRange;
}

/** The outcome of a negotiation (spec `NegotiatedProtocol`). */
export interface NegotiatedProtocol {
  readonly name: string;
  readonly version: ProtocolVersion;
}

/** Identifies one registration (spec `HandlerID`); pass it to `unregisterProtocolHandler`. */
export type ProtocolHandlerId = number;

/** A protocol name: a letter, then up to 63 of `[A-Za-z0-9._-]` (also the rule on the wire, idl/WIRE.md §14). */
export const PROTOCOL_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/** Throws InvalidHandler unless `handler` has the three functions of {@link ProtocolHandler}. */
export function checkHandler(name: string, handler: unknown): asserts handler is ProtocolHandler {
  const h = handler as Partial<ProtocolHandler> | null;
  const missing = typeof h !== "object" || h === null ? ["validate", "encode", "decode"] : (["validate", "encode", "decode"] as const).filter((f) => typeof h[f] !== "function");
  if (missing.length > 0) {
    throw new IPCError("InvalidHandler", `protocol handler for ${JSON.stringify(name)} lacks ${missing.join(", ")}`, { context: { protocol: name, missing } });
  }
}

/** Runs the handler's validate: MessageValidationFailed when it returns anything but true, or throws. */
export function validateWith(name: string, handler: ProtocolHandler, message: unknown, version: ProtocolVersion, when: string): void {
  let ok: boolean;
  try {
    ok = handler.validate(message, version) === true;
  } catch (error) {
    if (isIPCError(error, "MessageValidationFailed")) throw error;
    throw new IPCError("MessageValidationFailed", `${name} ${formatVersion(version)}: the handler's validate threw ${when}: ${String(error)}`, {
      cause: error,
      context: { protocol: name, version: formatVersion(version) },
    });
  }
  if (!ok) {
    throw new IPCError("MessageValidationFailed", `${name} ${formatVersion(version)}: invalid message ${when}`, { context: { protocol: name, version: formatVersion(version) } });
  }
}

/**
 * Validates and encodes through `handler`: MessageValidationFailed when validation fails,
 * ProtocolError when `encode` throws or returns something other than bytes.
 */
export function encodeWith(name: string, handler: ProtocolHandler, message: unknown, version: ProtocolVersion): Uint8Array {
  validateWith(name, handler, message, version, "to send");
  let bytes: unknown;
  try {
    bytes = handler.encode(message, version);
  } catch (error) {
    if (isIPCError(error, "MessageValidationFailed")) throw error;
    throw new IPCError("ProtocolError", `${name} ${formatVersion(version)}: encoding failed: ${String(error)}`, { cause: error, context: { protocol: name } });
  }
  if (!(bytes instanceof Uint8Array)) throw new IPCError("ProtocolError", `${name}: the handler's encode returned no Uint8Array`, { context: { protocol: name } });
  return bytes;
}

/**
 * Decodes and validates through `handler`: MessageCorrupted when `decode` throws (the bytes are
 * not a message of this protocol), MessageValidationFailed when the decoded message is invalid.
 */
export function decodeWith<M>(name: string, handler: ProtocolHandler<M>, bytes: Uint8Array, version: ProtocolVersion): M {
  let message: M;
  try {
    message = handler.decode(bytes, version);
  } catch (error) {
    throw new IPCError("MessageCorrupted", `${name} ${formatVersion(version)}: received bytes do not decode: ${String(error)}`, {
      cause: error,
      context: { protocol: name, bytes: bytes.length, ...(isIPCError(error) ? { decoderCode: error.code } : {}) },
    });
  }
  validateWith(name, handler as ProtocolHandler, message, version, "received");
  return message;
}
