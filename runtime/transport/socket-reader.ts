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
 * transport), not for a listener's accepted sockets: those keep 'data' events.
 */

/** Size of the reused read buffer: the kernel hands over at most this much per read. */
export const READ_BUFFER_BYTES = 64 * 1024;

/** Connects `onread` to whoever reads the socket later; chunks read before that are kept (copied). */
export class SocketReader {
  readonly #buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
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
