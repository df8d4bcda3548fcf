/**
 * What a {@link StreamChannel} reads and writes through: a byte stream in
 * each direction, with pause, half-close and teardown. Over sockets (unix,
 * pipe) it is {@link socketLink}; the shm transport's link moves the same
 * bytes through rings in shared memory (shm-link.ts). Framing, queues,
 * batching, backpressure and close semantics stay in the channel, one
 * implementation for every transport.
 */
import type { Socket } from "node:net";
import { socketSink } from "./direct-writer.js";
import type { ByteSink } from "./outbound-queue.js";
import type { SocketReader } from "./socket-reader.js";

/** The two byte streams under a channel. */
export interface ByteLink {
  /** Where the outbound queue's batches go. */
  readonly sink: ByteSink;
  /**
   * Starts delivering: `onChunk` gets the peer's bytes in order (a view that
   * is valid only during the call), `onEnd` runs once when the peer is gone
   * (end of stream: no error; a failure: the error).
   */
  start(onChunk: (chunk: Uint8Array) => void, onEnd: (error?: Error) => void): void;
  /** Stops (true) or resumes (false) reading from the peer. */
  setPaused(paused: boolean): void;
  /** Half-closes the outbound direction once written bytes are out; `done` runs then (or on failure). */
  end(done: () => void): void;
  /** Releases everything at once; no callback runs afterwards. */
  destroy(): void;
}

/** A link over one duplex socket (unix) or a read and a write socket (the FIFO pair of pipe). */
export function socketLink(input: Socket, output: Socket, reader?: SocketReader): ByteLink {
  return {
    sink: socketSink(output),
    start(onChunk, onEnd) {
      if (reader !== undefined) reader.attach(onChunk);
      else input.on("data", onChunk);
      input.on("end", () => onEnd());
      input.on("close", () => onEnd());
      input.on("error", (e) => onEnd(e));
      if (output !== input) {
        output.on("error", (e) => onEnd(e));
        output.on("close", () => onEnd());
      }
      // Accepted sockets start paused (pauseOnConnect), and 'end' needs a flowing
      // stream even when the bytes go to a SocketReader.
      input.resume();
    },
    setPaused(paused) {
      if (paused) input.pause();
      else input.resume();
    },
    end(done) {
      output.end(() => done());
    },
    destroy() {
      input.destroy();
      if (output !== input) output.destroy();
    },
  };
}
