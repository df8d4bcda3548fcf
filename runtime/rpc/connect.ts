/**
 * One-call setup of RPC over a transport: `connectRpc` for clients,
 * `serveRpc` for servers. The transport is picked here, when connecting;
 * generated clients and skeletons only ever see the ports.
 */
import { createChannel, listen } from "../transport/create-channel.js";
import type { ChannelOptions, Listener, ListenerOptions, TransportType } from "../transport/types.js";
import { RpcClient, type RpcClientOptions } from "./rpc-client.js";
import { RpcServer, type RpcServerOptions } from "./rpc-server.js";

/** Options of {@link connectRpc}. */
export interface ConnectRpcOptions extends ChannelOptions, RpcClientOptions {
  /** Transport to use (default "unix"). */
  transport?: TransportType;
}

/** Connects an {@link RpcClient} to the server on `endpoint`. */
export async function connectRpc(endpoint: string, options: ConnectRpcOptions = {}): Promise<RpcClient> {
  const channel = await createChannel(endpoint, options.transport ?? "unix", undefined, options);
  return new RpcClient(channel, options);
}

/** Options of {@link serveRpc}. */
export interface ServeRpcOptions extends ListenerOptions, RpcServerOptions {
  /** Transport to use (default "unix"). */
  transport?: TransportType;
}

/** A listening RPC server. */
export interface RpcEndpoint {
  readonly server: RpcServer;
  readonly listener: Listener;
  /** Stops serving: closes the listener and every connection. */
  close(graceful?: boolean): Promise<void>;
}

/** Listens on `endpoint` and serves RPC on every connection. */
export async function serveRpc(endpoint: string, options: ServeRpcOptions = {}): Promise<RpcEndpoint> {
  const listener = await listen(endpoint, options.transport ?? "unix", options);
  const server = new RpcServer(options).serve(listener);
  return { server, listener, close: (graceful = true) => listener.close(graceful) };
}
