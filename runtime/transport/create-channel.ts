/**
 * The transport-agnostic entry points (spec 5.1.1 create_channel, 5.2.2
 * establish_connection): pick the transport by name when connecting or
 * listening; everything after that is the same {@link Channel}.
 */
import { IPCError } from "../errors.js";
import { connectPipe, listenPipe } from "./pipe-transport.js";
import { connectUnix, listenUnix } from "./unix-transport.js";
import { connectShm, listenShm } from "./shm-transport.js";
import { TRANSPORT_TYPES, type Channel, type ChannelOptions, type Listener, type ListenerOptions, type TransportType } from "./types.js";

function checkTransport(transport: string): asserts transport is TransportType {
  if (!(TRANSPORT_TYPES as readonly string[]).includes(transport)) {
    throw new IPCError("TransportNotSupported", `unknown transport ${JSON.stringify(transport)}; use one of ${TRANSPORT_TYPES.join(", ")}`, {
      context: { transport },
    });
  }
}

/**
 * Connects to the server listening on `endpoint` (spec create_channel).
 * `bufferSize` (4096..1048576) bounds the outbound queue in bytes.
 * Rejects with InvalidEndpointName, TransportNotSupported,
 * InsufficientResources, EndpointUnreachable or TimeoutExpired.
 */
export async function createChannel(
  endpoint: string,
  transport: TransportType = "unix",
  bufferSize?: number,
  options: ChannelOptions = {},
): Promise<Channel> {
  checkTransport(transport);
  const opts = bufferSize === undefined ? options : { ...options, bufferSize };
  return transport === "unix" ? connectUnix(endpoint, opts) : transport === "shm" ? connectShm(endpoint, opts) : connectPipe(endpoint, opts);
}

/**
 * Listens on `endpoint` and accepts channels (the server side of
 * create_channel). A stale endpoint file is replaced; a live one is an
 * InvalidEndpointName error.
 */
export async function listen(endpoint: string, transport: TransportType = "unix", options: ListenerOptions = {}): Promise<Listener> {
  checkTransport(transport);
  return transport === "unix" ? listenUnix(endpoint, options) : transport === "shm" ? listenShm(endpoint, options) : listenPipe(endpoint, options);
}
