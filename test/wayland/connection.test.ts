/**
 * WlConnection end to end over a socketpair (both ends in this process,
 * through the addon): round trips with delete_id and id reuse, every
 * argument type with objects resolved, descriptors matched to messages in
 * order both ways (more than 28 per flush), zombies, `since`, protocol
 * errors posted by the server and seen by the client, blocked writes.
 */
import { closeSync, fstatSync, readdirSync, writeSync } from "node:fs";
import { constants } from "node:os";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { nativeShm } from "../../native/index.js";
import { IPCError } from "../../runtime/errors.js";
import { WlConnection } from "../../runtime/wayland/connection.js";
import { registerWlClasses, type WlResource } from "../../runtime/wayland/proxy.js";
import { thrownCode } from "../helpers/ipc-error.js";
import { Callback, CallbackResource, Display, DisplayResource, Registry, RegistryResource, TestProxy, TestResource } from "./fixtures.js";

const n = nativeShm();
registerWlClasses(Display, DisplayResource);
registerWlClasses(Callback, CallbackResource);
registerWlClasses(Registry, RegistryResource);
registerWlClasses(TestProxy, TestResource);

const open: WlConnection[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

/** Waits until `cond()` holds (the loop keeps running), failing after `ms`. */
async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Reads `count` bytes from a non-blocking socket, polling. */
async function readBytes(fd: number, count: number): Promise<string> {
  const buf = Buffer.alloc(count);
  let got = 0;
  await until(() => {
    const r = n.recvFds(fd, buf, got, count);
    if (r.bytes > 0) got += r.bytes;
    else if (r.bytes !== -constants.errno.EAGAIN) throw new Error(`recv ${r.bytes}`);
    return got === count;
  });
  return buf.toString();
}

function closedWith(c: WlConnection): Promise<IPCError | undefined> {
  return new Promise((resolve) => c.onClose(resolve));
}

/** A client and a server connection with wl_display on both ends; the server answers sync. */
function pair() {
  const [a, b] = n.socketPair();
  const client = new WlConnection(a, "client");
  const server = new WlConnection(b, "server");
  open.push(client, server);
  const display = new Display(client, 1, 1);
  const displayRes = new DisplayResource(server, 1, 1);
  let serial = 100;
  displayRes.implementation = { sync: (_: WlResource, cb: CallbackResource) => cb.sendDone(serial++) };
  return { client, server, display, displayRes };
}

/** A nova_test object on both ends (as a bind would make it). */
function testObjects(client: WlConnection, server: WlConnection, version = 2) {
  const proxy = new TestProxy(client, client.objects.allocate(), version);
  const resource = new TestResource(server, proxy.id, version);
  return { proxy, resource };
}

function roundtrip(display: Display): Promise<number> {
  return new Promise((resolve) => display.sync().on("done", resolve));
}

describe("WlConnection", () => {
  it("round-trips wl_display.sync; the callback dies with done and its id is reused after delete_id", async () => {
    const { display, client } = pair();
    const cb = display.sync();
    expect(cb.id).toBe(2);
    const serial = await new Promise<number>((r) => cb.on("done", r));
    expect(serial).toBe(100);
    expect(cb.destroyed).toBe(true);
    await until(() => client.objects.lookup(2) === undefined);
    const next = display.sync();
    expect(next.id).toBe(2);
    expect(await new Promise((r) => next.on("done", r))).toBe(101);
    expect(await roundtrip(display)).toBe(102);
  });

  it("carries every argument type both ways, objects resolved to the objects of each end", async () => {
    const { client, server } = pair();
    const { proxy, resource } = testObjects(client, server);
    const got: unknown[][] = [];
    resource.implementation = { all: (...args: unknown[]) => got.push(args) };
    const [r, w] = n.socketPair();
    proxy.all(-5, 0xffffffff, -1.5, "héllo ✓", proxy, new Uint8Array([1, 2, 3]), w);
    proxy.all(0, 0, 0, null, null, new Uint8Array(0), w);
    await until(() => got.length === 2);
    const [first, second] = got as [unknown[], unknown[]];
    expect(first.slice(0, 7)).toEqual([resource, -5, 0xffffffff, -1.5, "héllo ✓", resource, new Uint8Array([1, 2, 3])]);
    expect(second.slice(0, 7)).toEqual([resource, 0, 0, 0, null, null, new Uint8Array(0)]);
    // The received descriptors are copies of w: writing to them reaches r.
    writeSync(first[7] as number, "A");
    writeSync(second[7] as number, "B");
    expect(await readBytes(r, 2)).toBe("AB");
    closeSync(first[7] as number);
    closeSync(second[7] as number);

    const events: unknown[][] = [];
    proxy.on("all", (...args: unknown[]) => events.push(args));
    resource.sendAll(7, 8, 2.25, "", resource, new Uint8Array([9]), w);
    await until(() => events.length === 1);
    expect(events[0]!.slice(0, 6)).toEqual([7, 8, 2.25, "", proxy, new Uint8Array([9])]);
    closeSync(events[0]![6] as number);
    for (const fd of [r, w]) closeSync(fd);
  });

  it("matches descriptors to messages in order both ways, across sendmsg batches of 28", async () => {
    const { client, server } = pair();
    const { proxy, resource } = testObjects(client, server);
    const COUNT = 40;
    const memfds = Array.from({ length: COUNT * 2 }, (_, i) => n.memfdCreate(`f${i}`, 16 + i));
    const toServer: [number, number, number][] = [];
    const toClient: [number, number, number][] = [];
    resource.implementation = { fds: (_: unknown, a: number, k: number, b: number) => toServer.push([a, k, b]) };
    proxy.on("fds", (a: number, k: number, b: number) => toClient.push([a, k, b]));
    for (let i = 0; i < COUNT; i++) proxy.fds(memfds[2 * i]!, i, memfds[2 * i + 1]!);
    for (let i = 0; i < COUNT; i++) resource.sendFds(memfds[2 * i]!, i, memfds[2 * i + 1]!);
    // The senders keep their own descriptors (the connection sent duplicates).
    for (const fd of memfds) closeSync(fd);
    await until(() => toServer.length === COUNT && toClient.length === COUNT);
    for (const got of [toServer, toClient]) {
      got.forEach(([a, k, b], i) => {
        expect(k).toBe(i);
        expect(fstatSync(a).size).toBe(16 + 2 * i);
        expect(fstatSync(b).size).toBe(16 + 2 * i + 1);
        closeSync(a);
        closeSync(b);
      });
    }
  });

  it("passes a pipe end through a message: bytes written by the receiver come out of the sender's end", async () => {
    const { client, server } = pair();
    const { proxy, resource } = testObjects(client, server);
    const [r, w] = n.socketPair();
    const received = new Promise<number>((resolve) => (resource.implementation = { fds: (_: unknown, a: number, _k: number, b: number) => (closeSync(b), resolve(a)) }));
    proxy.fds(w, 1, w);
    closeSync(w);
    const fd = await received;
    writeSync(fd, "through the compositor");
    closeSync(fd);
    expect(await readBytes(r, 22)).toBe("through the compositor");
    closeSync(r);
  });

  it("drops events to a zombie, closing their descriptors, and frees the id on delete_id", async () => {
    const { client, server, display } = pair();
    const { proxy, resource } = testObjects(client, server);
    const [r, w] = n.socketPair();
    let delivered = 0;
    proxy.on("fds", () => delivered++);
    // Both events are in flight when the client destroys its proxy.
    resource.sendFds(w, 1, w);
    resource.sendFds(w, 2, w);
    proxy.destroy();
    closeSync(w);
    expect(proxy.destroyed).toBe(true);
    await roundtrip(display);
    expect(delivered).toBe(0);
    expect(resource.destroyed).toBe(true);
    await until(() => client.objects.lookup(proxy.id) === undefined);
    // Every copy of w is closed: r reads end of stream.
    await until(() => n.recvFds(r, Buffer.alloc(4)).bytes === 0);
    closeSync(r);
    expect(thrownCode(() => proxy.all(0, 0, 0, null, null, new Uint8Array(0), 0))).toBe("InvalidArgument");
  });

  it("creates the proxy of a new_id in an event with a server id", async () => {
    const { client, server } = pair();
    const { proxy, resource } = testObjects(client, server);
    const child = new Promise<TestProxy>((r) => proxy.on("child", r));
    const made = resource.sendChild();
    expect(made.id).toBe(0xff000000);
    const p = await child;
    expect(p).toBeInstanceOf(TestProxy);
    expect(p.id).toBe(0xff000000);
    expect(p.version).toBe(2);
  });

  it("waits for the rest of a message split across reads without spinning", async () => {
    const { client, display } = pair();
    const cb = client.objects.allocate();
    const callback = new Callback(client, cb, 1);
    const done = new Promise((r) => callback.on("done", r));
    const sync = Buffer.from([1, 0, 0, 0, 0, 0, 12, 0, cb, 0, 0, 0]);
    n.sendFds(client.fd, sync.subarray(0, 10), []);
    const cpu = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 200));
    const used = process.cpuUsage(cpu);
    // An idle wait: nothing re-runs the decoder until more bytes arrive.
    expect((used.user + used.system) / 1000).toBeLessThan(100);
    n.sendFds(client.fd, sync.subarray(10), []);
    expect(await done).toBe(100);
    expect(await roundtrip(display)).toBe(101);
  });

  it("binds through the untyped new_id of wl_registry.bind; a bind the server ignores still reserves its id", async () => {
    const { client, server, display, displayRes } = pair();
    const binds: { interface: string; version: number; id: number }[] = [];
    let serverObject: TestResource | undefined;
    displayRes.implementation = {
      sync: (_: WlResource, cb: CallbackResource) => cb.sendDone(0),
      getRegistry: (_: WlResource, registry: RegistryResource) => {
        registry.implementation = {
          bind: (_r: WlResource, name: number, nid: { interface: string; version: number; id: number }) => {
            binds.push(nid);
            if (name === 7) serverObject = new TestResource(server, nid.id, nid.version);
          },
        };
      },
    };
    const registry = display.getRegistry();
    const ignored = registry.bind(6, TestProxy, 1);
    const bound = registry.bind(7, TestProxy, 2);
    expect(bound.version).toBe(2);
    await roundtrip(display);
    expect(binds).toEqual([
      { interface: "nova_test", version: 1, id: ignored.id },
      { interface: "nova_test", version: 2, id: bound.id },
    ]);
    expect(serverObject?.id).toBe(bound.id);
    const got = new Promise<unknown[]>((r) => (serverObject!.implementation = { all: (...a: unknown[]) => r(a) }));
    bound.all(1, 2, 3, "x", null, new Uint8Array(1), client.fd);
    const args = await got;
    expect(args.slice(0, 5)).toEqual([serverObject, 1, 2, 3, "x"]);
    closeSync(args[7] as number);
  });

  it("checks `since` when sending, and a message newer than the object's version is a protocol error", async () => {
    const { client, server } = pair();
    const { proxy, resource } = testObjects(client, server, 1);
    expect(thrownCode(() => proxy.newer())).toBe("UnsupportedProtocolVersion");
    expect(thrownCode(() => resource.sendNewer())).toBe("UnsupportedProtocolVersion");
    // Forged on the wire: request 3 (since 2) on a version-1 object.
    const closed = closedWith(client);
    n.sendFds(client.fd, Buffer.from([proxy.id, 0, 0, 0, 3, 0, 8, 0]), []);
    const err = await closed;
    expect(err?.code).toBe("ProtocolError");
    expect(err?.context).toMatchObject({ objectId: proxy.id, interface: "nova_test", code: 1 });
    expect(String(err?.context.message)).toMatch(/needs version 2/);
  });

  it("a malformed request: the server posts wl_display.error and disconnects; the client closes with its object, code and message", async () => {
    const { client, server } = pair();
    const serverClosed = closedWith(server);
    const clientClosed = closedWith(client);
    // A request to object 99, which does not exist.
    n.sendFds(client.fd, Buffer.from([99, 0, 0, 0, 0, 0, 8, 0]), []);
    const [se, ce] = await Promise.all([serverClosed, clientClosed]);
    expect(se?.code).toBe("ProtocolError");
    expect(ce?.code).toBe("ProtocolError");
    expect(ce?.context).toMatchObject({ objectId: 1, interface: "wl_display", code: 0 });
    expect(String(ce?.context.message)).toMatch(/unknown object 99/);
  });

  it("postError from a resource reaches the client as a ProtocolError naming that object", async () => {
    const { client, server } = pair();
    const { proxy, resource } = testObjects(client, server);
    let destroyedOnClient = false;
    proxy.addDestroyListener(() => (destroyedOnClient = true));
    const closed = closedWith(client);
    resource.postError(3, "you did it wrong");
    const err = await closed;
    expect(err).toBeInstanceOf(IPCError);
    expect(err?.context).toMatchObject({ objectId: proxy.id, interface: "nova_test", code: 3, message: "you did it wrong" });
    expect(destroyedOnClient).toBe(true);
    await until(() => server.closed);
  });

  it("random bytes from a peer end the connection with a ProtocolError (or leave it waiting for more), never crash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), async (bytes, toServer) => {
        const { client, server } = pair();
        testObjects(client, server);
        const victim = toServer ? server : client;
        const from = toServer ? client : server;
        const closed = closedWith(victim);
        n.sendFds(from.fd, bytes, []);
        // Garbage that is an incomplete message leaves the connection waiting for the rest: both are fine.
        const outcome = await Promise.race([closed, new Promise((r) => setTimeout(() => r("open"), 30))]);
        if (outcome !== "open") {
          expect(outcome).toBeInstanceOf(IPCError);
          expect(["ProtocolError", "ChannelClosed"]).toContain((outcome as IPCError).code);
        }
        client.close();
        server.close();
      }),
      { numRuns: 60 },
    );
  });

  it("keeps sending in order when the socket is full (writable polling), without blocking the loop", async () => {
    const { client, server } = pair();
    const { proxy, resource } = testObjects(client, server);
    // Every message carries a descriptor too: batches of 28 interleave with the blocked writes.
    const COUNT = 3000;
    const seen: number[] = [];
    resource.implementation = {
      all: (_: unknown, i: number, _u: number, _f: number, _s: null, _o: null, _a: Uint8Array, fd: number) => {
        seen.push(i);
        closeSync(fd);
      },
    };
    const payload = new Uint8Array(200);
    const [r, w] = n.socketPair();
    for (let i = 0; i < COUNT; i++) proxy.all(i, 0, 0, null, null, payload, w);
    await Promise.resolve();
    // The end-of-turn flush met a full socket: the rest waits for writability.
    expect(client.bufferedBytes).toBeGreaterThan(0);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await until(() => seen.length === COUNT, 20_000);
    clearInterval(timer);
    expect(seen).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(ticks).toBeGreaterThan(0);
    closeSync(r);
    closeSync(w);
  });

  it("the peer going away closes with ChannelClosed and destroys every object (destroy listeners run)", async () => {
    const { client, server } = pair();
    const { proxy } = testObjects(client, server);
    let destroyed = 0;
    proxy.addDestroyListener(() => destroyed++);
    const closed = closedWith(client);
    server.close();
    const err = await closed;
    expect(err?.code).toBe("ChannelClosed");
    expect(destroyed).toBe(1);
    expect(client.objects.size).toBe(0);
    // Sending after close is dropped silently, as libwayland drops it.
    expect(() => proxy.all(0, 0, 0, null, null, new Uint8Array(0), 0)).not.toThrow();
  });

  it("bounds what a peer may leave unread (maxBufferedBytes) and the descriptors it sends ahead (maxQueuedFds)", async () => {
    const [a, b] = n.socketPair();
    const server = new WlConnection(a, "server", { maxBufferedBytes: 256 * 1024 });
    open.push(server);
    new DisplayResource(server, 1, 1);
    const resource = new TestResource(server, 2, 2);
    const closed = closedWith(server);
    // Nobody reads b: the socket fills, then the outgoing buffer passes the limit.
    const payload = new Uint8Array(3000);
    for (let i = 0; i < 1000 && !server.closed; i++) {
      resource.sendAll(i, 0, 0, null, null, payload, b);
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 1));
    }
    expect((await closed)?.code).toBe("InsufficientResources");
    closeSync(b);

    const [c, d] = n.socketPair();
    const victim = new WlConnection(c, "server", { maxQueuedFds: 300 });
    open.push(victim);
    const victimClosed = closedWith(victim);
    // Two bytes of a header, with 2 x 253 descriptors: more than 300 waiting for messages.
    n.sendFds(d, Buffer.from([1]), new Array(253).fill(d));
    n.sendFds(d, Buffer.from([0]), new Array(253).fill(d));
    const err = await victimClosed;
    expect(err?.code).toBe("ProtocolError");
    // The server posted wl_display.error; what the client did is the cause.
    expect((err?.cause as IPCError).context.reason).toBe("too many fds");
    closeSync(d);
  });

  it("accepts messages up to maxMessageSize and refuses larger ones, both ways", async () => {
    const [a, b] = n.socketPair();
    const client = new WlConnection(a, "client", { maxMessageSize: 16384 });
    const server = new WlConnection(b, "server");
    open.push(client, server);
    new Display(client, 1, 1);
    new DisplayResource(server, 1, 1);
    const { proxy, resource } = testObjects(client, server);
    const got: number[] = [];
    proxy.on("all", (_i: number, _u: number, _f: number, _s: null, _o: null, arr: Uint8Array, fd: number) => (got.push(arr.length), closeSync(fd)));
    expect(thrownCode(() => resource.sendAll(0, 0, 0, null, null, new Uint8Array(5000), b))).toBe("MessageTooLarge");
    resource.sendAll(0, 0, 0, null, null, new Uint8Array(4000), b);
    await until(() => got.length === 1);
    expect(got).toEqual([4000]);
    // The client may send 10000 bytes; the server (4096) takes that as a protocol error.
    const closed = closedWith(server);
    proxy.all(0, 0, 0, null, null, new Uint8Array(10000), a);
    const err = await closed;
    expect(err?.code).toBe("ProtocolError");
    expect(String((err?.cause as IPCError | undefined)?.message)).toMatch(/bad message size/);
  });

  it("leaves no descriptor open once both ends are closed", async () => {
    const count = (): number => readdirSync("/proc/self/fd").length;
    const before = count();
    const { client, server, display } = pair();
    const { proxy, resource } = testObjects(client, server);
    const memfd = n.memfdCreate("leak-check", 64);
    let received = -1;
    resource.implementation = { fds: (_: unknown, a: number, _k: number, b: number) => (closeSync(b), (received = a)) };
    proxy.fds(memfd, 0, memfd);
    resource.sendFds(memfd, 1, memfd); // never listened to: the client closes both
    closeSync(memfd);
    await roundtrip(display);
    await until(() => received >= 0);
    closeSync(received);
    client.close();
    server.close();
    expect(count()).toBe(before);
  });

  it("closes the descriptors no message took when the connection closes", async () => {
    const { client, server } = pair();
    const [r, w] = n.socketPair();
    // A stray descriptor beside wl_display.sync with new id 5, which skips ids (the next is 2): a protocol error.
    const closed = closedWith(server);
    n.sendFds(client.fd, Buffer.from([1, 0, 0, 0, 0, 0, 12, 0, 5, 0, 0, 0]), [w]);
    closeSync(w);
    const err = await closed;
    expect(err?.code).toBe("ProtocolError");
    expect(String(err?.message)).toMatch(/skips ids/);
    await until(() => n.recvFds(r, Buffer.alloc(4)).bytes === 0);
    closeSync(r);
  });
});
