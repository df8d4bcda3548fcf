/**
 * Opening a D-Bus connection's socket: try each address of the list in
 * order, connect, authenticate, and hand over a descriptor of our own (the
 * messages then flow through runtime/dbus/socket-io.ts). Every failure is an
 * IPCError EndpointUnreachable listing what each address said.
 *
 * Unix sockets are connected by the addon (connectUnix): Node's net pads an
 * abstract name with NULs to the full 108 bytes of sun_path, which names
 * another socket than the exact-length one dbus-daemon binds. TCP goes
 * through net. Authentication runs on a net.Socket either way.
 */
import { Socket, createConnection } from "node:net";
import { IPCError } from "../errors.js";
import { loadNative, type NativeBinding } from "../../native/index.js";
import { descriptorOf } from "../transport/socket-reader.js";
import { parseAddresses, sessionBusAddress, socketTarget, systemBusAddress, type SocketTarget } from "./address.js";
import { authenticate, type AuthResult } from "./auth.js";

/** An authenticated socket, ours alone. */
export interface OpenedSocket {
  readonly fd: number;
  readonly auth: AuthResult;
  /** The address that worked. */
  readonly address: string;
}

/** Resolves the address to use from connect options: `address`, else the `bus` ("session" by default). */
export function resolveAddress(opts: { address?: string; bus?: "session" | "system" }): string {
  if (opts.address !== undefined) return opts.address;
  return opts.bus === "system" ? systemBusAddress() : sessionBusAddress();
}

/** The addon, which D-Bus connections cannot do without (descriptor passing, exact abstract names). */
function native(): NativeBinding {
  try {
    return loadNative();
  } catch (cause) {
    throw new IPCError("TransportNotSupported", "D-Bus connections need the native addon (npm run build:native)", { cause });
  }
}

/** Longest wait between two connect attempts while a listener's backlog is full (EAGAIN). */
const MAX_BACKLOG_RETRY_MS = 100;

/**
 * A Unix socket connected by the addon, wrapped in a net.Socket for
 * authentication. A full backlog (EAGAIN: Linux refuses a non-blocking
 * Unix connect instead of queueing it, and nothing signals when there is
 * room) is retried with a short backoff until `timeoutMs`.
 */
async function connectUnix(target: Extract<SocketTarget, { kind: "path" | "abstract" }>, timeoutMs: number): Promise<Socket> {
  const n = native();
  const deadline = Date.now() + timeoutMs;
  const name = target.kind === "path" ? target.path : Buffer.from(target.name, "utf8");
  for (let delay = 1; ; delay = Math.min(delay * 2, MAX_BACKLOG_RETRY_MS)) {
    try {
      return new Socket({ fd: n.connectUnix(name, target.kind === "abstract"), readable: true, writable: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
        continue;
      }
      throw new Error(
        code === "ENOENT"
          ? "no bus listens there (ENOENT)"
          : code === "ECONNREFUSED"
            ? target.kind === "abstract"
              ? "no socket has that abstract name (ECONNREFUSED)"
              : "connection refused (ECONNREFUSED)"
            : code === "EAGAIN"
              ? `the bus's listen backlog stayed full for ${timeoutMs} ms (EAGAIN)`
              : code === "ENAMETOOLONG"
                ? "the socket name is longer than 107 bytes (ENAMETOOLONG)"
                : (error as Error).message,
      );
    }
  }
}

function connectTcp(target: Extract<SocketTarget, { kind: "tcp" }>, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(error.code === "ECONNREFUSED" ? "connection refused (ECONNREFUSED)" : error.message));
    });
  });
}

/** A close-on-exec duplicate of the socket's descriptor; Node's socket is destroyed. */
function takeDescriptor(socket: Socket): number {
  try {
    const fd = descriptorOf(socket);
    if (fd === undefined) throw new IPCError("TransportNotSupported", "the connected socket has no descriptor to take over");
    return native().dupFd(fd);
  } finally {
    socket.destroy();
  }
}

/** Connects and authenticates to the first address of `addressText` that works. */
export async function openBusSocket(addressText: string, timeoutMs: number): Promise<OpenedSocket> {
  const failures: string[] = [];
  for (const address of parseAddresses(addressText)) {
    const target = socketTarget(address);
    if (typeof target === "string") {
      failures.push(target);
      continue;
    }
    let socket: Socket | undefined;
    try {
      socket = target.kind === "tcp" ? await connectTcp(target, timeoutMs) : await connectUnix(target, timeoutMs);
      const auth = await authenticate(socket, { what: address.text, timeoutMs, negotiateFds: target.kind !== "tcp" });
      return { fd: takeDescriptor(socket), auth, address: address.text };
    } catch (error) {
      socket?.destroy();
      if (error instanceof IPCError && error.code === "TransportNotSupported") throw error;
      failures.push(error instanceof IPCError ? error.message : `${address.text}: ${(error as Error).message}`);
    }
  }
  throw new IPCError("EndpointUnreachable", `cannot connect to the D-Bus bus at ${addressText}: ${failures.join("; ")}`, { context: { address: addressText, failures } });
}
