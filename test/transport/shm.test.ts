/**
 * What only the shm transport has (the shared behaviour is in
 * conformance.test.ts): the handshake's refusals (a client that is not an shm
 * peer, a full server), frames larger than the ring (written in pieces),
 * spinning mode, a sending child killed mid-stream, and no descriptor or
 * /dev/shm entry left after channels close.
 */
import { readdirSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { createChannel, listen, type Channel, type Listener } from "../../runtime/transport/index.js";
import { settledCode as codeOf } from "../helpers/ipc-error.js";
import { dataOf, endpointIn, eventMessage, makeTempDir, removeDir } from "./helpers.js";
import { dist, startScript } from "../shm/shm-helpers.js";
import fc from "fast-check";
import { closeSync, openSync } from "node:fs";
import { nativeShm } from "../../native/index.js";
import { createAnonymousRegion, type SharedRegion } from "../../runtime/shm/region.js";
import { SpscByteRing } from "../../runtime/shm/byte-ring.js";

let dir: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
beforeAll(() => (dir = makeTempDir()));
afterAll(() => removeDir(dir));
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
});

async function pair(options: Parameters<typeof createChannel>[3] = {}): Promise<{ listener: Listener; client: Channel; server: Channel }> {
  const listener = await listen(endpointIn(dir, "shm"), "shm", options);
  cleanups.push(() => listener.close(false));
  const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
  const client = await createChannel(listener.endpoint, "shm", undefined, options);
  cleanups.push(() => (client.closed ? undefined : client.close(false)));
  return { listener, client, server: await accepted };
}

/**
 * What a client sends in the shm handshake (idl/WIRE.md §13), built by hand:
 * a sealed memfd region with both 4 KiB rings formatted, and the 16-byte
 * hello naming their size. Tests change one thing and send it raw.
 */
function handRolledHello(): { region: SharedRegion; hello: Uint8Array } {
  const R = 4096;
  const offset = Math.ceil(SpscByteRing.bytesFor(R) / 64) * 64;
  const region = createAnonymousRegion(offset + SpscByteRing.bytesFor(R));
  SpscByteRing.init(region.buffer, region.dataOffset, R);
  SpscByteRing.init(region.buffer, region.dataOffset + offset, R);
  const hello = new Uint8Array(16);
  hello.set(Buffer.from("NOVASHM1"));
  new DataView(hello.buffer).setUint32(8, R, true);
  return { region, hello };
}

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

describe("shm transport", () => {
  it("carries frames larger than the ring (4 KiB rings, a 3 MB message) in order with small ones", async () => {
    const { client, server } = await pair({ shmRingBytes: 4096 });
    const big = Buffer.alloc(3_000_000, 7);
    big[2_999_999] = 9;
    await client.send(eventMessage(1, "before"));
    await client.send(eventMessage(2, big));
    await client.send(eventMessage(3, "after"));
    expect(dataOf(await server.receive(10_000))).toBe("before");
    const got = dataOf(await server.receive(10_000)) as Uint8Array;
    expect(got.length).toBe(3_000_000);
    expect(got[0]).toBe(7);
    expect(got[2_999_999]).toBe(9);
    expect(dataOf(await server.receive(10_000))).toBe("after");
  });

  it("works with spinning on both sides (spinUs) and parks again when idle", async () => {
    const { client, server } = await pair({ spinUs: 200 });
    server.setHandler({ onMessage: (m) => void server.trySend(eventMessage(Number(m.messageId) + 1_000_000, dataOf(m))) });
    for (let i = 1; i <= 500; i++) {
      await client.send(eventMessage(i, i));
      expect(dataOf(await client.receive(5000))).toBe(i);
    }
    // Idle long past the spin budget: the doorbell must still wake the peer.
    await new Promise((r) => setTimeout(r, 50));
    await client.send(eventMessage(9999, "late"));
    expect(dataOf(await client.receive(5000))).toBe("late");
  });

  it("refuses a client that is not an shm peer, and keeps serving others", async () => {
    const { listener, client, server } = await pair();
    const raw = netConnect(listener.endpoint);
    await new Promise((resolve) => raw.once("connect", resolve));
    raw.write("GET / HTTP/1.0\r\n\r\n");
    raw.resume(); // flowing, so that the end of stream (the refusal) is seen
    await new Promise((resolve) => raw.once("close", resolve));
    expect(listener.connections.size).toBe(1);
    await client.send(eventMessage(1, "still fine"));
    expect(dataOf(await server.receive(2000))).toBe("still fine");
  });

  it("fuzz: random hellos (bytes, sizes, descriptors of every kind) are refused, never crash the server or leak its descriptors", async () => {
    const { listener, client, server } = await pair();
    const n = nativeShm();
    const before = openFds();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.constantFrom("memfd-small", "memfd-big", "eventfd", "pipe", "none"), { maxLength: 3 }),
        async (bytes, magic, ring, kinds) => {
          const hello = new Uint8Array(Math.max(bytes.length, magic ? 16 : 0));
          hello.set(bytes);
          if (magic) {
            hello.set(Buffer.from("NOVASHM1"));
            new DataView(hello.buffer).setUint32(8, ring, true);
          }
          const fds = kinds
            .filter((k) => k !== "none")
            .map((k) => (k === "eventfd" ? n.eventfdCreate() : k === "pipe" ? openSync("/proc/self/cmdline", "r") : n.memfdCreate("fuzz", k === "memfd-big" ? 1 << 20 : 100)));
          const raw = netConnect(listener.endpoint);
          await new Promise((resolve) => raw.once("connect", resolve));
          const fd = (raw as unknown as { _handle: { fd: number } })._handle.fd;
          n.sendFds(fd, hello, fds);
          for (const f of fds) closeSync(f);
          raw.resume();
          await new Promise((resolve) => raw.once("close", resolve));
        },
      ),
      { numRuns: 40, seed: 13 },
    );
    expect(listener.connections.size).toBe(1);
    await client.send(eventMessage(1, "still fine"));
    expect(dataOf(await server.receive(2000))).toBe("still fine");
    await new Promise((r) => setTimeout(r, 20));
    expect(openFds()).toBeLessThanOrEqual(before);
  }, 60_000);

  it("refuses a well-formed hello whose doorbell is not an eventfd (a pipe could block the server's writes)", async () => {
    const { listener } = await pair();
    const n = nativeShm();
    const { region, hello } = handRolledHello();
    const notABell = openSync("/proc/self/cmdline", "r");
    const raw = netConnect(listener.endpoint);
    await new Promise((resolve) => raw.once("connect", resolve));
    const answer = new Promise<Buffer>((resolve) => raw.once("data", resolve));
    n.sendFds((raw as unknown as { _handle: { fd: number } })._handle.fd, hello, [region.fd!, notABell]);
    const reply = await answer;
    expect(reply.subarray(0, 8).toString()).toBe("NOVASHM1");
    expect(reply.readUInt32LE(12)).toBe(2);
    closeSync(notABell);
    region.close();
    raw.destroy();
    expect(listener.connections.size).toBe(1);
  });

  it("a peer that scribbles over the ring positions gets its channel closed, never a crash", async () => {
    const listener = await listen(endpointIn(dir, "shm"), "shm");
    cleanups.push(() => listener.close(false));
    const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
    const n = nativeShm();
    const { region, hello } = handRolledHello();
    const bell = n.eventfdCreate();
    const raw = netConnect(listener.endpoint);
    await new Promise((resolve) => raw.once("connect", resolve));
    const fd = (raw as unknown as { _handle: { fd: number } })._handle.fd;
    n.sendFds(fd, hello, [region.fd!, bell]);
    const server = await accepted;
    let reply = n.recvFds(fd, new Uint8Array(16));
    for (let i = 0; reply.bytes === -11 && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 5));
      reply = n.recvFds(fd, new Uint8Array(16));
    }
    expect(reply.fds.length).toBe(1);
    // The c2s ring's tail (byte 64 of its header) far past anything possible, then ring the server.
    new Int32Array(region.buffer, region.dataOffset + 64, 1)[0] = 0x7fffff00;
    n.eventfdSignal(reply.fds[0]!);
    const reason = await server.closedPromise;
    expect(reason?.code).toBe("ChannelClosed");
    expect(reason?.message).toMatch(/ring corrupted/);
    for (const f of [bell, reply.fds[0]!]) closeSync(f);
    region.close();
    raw.destroy();
  });

  it("gives InsufficientResources when the server holds its maximum of connections", async () => {
    const { listener } = await pair({ maxConnections: 1 } as never);
    expect(await codeOf(createChannel(listener.endpoint, "shm", undefined, { timeoutMs: 2000 }))).toBe("InsufficientResources");
  });

  it("a sending child killed with SIGKILL: whole messages only, then ChannelClosed", async () => {
    const listener = await listen(endpointIn(dir, "shm"), "shm");
    cleanups.push(() => listener.close(false));
    const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
    const child = startScript(`
      const { createChannel } = await import(${dist("runtime/transport/create-channel.js")});
      const ch = await createChannel(${JSON.stringify(listener.endpoint)}, "shm", undefined, { shmRingBytes: 65536 });
      console.log("connected");
      const body = new Uint8Array(40000).fill(3);
      for (let i = 1; ; i++) {
        const m = { type: "event", messageId: BigInt(i), correlationId: 0n, timestampNs: 1n, body: { eventType: "t", data: body, sourceId: 0n, priority: 0 } };
        if (!ch.trySend(m)) await ch.send(m);
      }
    `);
    cleanups.push(() => child.stop("SIGKILL"));
    await child.until(() => child.out.includes("connected"), "the child's channel");
    const server = await accepted;
    let next = 1;
    const first = await server.receive(5000);
    expect(first.messageId).toBe(BigInt(next++));
    setTimeout(() => void child.stop("SIGKILL"), 30);
    for (;;) {
      const code = await server.receive(5000).then(
        (m) => {
          expect(m.messageId).toBe(BigInt(next++));
          expect((dataOf(m) as Uint8Array).length).toBe(40000);
          return "ok";
        },
        (e: { code: string }) => e.code,
      );
      if (code !== "ok") {
        expect(code).toBe("ChannelClosed");
        break;
      }
    }
    expect(next).toBeGreaterThan(2);
  }, 30_000);

  it("leaves no descriptor open after its channels close", async () => {
    // Warm up (the addon's first use opens nothing that stays, but lazy loads may).
    const warm = await pair();
    await warm.client.close();
    const before = openFds();
    for (let i = 0; i < 5; i++) {
      const { listener, client, server } = await pair();
      await client.send(eventMessage(1, i));
      expect(dataOf(await server.receive(2000))).toBe(i);
      await client.close();
      await server.closedPromise;
      await listener.close(false);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(openFds()).toBeLessThanOrEqual(before);
  });
});
