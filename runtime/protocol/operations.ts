/**
 * The four operations of spec 5.1.4 on {@link ChannelEndpoint}s: send_protocol_message,
 * receive_protocol_message, negotiate_protocol (register_protocol_handler is in registry.ts).
 * Each looks the protocol up in the endpoint's registry and runs the handler through the
 * wrappers of handler.ts, so every failure is one of the spec's typed errors.
 */
import { IPCError } from "../errors.js";
import { createChannel } from "../transport/create-channel.js";
import type { ChannelOptions, TransportType } from "../transport/types.js";
import { TRANSPORT_DEFAULTS } from "../transport/types.js";
import { ChannelEndpoint, type ChannelEndpointOptions } from "./endpoint.js";
import { decodeWith, encodeWith, PROTOCOL_NAME, validateWith, type NegotiatedProtocol, type ProtocolInfo } from "./handler.js";
import { protocols, type ProtocolRegistry } from "./registry.js";
import { formatVersion, inRange, toVersionRange, type ProtocolVersion, type VersionSpec } from "./version.js";

/** Options of {@link sendProtocolMessage} (spec `SendOptions`). */
export interface ProtocolSendOptions {
  /** How long to wait for room in a full outbound queue (default 5000 ms). */
  readonly timeoutMs?: number;
  /**
   * The version to encode in (one version, within the registered range). Default: the
   * negotiated version when this protocol was negotiated on the endpoint, else the highest
   * registered one.
   */
  readonly version?: string | ProtocolVersion;
}

/** A received message (spec `ProtocolMessage`): the decoded value and how it came. */
export interface ProtocolMessage<M = unknown> {
  readonly protocol: string;
  readonly version: ProtocolVersion;
  /** The message id of the frame that carried it. */
  readonly messageId: bigint;
  readonly message: M;
}

/**
 * Encodes `message` with the handler of `protocol` and sends it to `destination`; resolves with
 * the carrying frame's message id (spec send_protocol_message). Rejects with
 * ProtocolNotRegistered, UnsupportedProtocolVersion (a `version` outside the registered range),
 * MessageValidationFailed, ProtocolError (the handler failed to encode), EndpointUnreachable
 * (the channel is closed) or TimeoutExpired (its queue stayed full).
 */
export async function sendProtocolMessage<M>(protocol: string, destination: ChannelEndpoint, message: M, options: ProtocolSendOptions = {}): Promise<bigint> {
  const entry = destination.registry.require(protocol);
  let version: ProtocolVersion;
  if (options.version !== undefined) {
    version = toVersionRange(options.version).max;
    if (!inRange(version, entry.versions)) {
      throw new IPCError("UnsupportedProtocolVersion", `${protocol} is registered for ${formatVersion(entry.versions)}, not ${formatVersion(version)}`, {
        context: { protocol, version: formatVersion(version) },
      });
    }
  } else {
    const agreed = destination.negotiated;
    version = agreed?.name === protocol ? agreed.version : entry.versions.max;
  }
  const bytes = encodeWith(protocol, entry.handler, message, version);
  return destination.send(protocol, version, bytes, options.timeoutMs ?? TRANSPORT_DEFAULTS.timeoutMs);
}

/**
 * The next message of `protocol` from `source`, decoded and validated by its handler (spec
 * receive_protocol_message). Waits up to `timeoutMs` (default 5000; Infinity waits forever).
 * Rejects with ProtocolNotRegistered, TimeoutExpired, ChannelClosed (closed and drained),
 * MessageCorrupted (the payload or its envelope does not decode), ProtocolError (a version
 * outside the registered range) or MessageValidationFailed.
 */
export async function receiveProtocolMessage<M = unknown>(protocol: string, source: ChannelEndpoint, timeoutMs?: number): Promise<ProtocolMessage<M>> {
  const entry = source.registry.require(protocol);
  const item = await source.receive(protocol, timeoutMs);
  if (item.error) throw item.error;
  if (!inRange(item.version, entry.versions)) {
    throw new IPCError("ProtocolError", `received ${protocol} ${formatVersion(item.version)}, but ${formatVersion(entry.versions)} is registered here`, {
      context: { protocol, version: formatVersion(item.version), messageId: item.messageId },
    });
  }
  // A `nova` message arrives decoded by the channel; it is only validated.
  let message: unknown;
  if (item.message !== undefined) {
    validateWith(protocol, entry.handler, item.message, item.version, "received");
    message = item.message;
  } else {
    message = decodeWith(protocol, entry.handler, item.payload!, item.version);
  }
  return { protocol, version: item.version, messageId: item.messageId, message: message as M };
}

/** A protocol offer as callers write it: a name and a version spec (`"1.0-1.3"`, …). */
export interface ProtocolOffer {
  readonly name: string;
  readonly versions: VersionSpec;
}

/**
 * Negotiates with the peer of `endpoint` (spec negotiate_protocol; idl/WIRE.md §14): offers
 * `supported` (default: every protocol of the endpoint's registry, in registration order) and
 * resolves with the peer's choice: the first offered protocol it also speaks, at the highest
 * version both speak. Rejects with NoCommonProtocol, NegotiationFailed, TimeoutExpired or
 * EndpointUnreachable; UnsupportedProtocolVersion or InvalidArgument for a malformed offer.
 */
export async function negotiateProtocol(endpoint: ChannelEndpoint, supported?: readonly (ProtocolOffer | ProtocolInfo)[], timeoutMs?: number): Promise<NegotiatedProtocol> {
  const offers: ProtocolInfo[] = (supported ?? endpoint.registry.list()).map((o) => {
    if (typeof o.name !== "string" || !PROTOCOL_NAME.test(o.name)) throw new IPCError("InvalidArgument", `invalid protocol name ${JSON.stringify(o.name)}`, { context: { protocol: o.name } });
    return { name: o.name, versions: toVersionRange(o.versions) };
  });
  return endpoint.negotiate(offers, timeoutMs);
}

/**
 * Connects to `endpoint` on `transport` and wraps the channel (the client side); rejects as
 * createChannel does (EndpointUnreachable, InvalidEndpointName, TimeoutExpired …).
 */
export async function connectProtocolEndpoint(
  endpoint: string,
  transport: TransportType = "unix",
  options: ChannelOptions & ChannelEndpointOptions & { registry?: ProtocolRegistry } = {},
): Promise<ChannelEndpoint> {
  return new ChannelEndpoint(await createChannel(endpoint, transport, undefined, options), options.registry ?? protocols, options);
}
