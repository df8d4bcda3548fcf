/**
 * The direct write path of stream channels (transport/direct-writer.ts) and
 * the addon's writeFd under it: batches go to the kernel without Node's
 * Writable stream while that stream is empty, what the kernel does not take
 * goes through `socket.write`, bytes are never reordered or lost, and errors
 * arrive through the usual callback. Real Unix sockets throughout.
 */
import { closeSync, openSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { constants } from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nativeWrites } from "../../native/index.js";
import { socketSink } from "../../runtime/transport/direct-writer.js";
import type { ByteSink } from "../../runtime/transport/outbound-queue.js";
import { channelPairScript, endpointIn, makeTempDir, removeDir, ROOT, runModuleScript } from "./helpers.js";

const writes = nativeWrites();

let dir: string;
let server: Server | undefined;
const open: Socket[] = [];
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(async () => {
  for (const socket of open.splice(0)) socket.destroy();
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
  removeDir(dir);
});

/** A connected pair: `client` (ours) and the accepted end, paused until the test reads it. */
async function socketPair(): Promise<{ client: Socket; peer: Socket }> {
  const path = endpointIn(dir, "unix");
  server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server!.listen(path, resolve));
  const accepted = new Promise<Socket>((resolve) => server!.once("connection", resolve));
  const client = connect(path);
  await new Promise<void>((resolve, reject) => {
    client.once("connect", resolve);
    client.once("error", reject);
  });
  const peer = await accepted;
  open.push(client, peer);
  return { client, peer };
}

/** Reads exactly `n` bytes from `socket` (resuming it). */
function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    socket.on("data", (chunk: Buffer) => {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) resolve(Buffer.concat(parts));
    });
    socket.once("error", reject);
    socket.resume();
  });
}

/** Batch `k` of `size` bytes, distinct from every other batch at every offset. */
function batch(k: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (k * 131 + i * 7 + (i >>> 8)) & 255;
  return b;
}

/** What the outbound queue does with a batch: tryWrite, then `write` for the rest. */
function put(sink: ByteSink, data: Uint8Array, done: (error?: Error | null) => void): void {
  const taken = sink.tryWrite?.(data, data.length) ?? 0;
  if (taken === data.length) done();
  else sink.write(data.subarray(taken), done);
}

function fdOf(socket: Socket): number {
  return (socket as unknown as { _handle: { fd: number } })._handle.fd;
}

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).name;
  }
  return "no throw";
}

describe("native writeFd", () => {
  it("is available (npm install builds the addon)", () => {
    expect(writes).toBeDefined();
  });

  it("writes a range of the buffer and returns the count; a bad descriptor is -EBADF, not a throw", async () => {
    const { client, peer } = await socketPair();
    const data = batch(1, 100);
    expect(writes!.writeFd(fdOf(client), data, 10, 60)).toBe(50);
    expect(writes!.writeFd(fdOf(client), data, 60, 60)).toBe(0);
    expect(Buffer.compare(await readBytes(peer, 50), Buffer.from(data.subarray(10, 60)))).toBe(0);
    expect(writes!.writeFd(1_000_000, data, 0, 10)).toBe(-constants.errno.EBADF);
    const readOnly = openSync("/dev/null", "r");
    try {
      expect(writes!.writeFd(readOnly, data, 0, 10)).toBe(-constants.errno.EBADF);
    } finally {
      closeSync(readOnly);
    }
    client.destroy();
    peer.destroy();
  });

  it("rejects bad arguments with TypeError or RangeError", () => {
    const b = new Uint8Array(8);
    const call = writes!.writeFd as (...args: unknown[]) => number;
    expect(thrown(() => call(-1, b, 0, 1))).toBe("TypeError");
    expect(thrown(() => call(1.5, b, 0, 1))).toBe("TypeError");
    expect(thrown(() => call("1", b, 0, 1))).toBe("TypeError");
    expect(thrown(() => call(1, [1, 2], 0, 1))).toBe("TypeError");
    expect(thrown(() => call(1, new Uint16Array(4), 0, 1))).toBe("TypeError");
    expect(thrown(() => call(1, b, 0, 9))).toBe("RangeError");
    expect(thrown(() => call(1, b, 5, 4))).toBe("RangeError");
    expect(thrown(() => call(1, b, -1, 4))).toBe("RangeError");
    expect(thrown(() => call(1, b, 0))).toBe("TypeError");
  });

  it("returns -EAGAIN when the socket buffer is full", async () => {
    const { client, peer } = await socketPair();
    const big = new Uint8Array(1 << 20);
    let result = 0;
    for (let i = 0; i < 64 && result >= 0; i++) result = writes!.writeFd(fdOf(client), big, 0, big.length);
    expect(result).toBe(-constants.errno.EAGAIN);
    client.destroy();
    peer.destroy();
  });
});

describe("socketSink", () => {
  it("writes directly while Node's stream is empty: everything arrives in order, completion is immediate", async () => {
    const { client, peer } = await socketPair();
    const sink = socketSink(client);
    // 40 batches, about 14 KiB: well within what the kernel buffers for an unread socket.
    const sizes = Array.from({ length: 40 }, (_, k) => 1 + ((k * 97) % 700));
    const expected = Buffer.concat(sizes.map((s, k) => batch(k, s)));
    const arrived = readBytes(peer, expected.length);
    let done = 0;
    sizes.forEach((s, k) =>
      put(sink, batch(k, s), (error) => {
        expect(error ?? undefined).toBeUndefined();
        done++;
      }),
    );
    expect(done).toBe(sizes.length); // the kernel took each batch at once
    expect(client.bytesWritten).toBe(0); // none went through Node's stream
    expect(Buffer.compare(await arrived, expected)).toBe(0);
    client.destroy();
    peer.destroy();
  });

  it("hands what the kernel does not take to socket.write and keeps the order through backpressure", async () => {
    const { client, peer } = await socketPair(); // the peer reads nothing until the end
    const sink = socketSink(client);
    const count = 160;
    const size = 64 * 1024; // 10 MiB in all: far more than the socket buffers hold
    const batches = Array.from({ length: count }, (_, k) => batch(k, size));
    const errors: unknown[] = [];
    let done = 0;
    const allDone = new Promise<void>((resolve) => {
      for (const b of batches) {
        put(sink, b, (error) => {
          if (error) errors.push(error);
          if (++done === count) resolve();
        });
      }
    });
    expect(done).toBeLessThan(count); // the kernel's buffer filled up: the rest waits in Node's stream
    expect(client.writableLength).toBeGreaterThan(0);
    const arrived = await readBytes(peer, count * size);
    await allDone;
    expect(errors).toEqual([]);
    expect(client.bytesWritten).toBeGreaterThan(0);
    expect(client.bytesWritten).toBeLessThan(count * size); // part of it went directly
    expect(Buffer.compare(arrived, Buffer.concat(batches))).toBe(0);
    // Drained: direct writes again.
    const before = client.bytesWritten;
    let again = false;
    const tail = batch(999, 300);
    const tailArrived = readBytes(peer, 300);
    put(sink, tail, () => (again = true));
    expect(again).toBe(true);
    expect(client.bytesWritten).toBe(before);
    expect(Buffer.compare((await tailArrived).subarray(-300), Buffer.from(tail))).toBe(0);
    client.destroy();
    peer.destroy();
  });

  it("reports a write to a closed peer through the callback, without throwing", async () => {
    const { client, peer } = await socketPair();
    const sink = socketSink(client);
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.on("error", () => undefined); // Node also emits it on the socket
    peer.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = await new Promise<Error | null | undefined>((resolve) => {
      const write = (): void => put(sink, batch(1, 1000), (e) => (e ? resolve(e) : setImmediate(write)));
      write();
    });
    expect(error).toBeInstanceOf(Error);
    expect((error as NodeJS.ErrnoException).code).toMatch(/^(EPIPE|ECONNRESET|ERR_STREAM_DESTROYED)$/);
    client.destroy();
    await closed;
  });

  it("takes nothing directly once the socket has ended: the stream reports the error", async () => {
    const { client, peer } = await socketPair();
    const sink = socketSink(client);
    client.end();
    expect(sink.tryWrite!(batch(2, 10), 10)).toBe(0);
    const error = await new Promise<Error | null | undefined>((resolve) => put(sink, batch(2, 10), resolve));
    expect((error as NodeJS.ErrnoException).code).toBe("ERR_STREAM_WRITE_AFTER_END");
    client.destroy();
    peer.destroy();
  });
});

describe("channels without the addon's direct write (NOVA_NO_NATIVE_WRITE=1)", () => {
  it("carry messages both ways through Node's stream", async () => {
    const endpoint = endpointIn(dir, "unix");
    const script = channelPairScript(
      endpoint,
      `const native = await import(${JSON.stringify(`${ROOT}/dist/native/index.js`)});
      for (let i = 0; i < 300; i++) client.trySend(ev(i + 1, i)) || (await client.send(ev(i + 1, i)));
      let sum = 0;
      for (let i = 0; i < 300; i++) sum += (await server.receive()).body.data;
      await server.send(ev(1000, "x".repeat(200000)));
      const back = (await client.receive()).body.data.length;
      process.stdout.write(JSON.stringify({ native: native.nativeWrites() !== undefined, sum, back }));`,
    );
    expect(await runModuleScript(script, { NOVA_NO_NATIVE_WRITE: "1" })).toEqual({ native: false, sum: (299 * 300) / 2, back: 200000 });
  });
});
