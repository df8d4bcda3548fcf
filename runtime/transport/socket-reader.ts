/**
 * Reading a socket through node:net's public `onread` option instead of its
 * 'data' events: the kernel's bytes land in one reused 64 KiB buffer and a
 * callback gets them, without a Buffer allocation and the Readable stream
 * machinery per chunk. On a process woken for one message (an RPC round trip)
 * that machinery is a measurable part of the latency: about 7 us of a ~60 us
 * round trip on the development VM (runtime/rpc/README.md).
 *
 * The chunk handed on is a view of the reused buffer, valid only during the
 * call: the FrameDecoder copies what it keeps (a partial frame) and decoded
 * messages never alias their input. Node offers `onread` for sockets it
 * connects and sockets made from a descriptor (the FIFOs of the pipe
 * transport), not for a listener's accepted sockets: {@link adoptAccepted}
 * re-wraps those (a duplicated descriptor), with 'data' events as the fallback.
 */

import { closeSync } from "node:fs";
import { Socket, type SocketConstructorOpts } from "node:net";
import { nativeSockets, type PeerCredentials } from "../../native/index.js";

/** Size of the reused read buffer: the kernel hands over at most this much per read. */
export const READ_BUFFER_BYTES = 64 * 1024;

/** Connects `onread` to whoever reads the socket later; chunks read before that are kept (copied). */
export class SocketReader {
  // A plain Uint8Array, not a Buffer: its per-read subarray is a plain view too,
  // which V8 makes without the Buffer subclass's species lookup.
  readonly #buffer = new Uint8Array(READ_BUFFER_BYTES);
  #target: ((chunk: Uint8Array) => void) | undefined;
  #early: Uint8Array[] = [];

  /** The `onread` option for `net.createConnection`. */
  readonly onread = {
    buffer: this.#buffer,
    // True: keep reading (false would pause the socket; the channel pauses it itself when its inbound queue fills).
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      const chunk = buffer.subarray(0, bytes);
      if (this.#target !== undefined) this.#target(chunk);
      else this.#early.push(Uint8Array.from(chunk));
      return true;
    },
  };

  /** Sends every chunk to `target` from now on (first the ones read before). */
  attach(target: (chunk: Uint8Array) => void): void {
    this.#target = target;
    while (this.#early.length > 0 && this.#target === target) target(this.#early.shift() as Uint8Array);
  }

  /** Stops sending chunks on; later ones are kept for the next {@link attach}. */
  detach(): void {
    this.#target = undefined;
  }

  /** Keeps (a copy of) `chunk` for the next {@link attach}, ahead of later reads: what a handshake read too far. */
  keep(chunk: Uint8Array): void {
    this.#early.unshift(Uint8Array.from(chunk));
  }
}

/**
 * The descriptor under a node:net socket, read from the live handle
 * (`_handle.fd` on every Unix platform Node supports); undefined when it has
 * none (destroyed, not connected, or a platform without it).
 */
export function descriptorOf(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

/** What {@link adoptAccepted} hands the listener. */
export interface AdoptedSocket {
  readonly socket: Socket;
  /** Set when `socket` reads through it (see {@link SocketReader}). */
  readonly reader?: SocketReader;
  /** The peer's credentials (SO_PEERCRED), when the addon could read them. */
  readonly peer?: PeerCredentials;
}

/**
 * Takes over a connection a `net.Server` (created with `pauseOnConnect`, so it
 * has read nothing) accepted: its descriptor is duplicated into a socket that
 * reads through a {@link SocketReader}, Node's wrapper is dropped, and the
 * peer's credentials are read on the way. Without the addon, or should
 * anything fail, the original socket is returned as it is (it then reads
 * through 'data' events once resumed) and only what could be read is reported.
 */
export function adoptAccepted(socket: Socket): AdoptedSocket {
  const native = nativeSockets();
  // Without a descriptor, keep Node's socket.
  const fd = descriptorOf(socket);
  if (native === undefined || fd === undefined) return { socket };
  let peer: PeerCredentials | undefined;
  try {
    peer = native.peerCredentials(fd);
  } catch {
    peer = undefined;
  }
  let copy: number;
  try {
    copy = native.dupFd(fd);
  } catch {
    return { socket, peer };
  }
  const reader = new SocketReader();
  let own: Socket;
  try {
    // net.Socket takes `onread` in its constructor too (lib/net.js); @types/node only lists it for connect().
    own = new Socket({ fd: copy, readable: true, writable: true, onread: reader.onread } as SocketConstructorOpts);
  } catch {
    closeSync(copy);
    return { socket, peer };
  }
  socket.destroy();
  return { socket: own, reader, peer };
}
