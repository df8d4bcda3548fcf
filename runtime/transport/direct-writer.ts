/**
 * The byte sink of a stream channel: where the outbound queue's batches go.
 *
 * Node's `socket.write` runs every batch through the Writable stream, a write
 * request object and a completion callback on the next tick, even though
 * libuv almost always writes a small batch at once. On a process woken for
 * one message that is a couple of microseconds per write (runtime/rpc/README.md).
 * So when nothing is queued in the socket's stream, the batch goes to the
 * kernel directly with one write(2) from the addon ({@link nativeWrites}), and
 * the queue hears it is done at once. Whatever the kernel did not take — its
 * buffer is full, or the write failed — goes through `socket.write` as
 * before: Node then waits for room (and signals backpressure) or reports the
 * error through its usual 'error' and close path. Bytes are never reordered:
 * a direct write happens only while the stream holds nothing, and the
 * descriptor is read from the live handle at each write (a destroyed socket
 * has none), never kept.
 */
import type { Socket } from "node:net";
import { nativeWrites } from "../../native/index.js";
import type { ByteSink } from "./outbound-queue.js";

interface HandleWithFd {
  fd?: unknown;
}

/** The sink that writes to `socket`: directly when the addon allows it, else through `socket.write`. */
export function socketSink(socket: Socket): ByteSink {
  const native = nativeWrites();
  if (native === undefined) return { write: (data, done) => void socket.write(data, done) };
  const { writeFd } = native;
  return {
    write(data, done) {
      if (socket.writableLength === 0 && !socket.connecting && !socket.writableEnded && !socket.destroyed) {
        // `_handle.fd` is the descriptor on every Unix platform Node supports (as in socket-reader.ts).
        const fd = (socket as unknown as { _handle: HandleWithFd | null })._handle?.fd;
        if (typeof fd === "number" && fd >= 0) {
          const written = writeFd(fd, data, 0, data.length);
          if (written === data.length) {
            done();
            return;
          }
          if (written > 0) {
            socket.write(data.subarray(written), done);
            return;
          }
        }
      }
      socket.write(data, done);
    },
  };
}
