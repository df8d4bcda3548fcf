/**
 * The transport conformance suite: the same behaviour, checked on every
 * transport (spec 5.1.1): ordering, 1 MiB messages, timeouts, backpressure,
 * close semantics, and a peer that crashes (a real child process, SIGKILL).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createChannel, listen, type Channel, type ChannelOptions, type Listener, type TransportType } from "../../runtime/transport/index.js";
import { connectRpc } from "../../runtime/rpc/connect.js";
import { IPCError } from "../../runtime/errors.js";
import { encodeMessage, type Message } from "../../runtime/wire/index.js";
import { connect as netConnect } from "node:net";
import { dataOf, endpointIn, eventMessage, makeTempDir, removeDir, spawnPeer } from "./helpers.js";
import { settledCode as codeOf } from "../helpers/ipc-error.js";

const TRANSPORTS: TransportType[] = ["unix", "pipe", "shm"];

/**
 * Sends `make(k)` (k: messages sent so far), each with a 100 ms timeout,
 * until three sends in a row time out (at most `attempts` sends); returns
 * how many went out. Any other outcome than sent or TimeoutExpired fails.
 */
async function sendUntilStuck(client: Channel, make: (k: number) => Message, attempts: number): Promise<number> {
  let sent = 0;
  let stuck = 0;
  for (let i = 0; i < attempts && stuck < 3; i++) {
    const code = await codeOf(client.send(make(sent), { timeoutMs: 100 }));
    if (code === "resolved") {
      sent++;
      stuck = 0;
    } else {
      expect(code).toBe("TimeoutExpired");
      stuck++;
    }
  }
  expect(stuck).toBe(3);
  return sent;
}


describe("unix: corrupted input", () => {
  it("reports CorruptedMessage from receive and still delivers the frames after it", async () => {
    const dir = makeTempDir();
    try {
      const listener = await listen(endpointIn(dir, "unix"), "unix");
      const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
      const raw = netConnect(listener.endpoint);
      await new Promise((resolve) => raw.once("connect", resolve));
      const server = await accepted;
      const garbage = Buffer.from("this is not a frame at all, just forty-odd bytes of noise........");
      raw.write(Buffer.concat([garbage, encodeMessage(eventMessage(5, "valid"))]));
      expect(await codeOf(server.receive(2000))).toBe("CorruptedMessage");
      expect(dataOf(await server.receive(2000))).toBe("valid");
      raw.destroy();
      await listener.close(false);
    } finally {
      removeDir(dir);
    }
  });
});

describe.each(TRANSPORTS)("transport %s", (transport) => {
  let dir: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(() => {
    dir = makeTempDir();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });
  afterAll(() => removeDir(dir));

  /** A listener plus one connected client; the server end arrives as `server`. */
  async function pair(options: ChannelOptions = {}): Promise<{
    listener: Listener;
    client: Channel;
    server: Channel;
  }> {
    const listener = await listen(endpointIn(dir, transport), transport, options);
    cleanups.push(() => listener.close(false));
    const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
    const client = await createChannel(listener.endpoint, transport, options.bufferSize, options);
    cleanups.push(() => client.close(false));
    return { listener, client, server: await accepted };
  }

  it("carries messages both ways in order", async () => {
    const { client, server } = await pair();
    const n = 5000;
    for (let i = 0; i < n; i++) await client.send(eventMessage(i + 1, i));
    for (let i = 0; i < n; i++) expect(dataOf(await server.receive())).toBe(i);
    await server.send(eventMessage(1, "back"));
    expect(dataOf(await client.receive())).toBe("back");
  });

  it("keeps order across many concurrent senders on one channel", async () => {
    const { client, server } = await pair();
    const sends = Array.from({ length: 2000 }, (_, i) => client.send(eventMessage(i + 1, i)));
    await Promise.all(sends);
    const got: number[] = [];
    for (let i = 0; i < 2000; i++) got.push(dataOf(await server.receive()) as number);
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it("carries 1 MiB messages intact in both directions", async () => {
    const { client, server } = await pair();
    const big = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    await client.send(eventMessage(1, big));
    await client.send(eventMessage(2, "after"));
    const got = dataOf(await server.receive()) as Uint8Array;
    expect(Buffer.from(got).equals(big)).toBe(true);
    expect(dataOf(await server.receive())).toBe("after");
    await server.send(eventMessage(3, big));
    expect(Buffer.from(dataOf(await client.receive()) as Uint8Array).equals(big)).toBe(true);
  });

  it("times out a receive with nothing to read", async () => {
    const { client } = await pair();
    const started = Date.now();
    expect(await codeOf(client.receive(50))).toBe("TimeoutExpired");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  // The connecting side reads through `onread`, the accepting side through 'data' events: both must stop reading.
  it.each(["client to server", "server to client"])("applies backpressure (%s): a full queue makes send wait, then time out, without unbounded memory", async (direction) => {
    const both = await pair({ bufferSize: 4096, maxQueuedMessages: 16 });
    const [client, server] = direction === "client to server" ? [both.client, both.server] : [both.server, both.client];
    const chunk = Buffer.alloc(64 * 1024, 1);
    // Nobody receives on the server: its queue fills and it stops reading, then
    // the kernel buffers fill, then our bounded queue; sends start timing out.
    const sent = await sendUntilStuck(client, (k) => eventMessage(k + 1, chunk), 2000);
    expect(client.trySend(eventMessage(99999, chunk))).toBe(false);
    expect(client.outboundBytes).toBeLessThan(4096 + 2 * (chunk.length + 200));
    // Once the server reads, the queue drains and sending works again.
    for (let i = 0; i < sent; i++) await server.receive();
    await client.writable();
    await client.send(eventMessage(100000, "ok"));
    let last: unknown;
    do last = dataOf(await server.receive());
    while (last !== "ok");
  });

  it("bounds what a pull-mode reader holds in bytes (maxQueuedBytes), then delivers everything in order", async () => {
    const { client, server } = await pair({ maxQueuedBytes: 1024 * 1024 });
    const size = 256 * 1024;
    const body = (i: number): Buffer => Buffer.alloc(size, i & 255);
    // Nobody receives: with 256 KiB messages the 10,000-message bound is far away,
    // so only the byte bound stops the server reading.
    const sent = await sendUntilStuck(client, (k) => eventMessage(k + 1, body(k)), 200);
    // 1 MiB is four of these frames; the read that crosses it can complete at most one more.
    expect(server.status().messagesReceived).toBeLessThanOrEqual(5);
    expect(server.status().messagesReceived).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < sent; i++) {
      const data = dataOf(await server.receive()) as Uint8Array;
      expect(data.length).toBe(size);
      expect(data[0]).toBe(i & 255);
      expect(data[size - 1]).toBe(i & 255);
    }
  });

  it("rejects a second close with ChannelAlreadyClosed and sends after close with ChannelClosed", async () => {
    const { client } = await pair();
    await client.close(true);
    expect(client.closed).toBe(true);
    expect(await codeOf(client.close())).toBe("ChannelAlreadyClosed");
    expect(await codeOf(client.send(eventMessage(1, 1)))).toBe("ChannelClosed");
  });

  it("flushes everything on a graceful close; the peer reads it all, then sees ChannelClosed", async () => {
    const { client, server } = await pair();
    for (let i = 0; i < 1000; i++) client.trySend(eventMessage(i + 1, i)) || (await client.send(eventMessage(i + 1, i)));
    await client.close(true);
    for (let i = 0; i < 1000; i++) expect(dataOf(await server.receive())).toBe(i);
    expect(await codeOf(server.receive(2000))).toBe("ChannelClosed");
  });

  it("reports PendingMessages when a graceful close cannot flush", async () => {
    // The server reads two messages into its queue, then stops reading (nobody receives).
    const { client } = await pair({ timeoutMs: 200, bufferSize: 1_048_576, maxQueuedMessages: 2 });
    const chunk = Buffer.alloc(256 * 1024, 2);
    // Fill kernel buffers and our queue until sends keep timing out: by then
    // the server has stopped reading and nothing will drain any more.
    let stuck = 0;
    while (stuck < 3) {
      stuck = (await codeOf(client.send(eventMessage(1, chunk), { timeoutMs: 100 }))) === "resolved" ? 0 : stuck + 1;
    }
    expect(await codeOf(client.close(true))).toBe("PendingMessages");
    expect(client.closed).toBe(true);
  });

  it("an immediate close fails the peer's receive with ChannelClosed", async () => {
    const { client, server } = await pair();
    const waiting = server.receive(5000);
    await client.close(false);
    expect(await codeOf(waiting)).toBe("ChannelClosed");
  });

  it("fails pending calls promptly with ChannelClosed when the server process is killed", async () => {
    const endpoint = endpointIn(dir, transport, "crash");
    const peer = await spawnPeer("test/bench/rpc-peer.js", [transport, endpoint]);
    cleanups.push(() => peer.kill());
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const rpc = await connectRpc(endpoint, { transport, timeoutMs: 20_000 });
      expect(await rpc.call("nova.bench.Echo", "echo", ["hi"])).toBe("hi");
      const pending = Array.from({ length: 10 }, () => rpc.call("nova.bench.Echo", "hang", []));
      const outcomes = Promise.allSettled(pending);
      await new Promise((r) => setTimeout(r, 50));
      const killedAt = Date.now();
      await peer.kill();
      const results = await outcomes;
      expect(Date.now() - killedAt).toBeLessThan(2000);
      for (const r of results) {
        expect(r.status).toBe("rejected");
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(IPCError);
        expect(((r as PromiseRejectedResult).reason as IPCError).code).toBe("ChannelClosed");
      }
      expect(await codeOf(rpc.call("nova.bench.Echo", "echo", ["late"]))).toBe("ChannelClosed");
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("replaces a stale endpoint and refuses a live one", async () => {
    const endpoint = endpointIn(dir, transport, "stale");
    const peer = await spawnPeer("test/bench/rpc-peer.js", [transport, endpoint]);
    expect(await codeOf(listen(endpoint, transport))).toBe("InvalidEndpointName");
    await peer.kill(); // leaves its endpoint file behind
    expect(await codeOf(createChannel(endpoint, transport, undefined, { timeoutMs: 1000 }))).toBe("EndpointUnreachable");
    const listener = await listen(endpoint, transport);
    cleanups.push(() => listener.close(false));
    const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
    const client = await createChannel(endpoint, transport);
    cleanups.push(() => client.close(false));
    await client.send(eventMessage(1, "fresh"));
    expect(dataOf(await (await accepted).receive())).toBe("fresh");
  });

  it("refuses a message above maxMessageSize with MessageTooLarge and keeps the channel usable", async () => {
    const { client, server } = await pair({ maxMessageSize: 4096 });
    expect(await codeOf(client.send(eventMessage(1, Buffer.alloc(8192))))).toBe("MessageTooLarge");
    await client.send(eventMessage(2, "small"));
    expect(dataOf(await server.receive())).toBe("small");
  });

  it("sends heartbeats when asked and reports connection status (spec 5.2.2)", async () => {
    const listener = await listen(endpointIn(dir, transport), transport);
    cleanups.push(() => listener.close(false));
    const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
    const client = await createChannel(listener.endpoint, transport, undefined, { heartbeatIntervalMs: 20 });
    cleanups.push(() => client.close(false));
    const server = await accepted;
    const beat = await server.receive(2000);
    expect(beat.type).toBe("heartbeat");
    expect(beat.type === "heartbeat" && beat.body.pid).toBe(BigInt(process.pid));
    expect(client.status().state).toBe("open");
    expect(client.status().messagesSent).toBeGreaterThanOrEqual(1);
    expect(server.status().messagesReceived).toBeGreaterThanOrEqual(1);
    await client.close(true);
    expect(client.status().state).toBe("closed");
  });

  it("fails to connect to an endpoint nobody serves with EndpointUnreachable", async () => {
    expect(await codeOf(createChannel(endpointIn(dir, transport, "nobody"), transport))).toBe("EndpointUnreachable");
  });
});
