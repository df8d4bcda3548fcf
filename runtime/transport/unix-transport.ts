/**
 * The `unix` transport: SOCK_STREAM Unix domain sockets.
 *
 * Listening creates the socket with mode 0600 (inside a 0700 runtime
 * directory for short names). A socket file left by a dead server is stale:
 * connecting to it fails with ECONNREFUSED, so it is unlinked and replaced; a
 * socket some live server still answers on is left alone and listening fails
 * with `InvalidEndpointName`.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { chmodSync, lstatSync, unlinkSync } from "node:fs";
import { IPCError } from "../errors.js";
import { resolveEndpoint } from "./endpoint.js";
import { adoptAccepted, SocketReader } from "./socket-reader.js";
import { socketLink } from "./byte-link.js";
import { resolveChannelOptions, StreamChannel, type ResolvedChannelOptions } from "./stream-channel.js";
import { TRANSPORT_DEFAULTS, type Channel, type ChannelOptions, type Listener, type ListenerOptions } from "./types.js";
import { ListenerBase } from "./listener-base.js";

/** Maps a connect/listen errno to the spec's error codes. */
export function connectError(path: string, error: NodeJS.ErrnoException): IPCError {
  const errno = error.code;
  const code =
    errno === "EMFILE" || errno === "ENFILE" || errno === "ENOMEM" || errno === "ENOBUFS" || errno === "EAGAIN"
      ? "InsufficientResources"
      : "EndpointUnreachable";
  return new IPCError(code, `cannot connect to ${path}: ${error.message}`, { cause: error, context: { endpoint: path, errno } });
}

/** Opens a socket to `path`, resolving once connected (also the shm transport's handshake socket). */
export function connectSocket(path: string, timeoutMs: number, reader?: SocketReader): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = createConnection(reader === undefined ? { path } : { path, onread: reader.onread });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new IPCError("TimeoutExpired", `connecting to ${path} took longer than ${timeoutMs} ms`, { context: { endpoint: path, timeoutMs } }));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(connectError(path, error));
    });
  });
}

/** Client side of the unix transport (spec create_channel). */
export async function connectUnix(endpoint: string, options: ChannelOptions = {}): Promise<Channel> {
  const opts = resolveChannelOptions(options);
  const path = resolveEndpoint(endpoint, "unix");
  const reader = new SocketReader();
  const socket = await connectSocket(path, opts.timeoutMs, reader);
  return new StreamChannel({ transport: "unix", endpoint: path, link: socketLink(socket, socket, reader), options: opts });
}

/** True when a live server accepts connections on `path`. */
async function isLive(path: string): Promise<boolean> {
  try {
    const socket = await connectSocket(path, 1000);
    socket.destroy();
    return true;
  } catch (error) {
    return !(error instanceof IPCError && (error.context.errno === "ECONNREFUSED" || error.context.errno === "ENOENT"));
  }
}

/** Removes a stale socket at `path`, or fails if it is not a socket or still live. */
export async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) {
    throw new IPCError("InvalidEndpointName", `${path} exists and is not a socket`, { context: { endpoint: path } });
  }
  if (await isLive(path)) {
    throw new IPCError("InvalidEndpointName", `another server is live on ${path}`, { context: { endpoint: path } });
  }
  try {
    unlinkSync(path);
  } catch {
    // Someone else removed it first; listen() reports any real conflict.
  }
}

/** A listening unix socket; see the file comment. */
class UnixListener extends ListenerBase {
  constructor(
    endpoint: string,
    private readonly server: Server,
    opts: ResolvedChannelOptions,
    maxConnections: number,
  ) {
    super("unix", endpoint, opts, maxConnections);
    server.on("connection", (socket: Socket) => {
      if (!this.admit()) {
        socket.destroy();
        return;
      }
      const own = adoptAccepted(socket);
      this.accept(new StreamChannel({ transport: "unix", endpoint, link: socketLink(own.socket, own.socket, own.reader), options: opts, peer: own.peer }));
    });
  }

  protected stopAccepting(): Promise<void> {
    return closeSocketServer(this.server, this.endpoint);
  }
}

/** Server side of the unix transport. */
export async function listenUnix(endpoint: string, options: ListenerOptions = {}): Promise<Listener> {
  const opts = resolveChannelOptions(options);
  const path = resolveEndpoint(endpoint, "unix", true);
  const server = await openSocketServer(path);
  return new UnixListener(path, server, opts, options.maxConnections ?? TRANSPORT_DEFAULTS.maxConnections);
}

/** Stops a server from {@link openSocketServer} and removes its socket file. */
export async function closeSocketServer(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * A listening Unix socket at `path` (mode 0600), a stale socket there
 * replaced first. Accepted sockets start paused: they read nothing before
 * their new owner takes them over. Also the shm transport's handshake socket.
 */
export async function openSocketServer(path: string): Promise<Server> {
  await clearStaleSocket(path);
  const server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const code = error.code === "EADDRINUSE" ? "InvalidEndpointName" : error.code === "EACCES" || error.code === "ENOENT" ? "InvalidEndpointName" : "InsufficientResources";
      reject(new IPCError(code, `cannot listen on ${path}: ${error.message}`, { cause: error, context: { endpoint: path, errno: error.code } }));
    });
    server.listen({ path, backlog: 4096 }, () => resolve());
  });
  server.removeAllListeners("error");
  server.on("error", () => {
    // Accept errors (EMFILE) are transient; the listener keeps serving.
  });
  chmodSync(path, 0o600);
  return server;
}
