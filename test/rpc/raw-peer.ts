/**
 * A raw NOVA peer for the RPC tests: a plain node:net Unix socket that writes
 * whatever bytes a test crafts (broken bodies, id 0, half frames) and decodes
 * what comes back with a FrameDecoder, so the tests see exactly what the
 * server put on the wire.
 */
import { connect, type Socket } from "node:net";
import { encodeMessage } from "../../runtime/wire/frame.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import type { Message, RequestMessage, ResponseMessage } from "../../runtime/wire/message.js";
import { fixCrc } from "../wire/arbitraries.js";

/** A connected raw peer. */
export interface RawPeer {
  readonly socket: Socket;
  /** Every message received so far, in order. */
  readonly received: Message[];
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  write(bytes: Uint8Array): void;
  /** The Response whose correlation id is `id`, waiting up to `ms`; rejects on timeout or close. */
  response(id: bigint, ms?: number): Promise<ResponseMessage>;
}

/** Connects a raw peer to the unix socket at `path`. */
export async function rawPeer(path: string): Promise<RawPeer> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const received: Message[] = [];
  const waiters = new Set<() => void>();
  const decoder = new FrameDecoder({
    onMessage: (m) => {
      received.push(m);
      for (const w of [...waiters]) w();
    },
    onError: () => undefined,
  });
  socket.on("data", (chunk) => decoder.push(chunk));
  socket.on("error", () => undefined);
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    socket.once("close", () => {
      isClosed = true;
      for (const w of [...waiters]) w();
      resolve();
    }),
  );
  return {
    socket,
    received,
    closed,
    write: (bytes) => void socket.write(bytes),
    response: (id, ms = 3000) =>
      new Promise<ResponseMessage>((resolve, reject) => {
        const check = (): void => {
          const hit = received.find((m): m is ResponseMessage => m.type === "response" && m.correlationId === id);
          if (hit) done(() => resolve(hit));
          else if (isClosed) done(() => reject(new Error(`closed before the response to ${id}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no response to ${id} within ${ms} ms`))), ms);
        const done = (fn: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          fn();
        };
        waiters.add(check);
        check();
      }),
  };
}

/** A call Request (params = positional arguments). */
export function request(id: bigint, method: string, params: unknown, flags = 0, timeoutMs = 5000): RequestMessage {
  return { type: "request", messageId: id, correlationId: 0n, timestampNs: 1n, body: { method, params, timeoutMs, flags } };
}

/**
 * The frame of `message` with the last `tail.length` bytes of its payload
 * replaced by `tail` and the CRC recomputed: an intact frame whose body is bad.
 */
export function withBadTail(message: Message, tail: readonly number[], options?: Parameters<typeof encodeMessage>[1]): Uint8Array {
  const f = Uint8Array.from(encodeMessage(message, options));
  f.set(tail, f.length - tail.length);
  return fixCrc(f);
}
