/**
 * Closing and taking over raw file descriptors: what every transport that
 * works on descriptors directly (pipe, shm, D-Bus, Wayland) needs in the
 * same way, kept in one place.
 */
import { closeSync } from "node:fs";
import type { Socket } from "node:net";
import { nativeSockets } from "../../native/index.js";
import { IPCError } from "../errors.js";
import { descriptorOf } from "./socket-reader.js";

/** Closes a descriptor, ignoring "already closed". */
export function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}

/** Closes descriptors nobody will take (received with a dropped message, or at shutdown), ignoring "already closed". */
export function closeFds(fds: ArrayLike<number>): void {
  for (let i = 0; i < fds.length; i++) closeQuietly(fds[i]);
}

/**
 * Takes a connected socket's descriptor over (a close-on-exec duplicate) and
 * destroys Node's wrapper, so the caller alone drives the socket (through the
 * addon). Without the addon: IPCError TransportNotSupported with `noAddon`
 * as its message.
 */
export function takeDescriptor(socket: Socket, noAddon: string): number {
  const sockets = nativeSockets();
  const fd = descriptorOf(socket);
  if (sockets === undefined || fd === undefined) {
    socket.destroy();
    throw new IPCError("TransportNotSupported", noAddon);
  }
  const own = sockets.dupFd(fd);
  socket.destroy();
  return own;
}
