/**
 * Endpoint names and where they live on disk.
 *
 * An endpoint is either an absolute path (used as is) or a short name such as
 * `org.novade.Notifications`, which lives in the runtime directory:
 * `$XDG_RUNTIME_DIR/nova/<name>.sock` for unix sockets and `<name>.fifo` for
 * the pipe transport's rendezvous FIFO. Without XDG_RUNTIME_DIR (a system
 * service, a container, CI) the directory is `/tmp/nova-<uid>/`, checked to be
 * a real directory owned by us with mode 0700 so that another user cannot
 * pre-create it and intercept our sockets.
 */
import { lstatSync, mkdirSync, chmodSync } from "node:fs";
import { join, isAbsolute } from "node:path";
import { tmpdir } from "node:os";
import { IPCError } from "../errors.js";
import type { TransportType } from "./types.js";

/** Short endpoint names: letters, digits, `.`, `_`, `-`; no path separators. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** sun_path is 108 bytes including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

/** The directory short endpoint names resolve into (not created). */
export function runtimeDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && isAbsolute(xdg)) return join(xdg, "nova");
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(tmpdir(), `nova-${uid}`);
}

/**
 * Creates `dir` with mode 0700 if missing and checks that it is a directory
 * (not a symlink) owned by this user; fixes a looser mode.
 */
export function ensurePrivateDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
    if (!st.isDirectory() || st.uid !== uid) {
      throw new IPCError("InsufficientResources", `runtime directory ${dir} is not a directory owned by uid ${uid}`, {
        context: { dir, uid: st.uid },
      });
    }
    if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  } catch (cause) {
    if (cause instanceof IPCError) throw cause;
    throw new IPCError("InsufficientResources", `cannot prepare runtime directory ${dir}: ${(cause as Error).message}`, {
      cause,
      context: { dir },
    });
  }
}

/** The file suffix of each transport's endpoint. */
function suffixOf(transport: TransportType): string {
  return transport === "pipe" ? ".fifo" : transport === "shm" ? ".shm" : ".sock";
}

/**
 * Resolves an endpoint to an absolute path, validating it. Short names get
 * the runtime directory (created 0700 when `create` is true).
 */
export function resolveEndpoint(endpoint: string, transport: TransportType, create = false): string {
  if (typeof endpoint !== "string" || endpoint.length === 0 || endpoint.includes("\0")) {
    throw new IPCError("InvalidEndpointName", `invalid endpoint name ${JSON.stringify(endpoint)}`, { context: { endpoint } });
  }
  let path: string;
  if (isAbsolute(endpoint)) {
    path = endpoint;
  } else {
    if (!NAME_PATTERN.test(endpoint) || endpoint.includes("..")) {
      throw new IPCError(
        "InvalidEndpointName",
        `invalid endpoint name ${JSON.stringify(endpoint)}: use letters, digits, '.', '_', '-' (at most 100), or an absolute path`,
        { context: { endpoint } },
      );
    }
    const dir = runtimeDirectory();
    if (create) ensurePrivateDirectory(dir);
    path = join(dir, endpoint + suffixOf(transport));
  }
  if (transport === "unix" && Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new IPCError("InvalidEndpointName", `socket path is longer than ${MAX_SOCKET_PATH_BYTES} bytes: ${path}`, {
      context: { endpoint, path },
    });
  }
  return path;
}
