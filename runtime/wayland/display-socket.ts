/**
 * Wayland display sockets, found and created the way libwayland does it, so that our clients
 * reach any compositor and libwayland clients (wayland-info, GTK, a C client) reach our server.
 *
 * Client side (wl_display_connect): `WAYLAND_SOCKET` (an inherited, already connected
 * descriptor) wins over everything; otherwise the display is the name given, else
 * `WAYLAND_DISPLAY`, else `wayland-0`. An absolute name is the socket path itself; a relative one
 * lives in `$XDG_RUNTIME_DIR`. The path must fit `sun_path` (107 bytes and the NUL).
 *
 * Server side (wl_display_add_socket): `$XDG_RUNTIME_DIR/<name>` plus `<name>.lock`. The lock
 * file is opened (created 0660) and locked with flock(LOCK_EX|LOCK_NB) for as long as the server
 * lives; whoever holds it owns the name, so a socket file found there afterwards is stale and
 * removed. libwayland compositors (weston) use the same lock, so they and we never steal each
 * other's display. The runtime dir must be ours and mode 0700 (no group/other bits), as the XDG
 * base-directory spec requires of it.
 */
import { closeSync, fstatSync, openSync, statSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { isAbsolute, join } from "node:path";
import { IPCError } from "../errors.js";
import { nativeSockets } from "../../native/index.js";
import { MAX_SOCKET_PATH_BYTES } from "../transport/endpoint.js";
import { takeDescriptor } from "../transport/descriptors.js";
import { closeSocketServer, connectSocket, openSocketServer } from "../transport/unix-transport.js";

/** The display name libwayland uses when neither a name nor WAYLAND_DISPLAY is given. */
export const DEFAULT_DISPLAY = "wayland-0";

/** The TransportNotSupported message when the addon is missing. */
const NO_ADDON = "Wayland connections need the native addon (npm run build:native)";

/** Where a client connects: an inherited descriptor (WAYLAND_SOCKET) or a socket path. */
export type DisplayAddress = { readonly kind: "fd"; readonly fd: number } | { readonly kind: "path"; readonly path: string };

function checkPathLength(path: string): string {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new IPCError("InvalidEndpointName", `the display socket path is longer than ${MAX_SOCKET_PATH_BYTES} bytes: ${path}`, {
      context: { endpoint: path, maxBytes: MAX_SOCKET_PATH_BYTES },
    });
  }
  return path;
}

/** `name` as a socket path: absolute names as they are, others under `$XDG_RUNTIME_DIR`. */
export function displayPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (name === "" || name.includes("\0")) throw new IPCError("InvalidEndpointName", `invalid Wayland display name ${JSON.stringify(name)}`, { context: { endpoint: name } });
  if (isAbsolute(name)) return checkPathLength(name);
  const dir = env.XDG_RUNTIME_DIR;
  if (dir === undefined || dir === "") {
    throw new IPCError("InvalidEndpointName", `XDG_RUNTIME_DIR is not set: cannot find Wayland display ${name} (give an absolute path instead)`, { context: { endpoint: name } });
  }
  return checkPathLength(join(dir, name));
}

/**
 * The address wl_display_connect(name) would use: WAYLAND_SOCKET (a decimal descriptor, which
 * must be an open socket), else the socket path of `name ?? WAYLAND_DISPLAY ?? "wayland-0"`.
 */
export function resolveDisplayAddress(name?: string, env: NodeJS.ProcessEnv = process.env): DisplayAddress {
  const inherited = env.WAYLAND_SOCKET;
  if (inherited !== undefined && inherited !== "") {
    const fd = /^\d+$/.test(inherited) ? Number(inherited) : -1;
    let isSocket = false;
    try {
      isSocket = fd >= 0 && fstatSync(fd).isSocket();
    } catch {
      isSocket = false;
    }
    if (!isSocket) throw new IPCError("EndpointUnreachable", `WAYLAND_SOCKET=${inherited} is not an open socket descriptor`, { context: { endpoint: `fd:${inherited}` } });
    return { kind: "fd", fd };
  }
  const display = name ?? (env.WAYLAND_DISPLAY === undefined || env.WAYLAND_DISPLAY === "" ? DEFAULT_DISPLAY : env.WAYLAND_DISPLAY);
  return { kind: "path", path: displayPath(display, env) };
}

/** `fd` made close-on-exec (libwayland sets FD_CLOEXEC on WAYLAND_SOCKET): a CLOEXEC duplicate replaces it. */
function closeOnExec(fd: number): number {
  const sockets = nativeSockets();
  if (sockets === undefined) throw new IPCError("TransportNotSupported", NO_ADDON);
  const own = sockets.dupFd(fd);
  closeSync(fd);
  return own;
}

/**
 * Connects to a Wayland display (see {@link resolveDisplayAddress}) and returns the connected
 * descriptor, owned by the caller (a WlConnection). A WAYLAND_SOCKET descriptor is taken over
 * (made close-on-exec) and the variable removed from `env`, as libwayland does, so that children
 * do not reuse it.
 */
export async function connectDisplay(name?: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<number> {
  const env = options.env ?? process.env;
  const address = resolveDisplayAddress(name, env);
  if (address.kind === "fd") {
    delete env.WAYLAND_SOCKET;
    return closeOnExec(address.fd);
  }
  return takeDescriptor(await connectSocket(address.path, options.timeoutMs ?? 10_000), NO_ADDON);
}

/** Options of {@link listenDisplay}. */
export interface ListenDisplayOptions {
  /** Display name (under XDG_RUNTIME_DIR) or absolute socket path; default: the first free of wayland-0 … wayland-32, as wl_display_add_socket_auto. */
  readonly name?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each accepted connection's descriptor (non-blocking, close-on-exec), now owned by the callee. */
  readonly onConnection: (fd: number) => void;
}

/** A listening display socket; {@link DisplaySocket.close} removes the socket and lock files. */
export interface DisplaySocket {
  /** The display name as clients give it (WAYLAND_DISPLAY). */
  readonly name: string;
  readonly path: string;
  readonly lockPath: string;
  close(): Promise<void>;
}

/** Refuses a runtime dir that is not a directory owned by us with mode 0700 (no group/other bits). */
function checkRuntimeDir(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch (cause) {
    throw new IPCError("InvalidEndpointName", `XDG_RUNTIME_DIR ${dir} does not exist`, { cause, context: { endpoint: dir } });
  }
  const uid = process.getuid?.() ?? st.uid;
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new IPCError("InvalidEndpointName", `XDG_RUNTIME_DIR ${dir} must be a directory owned by uid ${uid} with mode 0700 (it is ${(st.mode & 0o777).toString(8)}, uid ${st.uid})`, {
      context: { endpoint: dir, mode: st.mode & 0o777, uid: st.uid },
    });
  }
}

/**
 * flock(LOCK_EX|LOCK_NB) on `fd` through the addon, as libwayland's wl_socket_lock: the lock
 * belongs to the open file description, so it lasts while we keep `fd` open and the kernel
 * drops it when this process dies. True when locked; false when another process holds it.
 */
function lockFile(fd: number, lockPath: string): boolean {
  const sockets = nativeSockets();
  if (sockets === undefined) throw new IPCError("TransportNotSupported", "Wayland display sockets need the native addon (npm run build:native)", { context: { endpoint: lockPath } });
  try {
    return sockets.flock(fd, "exclusive");
  } catch (cause) {
    const e = cause as NodeJS.ErrnoException;
    throw new IPCError("InsufficientResources", `cannot lock ${lockPath}: ${e.message}`, { cause, context: { endpoint: lockPath, errno: e.errno, errnoName: e.code } });
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Locks `<path>.lock`, or returns undefined when another server holds it. */
function acquireLock(path: string): { fd: number; lockPath: string } | undefined {
  const lockPath = `${path}.lock`;
  let fd: number;
  try {
    fd = openSync(lockPath, "a+", 0o660);
  } catch (cause) {
    throw new IPCError("InvalidEndpointName", `unable to open lockfile ${lockPath}, check permissions`, { cause, context: { endpoint: lockPath } });
  }
  let locked = false;
  try {
    locked = lockFile(fd, lockPath);
  } finally {
    if (!locked) closeSync(fd);
  }
  return locked ? { fd, lockPath } : undefined;
}

/** Listens on one display path whose lock we hold; closes the lock on failure. */
async function listenLocked(path: string, lock: { fd: number; lockPath: string }, onConnection: (fd: number) => void): Promise<Server> {
  let server: Server;
  try {
    server = await openSocketServer(path);
  } catch (e) {
    closeSync(lock.fd);
    removeQuietly(lock.lockPath);
    throw e;
  }
  server.on("connection", (socket: Socket) => {
    let fd: number;
    try {
      fd = takeDescriptor(socket, NO_ADDON);
    } catch {
      return; // EMFILE and friends: drop this client, keep serving.
    }
    try {
      onConnection(fd);
    } catch {
      closeSync(fd); // the server could not take this client (no memory, no addon): drop it, keep serving
    }
  });
  return server;
}

/** Listens on a Wayland display socket with its lock file (see the file comment). */
export async function listenDisplay(options: ListenDisplayOptions): Promise<DisplaySocket> {
  const env = options.env ?? process.env;
  const names = options.name !== undefined ? [options.name] : Array.from({ length: 33 }, (_, i) => `wayland-${i}`);
  if (options.name === undefined || !isAbsolute(options.name)) {
    if (env.XDG_RUNTIME_DIR === undefined || env.XDG_RUNTIME_DIR === "") displayPath(names[0]!, env); // throws the XDG_RUNTIME_DIR error
    checkRuntimeDir(env.XDG_RUNTIME_DIR!);
  }
  for (const name of names) {
    const path = displayPath(name, env);
    const lock = acquireLock(path);
    if (lock === undefined) continue;
    const server = await listenLocked(path, lock, options.onConnection);
    let closed = false;
    return {
      name,
      path,
      lockPath: lock.lockPath,
      async close() {
        if (closed) return;
        closed = true;
        await closeSocketServer(server, path);
        removeQuietly(lock.lockPath);
        closeSync(lock.fd);
      },
    };
  }
  throw new IPCError(
    "InvalidEndpointName",
    options.name !== undefined ? `unable to lock ${displayPath(options.name, env)}.lock: another compositor is running on this display` : "no free Wayland display name (wayland-0 … wayland-32 are all locked)",
    { context: { endpoint: options.name ?? env.XDG_RUNTIME_DIR } },
  );
}
