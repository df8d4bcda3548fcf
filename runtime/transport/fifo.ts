/**
 * Small helpers for named pipes (FIFOs): creating them with mode 0600,
 * opening them without ever blocking the event loop or the libuv thread
 * pool, and wrapping a FIFO descriptor in a stream socket so that reads and
 * writes go through epoll like any other socket.
 */
import { execFile } from "node:child_process";
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { Socket } from "node:net";
import type { SocketReader } from "./socket-reader.js";
import { promisify } from "node:util";
import { IPCError } from "../errors.js";
import { loadNative, mkfifo } from "../../native/index.js";

const execFileAsync = promisify(execFile);

/** Whether the native addon's mkfifo(3) is usable; decided on first use. */
let nativeMkfifo: boolean | undefined;

function hasNativeMkfifo(): boolean {
  if (nativeMkfifo === undefined) {
    try {
      nativeMkfifo = typeof loadNative().mkfifo === "function";
    } catch {
      nativeMkfifo = false; // addon not built: the binary still works
    }
  }
  return nativeMkfifo;
}

/**
 * Creates FIFOs with mode 0600: with mkfifo(3) from the native addon (microseconds),
 * or, when the addon is not built, with the coreutils `mkfifo` binary (a child process).
 */
export async function makeFifos(paths: readonly string[]): Promise<void> {
  if (hasNativeMkfifo()) {
    try {
      for (const path of paths) mkfifo(path, 0o600);
      return;
    } catch (cause) {
      throw new IPCError("InsufficientResources", `mkfifo failed for ${paths.join(", ")}: ${(cause as Error).message}`, { cause, context: { paths } });
    }
  }
  try {
    await execFileAsync("mkfifo", ["-m", "0600", ...paths]);
  } catch (cause) {
    throw new IPCError("InsufficientResources", `mkfifo failed for ${paths.join(", ")}: ${(cause as Error).message}`, {
      cause,
      context: { paths },
    });
  }
}

/** How to open one end of a FIFO. */
export type FifoMode = "read" | "write" | "readwrite";

/**
 * Opens a FIFO without blocking. `read` always succeeds; `write` fails with
 * ENXIO while nobody reads; `readwrite` always succeeds and keeps the FIFO
 * alive. The descriptor is checked to really be a FIFO (O_NOFOLLOW, fstat),
 * so a peer cannot point us at a regular file or a symlink.
 */
export function openFifo(path: string, mode: FifoMode): number {
  const access = mode === "read" ? constants.O_RDONLY : mode === "write" ? constants.O_WRONLY : constants.O_RDWR;
  const fd = openSync(path, access | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    if (!fstatSync(fd).isFIFO()) {
      throw new IPCError("InvalidEndpointName", `${path} is not a FIFO`, { context: { path } });
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** Wraps a FIFO descriptor in a one-directional stream socket (the socket owns the fd). */
export function fifoSocket(fd: number, direction: "read" | "write", reader?: SocketReader): Socket {
  return new Socket({ fd, readable: direction === "read", writable: direction === "write", ...(reader === undefined ? {} : { onread: reader.onread }) });
}
