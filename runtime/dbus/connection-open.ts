/**
 * Opening a D-Bus connection's socket: try each address of the list in
 * order, connect, authenticate, and take the descriptor over from Node (the
 * messages then flow through runtime/dbus/socket-io.ts). Every failure is an
 * IPCError EndpointUnreachable listing what each address said.
 */
import { createConnection, type Socket } from "node:net";
import { IPCError } from "../errors.js";
import { nativeSockets } from "../../native/index.js";
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

function connectNet(target: SocketTarget, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      target.kind === "tcp" ? createConnection({ host: target.host, port: target.port }) : createConnection({ path: target.kind === "path" ? target.path : `\0${target.name}` });
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
      const abstractNote =
        target.kind === "abstract"
          ? "; Node 20's net pads an abstract socket name to the full 108 bytes, so it cannot reach a bus that binds the exact name as dbus-daemon does (see runtime/dbus/README.md, known gaps)"
          : "";
      reject(new Error(error.code === "ENOENT" ? "no bus listens there (ENOENT)" : error.code === "ECONNREFUSED" ? `connection refused (ECONNREFUSED)${abstractNote}` : error.message));
    });
  });
}

/** A close-on-exec duplicate of the socket's descriptor; Node's socket is destroyed. */
function takeDescriptor(socket: Socket): number {
  const sockets = nativeSockets();
  const fd = descriptorOf(socket);
  try {
    if (sockets === undefined || fd === undefined) {
      throw new IPCError("TransportNotSupported", "D-Bus connections need the native addon (npm run build:native)");
    }
    return sockets.dupFd(fd);
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
      socket = await connectNet(target, timeoutMs);
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
