/**
 * The daemon under bad input and slow readers: hostile frames get typed
 * answers or `nova.bus.rejected`, never a crash, and every other connection is
 * unaffected (fast-check); a slow subscriber gets backpressure, then the
 * configured policy, with every event either delivered or counted as dropped.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BusDaemon, connectBus, type BusClient } from "../../runtime/bus/index.js";
import { IPCError } from "../../runtime/errors.js";
import { createChannel } from "../../runtime/transport/create-channel.js";
import type { Channel } from "../../runtime/transport/types.js";
import { encodeMessage } from "../../runtime/wire/frame.js";
import type { EventMessage, Message } from "../../runtime/wire/message.js";
import { fixCrc } from "../wire/arbitraries.js";
import { rawPeer } from "../rpc/raw-peer.js";

let dir: string;
let daemon: BusDaemon;
const open: { close(graceful?: boolean): Promise<void> }[] = [];

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not reached in time; stats ${JSON.stringify(daemon.stats())}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function start(options: Parameters<typeof BusDaemon.start>[0] = {}): Promise<void> {
  daemon = await BusDaemon.start({ socket: join(dir, "bus.sock"), ...options });
}

async function client(errors?: IPCError[]): Promise<BusClient> {
  const c = await connectBus(daemon.socket, { onError: (e) => errors?.push(e) });
  open.push(c);
  return c;
}

/** A connection that subscribes and then reads only when asked (pull mode). */
async function lazySubscriber(pattern: string): Promise<Channel> {
  const ch = await createChannel(daemon.socket, "unix", undefined, { maxQueuedMessages: 64, maxQueuedBytes: 64 * 1024 });
  open.push(ch);
  await ch.send({ type: "request", messageId: 1n, correlationId: 0n, timestampNs: 0n, body: { method: "@bus.subscribe", params: [pattern, null], timeoutMs: 0, flags: 0 } });
  const reply = await ch.receive(3000);
  expect(reply.type).toBe("response");
  return ch;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nova-bus-rob-"));
});

afterEach(async () => {
  for (const c of open.splice(0)) await c.close(false).catch(() => undefined);
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("slow subscribers", () => {
  it("backpressure: a subscriber briefly behind holds the publisher back and loses nothing", async () => {
    // The overflow bound exceeds what one socket read (64 KiB, ~500 events) can route at once.
    await start({ bufferSize: 4096, maxPendingFrames: 2000, slowSubscriberMs: 5000 });
    const lagging = await lazySubscriber("flow.*");
    const pub = await client();
    const N = 20_000;
    const got: number[] = [];
    let readerStarted = 0;
    // The subscriber reads nothing for 300 ms, then everything.
    const reader = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      readerStarted = performance.now();
      while (got.length < N) {
        const m = await lagging.receive(5000);
        if (m.type === "event") got.push(m.body.data as number);
      }
    })();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) while (!pub.tryPublish("flow.x", i)) await pub.writable();
    const publishedAt = performance.now();
    await reader;
    // The publisher could not finish before the subscriber started reading: it was held back...
    expect(publishedAt).toBeGreaterThan(readerStarted);
    expect(publishedAt - t0).toBeGreaterThan(250);
    // ...and nothing was dropped or reordered.
    expect(got).toEqual([...Array(N).keys()]);
    expect(daemon.stats().framesDropped).toBe(0);
  });

  it("drop-oldest: bounded queues, and every event is either delivered or reported dropped", async () => {
    // Behind for more than 100 ms: the publisher goes on and the drop policy applies.
    await start({ bufferSize: 4096, maxPendingFrames: 200, maxPendingBytes: 1 << 20, slowSubscriberMs: 100 });
    const slow = await lazySubscriber("flood.*");
    const pub = await client();
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      while (!pub.tryPublish("flood.x", i)) await pub.writable();
    }
    await pub.emit("flood.end", -1);
    await until(() => daemon.stats().framesDropped > 0);
    // Now read everything: the events that survived, then the drop report.
    const seen: number[] = [];
    let dropped = -1;
    // Read until the end marker and the last drop report (the daemon's count of what it dropped).
    for (;;) {
      const m = (await slow.receive(5000).catch((e: unknown) => { throw new Error(`${String(e)}: seen ${seen.length} last ${seen.at(-1)} dropped ${dropped} stats ${JSON.stringify(daemon.stats())}`); })) as Message;
      if (m.type !== "event") continue;
      if (m.body.eventType === "nova.bus.dropped") dropped = (m.body.data as { total: number }).total;
      else seen.push(m.body.data as number);
      if (seen.at(-1) === -1 && dropped === daemon.stats().framesDropped) break;
    }
    expect(seen.at(-1)).toBe(-1); // the newest always gets in
    const delivered = seen.length - 1;
    expect(delivered + dropped).toBe(N);
    expect(delivered).toBeLessThan(N);
    // Order is kept among the survivors.
    const survivors = seen.slice(0, -1);
    expect(survivors).toEqual([...survivors].sort((a, b) => a - b));
    expect(daemon.stats().framesDropped).toBe(dropped);
  });

  it("disconnect: a subscriber past the bound is closed; the publisher and later subscribers go on", async () => {
    await start({ bufferSize: 4096, maxPendingFrames: 100, slowSubscriber: "disconnect", slowSubscriberMs: 100 });
    const slow = await lazySubscriber("flood.*");
    const pub = await client();
    for (let i = 0; i < 20_000; i++) while (!pub.tryPublish("flood.x", i)) await pub.writable();
    await pub.emit("flood.x", -1);
    expect(await slow.closedPromise.then(() => slow.closed)).toBe(true);
    expect(daemon.stats().connections).toBe(1);
    const later = await client();
    const got: unknown[] = [];
    await later.registerEventHandler("flood.*", (e) => void got.push(e.data));
    await pub.emit("flood.x", "after");
    await until(() => got.length === 1);
    expect(got).toEqual(["after"]);
  });
});

describe("hostile input", () => {
  it("random frames never crash the daemon; requests are answered, events refused visibly; others unaffected", async () => {
    await start();
    const watcher = await client();
    let seen = 0;
    await watcher.registerEventHandler("ok.*", () => void seen++);
    const pub = await client();
    const body = fc.uint8Array({ maxLength: 64 });
    const frame = fc.record({ type: fc.integer({ min: 0, max: 6 }), flags: fc.integer({ min: 0, max: 255 }), id: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), corr: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), body });
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 20 }), fc.boolean(), async (frames, garbageFirst) => {
        const peer = await rawPeer(daemon.socket);
        if (garbageFirst) peer.write(Uint8Array.from([1, 2, 3, 0x4e, 0x4f]));
        for (const f of frames) {
          const bytes = new Uint8Array(40 + f.body.length);
          bytes.set([0x4e, 0x4f, 0x56, 0x41, 1, 0, f.type, f.flags]);
          const dv = new DataView(bytes.buffer);
          dv.setBigUint64(8, f.id, true);
          dv.setBigUint64(16, f.corr, true);
          dv.setUint32(32, f.body.length, true);
          bytes.set(f.body, 40);
          peer.write(fixCrc(bytes));
        }
        peer.socket.destroy();
        // The daemon still routes for everyone else.
        const before = seen;
        await pub.emit("ok.ping", 1);
        await until(() => seen === before + 1);
      }),
      { numRuns: 60 },
    );
  });

  it("malformed events of a publisher are refused with typed reasons; a request with a malformed body gets a typed error", async () => {
    await start();
    const errors: IPCError[] = [];
    const pub = await client(errors);
    const good: EventMessage = { type: "event", messageId: 5n, correlationId: 0n, timestampNs: 0n, body: { eventType: "a.b", data: 1, sourceId: 0n, priority: 1 } };
    const bytes = encodeMessage(good);
    bytes[40 + 9] = 7; // the reserved byte
    pub.channel.trySendFrame(fixCrc(bytes));
    const topicTooLong = encodeMessage(good);
    topicTooLong[40 + 10] = 200; // topic length past the payload
    pub.channel.trySendFrame(fixCrc(topicTooLong));
    await until(() => errors.length === 2);
    expect(errors.map((e) => e.code).every((c) => c === "DeserializationError" || c === "CorruptedMessage" || c === "InvalidEventType")).toBe(true);
    const peer = await rawPeer(daemon.socket);
    const req = encodeMessage({ type: "request", messageId: 9n, correlationId: 0n, timestampNs: 0n, body: { method: "@bus.hello", params: [], timeoutMs: 0, flags: 0 } });
    const broken = new Uint8Array(req.length + 1);
    broken.set(req);
    broken[req.length] = 0xc1; // a msgpack byte that is never valid, after the params
    new DataView(broken.buffer).setUint32(32, req.length + 1 - 40, true);
    peer.write(fixCrc(broken));
    const reply = await peer.response(9n);
    expect(reply.body.error?.code).toBe("DeserializationError");
    peer.socket.destroy();
  });
});
