/**
 * The byte sink of a stream channel: where the outbound queue's batches go.
 *
 * Node's `socket.write` runs every batch through the Writable stream, a write
 * request object and a completion callback on the next tick, even though
 * libuv almost always writes a small batch at once. On a process woken for
 * one message that is a couple of microseconds per write (runtime/rpc/README.md).
 * So when nothing is queued in the socket's stream, the batch goes to the
 * kernel directly with one write(2) from the addon ({@link nativeWrites}):
 * `tryWrite`, done when it returns, with no callback. Whatever the kernel did
 * not take — its buffer is full, or the write failed — the queue hands to
 * `write`, which is `socket.write`: Node then waits for room (and signals
 * backpressure) or reports the error through its usual 'error' and close path. Bytes are never reordered:
 * a direct write happens only while the stream holds nothing, and the
 * descriptor is read from the live handle at each write (a destroyed socket
 * has none), never kept.
 */
import type { Socket } from "node:net";
import { nativeWrites } from "../../native/index.js";
import type { ByteSink } from "./outbound-queue.js";
import { descriptorOf } from "./socket-reader.js";

/** The sink that writes to `socket`: directly when the addon allows it (tryWrite), else through `socket.write`. */
export function socketSink(socket: Socket): ByteSink {
  const native = nativeWrites();
  const write = (data: Uint8Array, done: (error?: Error | null) => void): void => void socket.write(data, done);
  if (native === undefined) return { write };
  const { writeFd } = native;
  return {
    tryWrite(data, length) {
      if (socket.writableLength !== 0 || socket.connecting || socket.writableEnded || socket.destroyed) return 0;
      const fd = descriptorOf(socket);
      if (fd === undefined) return 0;
      const written = writeFd(fd, data, 0, length);
      // -EAGAIN (full) or an error: Node's write waits for room or reports it.
      return written > 0 ? written : 0;
    },
    write,
  };
}
