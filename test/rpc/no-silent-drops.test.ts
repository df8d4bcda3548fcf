/**
 * Issue 11 item 7: no request goes unanswered, no peer holds a connection
 * open with half a frame, and ids of 0 never reach the wire. A raw socket
 * peer (raw-peer.ts) sends exactly the bytes each case needs.
 */
import { createServer, type Server } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IPCError } from "../../runtime/errors.js";
import { compressSectionAsync } from "../../runtime/codec/compression.js";
import { connectRpc, serveRpc, type RpcEndpoint } from "../../runtime/rpc/connect.js";
import { buildRequest, FLAG_ONEWAY } from "../../runtime/rpc/rpc-protocol.js";
import type { Channel } from "../../runtime/transport/types.js";
import { resolveChannelOptions } from "../../runtime/transport/stream-channel.js";
import { encodeMessage } from "../../runtime/wire/frame.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import type { Message } from "../../runtime/wire/message.js";
import { settledCode, thrownCode } from "../helpers/ipc-error.js";
import { endpointIn, makeTempDir, removeDir } from "../transport/helpers.js";
import { fixCrc } from "../wire/arbitraries.js";
import { rawPeer, request, withBadTail, type RawPeer } from "./raw-peer.js";

const IFACE = "test.drops.Svc";
const ECHO = `${IFACE}.echo`;
const PARTIAL_MS = 250;

/** The frame of `message` with its payload replaced by `payload` (header fields kept, length and CRC fixed). */
function withPayload(message: Message, payload: readonly number[]): Uint8Array {
  const f = new Uint8Array(40 + payload.length);
  f.set(encodeMessage(message).subarray(0, 40));
  new DataView(f.buffer).setUint32(32, payload.length, true);
  f.set(payload, 40);
  return fixCrc(f);
}

/** A request frame whose value section is `section` exactly (flags byte `flags`), CRC fixed. */
function requestWithSection(id: bigint, section: Uint8Array, flags: number, requestFlags = 0): Uint8Array {
  const name = Buffer.from(ECHO);
  const payload = Buffer.alloc(10 + name.length + section.length);
  payload.writeUInt32LE(5000, 0);
  payload.writeUInt32LE(requestFlags, 4);
  payload.writeUInt16LE(name.length, 8);
  name.copy(payload, 10);
  payload.set(section, 10 + name.length);
  const f = withPayload(request(id, ECHO, []), [...payload]);
  f[7] = flags;
  return fixCrc(f);
}

describe("no silent drops, no stalls (unix)", () => {
  let dir: string;
  let served: RpcEndpoint;
  const violations: IPCError[] = [];
  const peers: RawPeer[] = [];
  let nextId = 1000n;
  const id = (): bigint => nextId++;

  beforeAll(async () => {
    dir = makeTempDir();
    served = await serveRpc(endpointIn(dir, "unix"), { transport: "unix", partialFrameTimeoutMs: PARTIAL_MS, onProtocolError: (e) => violations.push(e) });
    served.server.register({ iface: IFACE, version: 1, methods: { echo: { handler: (args) => args[0] } } });
  });
  afterAll(async () => {
    for (const p of peers) p.socket.destroy();
    await served.close(false).catch(() => undefined);
    removeDir(dir);
  });

  async function peer(): Promise<RawPeer> {
    const p = await rawPeer(served.listener.endpoint);
    peers.push(p);
    return p;
  }

  /** A good call on `p`: the connection is still usable. */
  async function echoes(p: RawPeer, value: unknown): Promise<void> {
    const good = id();
    p.write(encodeMessage(request(good, ECHO, [value])));
    const reply = await p.response(good);
    expect(reply.body).toMatchObject({ status: 0, value });
  }

  /**
   * The error code of a call answered by a raw server that replies to each Request
   * with `answer(a good Response)`; the call must fail at once, not time out.
   */
  async function codeOfCallAnsweredWith(answer: (reply: Message) => Uint8Array): Promise<string> {
    const path = endpointIn(dir, "unix");
    const server: Server = createServer((socket) => {
      const decoder = new FrameDecoder({
        onMessage: (m) => {
          if (m.type !== "request") return;
          const reply: Message = { type: "response", messageId: 7n, correlationId: m.messageId, timestampNs: 1n, body: { status: 0, value: 1, error: null, executionTimeUs: 0 } };
          socket.write(answer(reply));
        },
        onError: () => undefined,
      });
      socket.on("data", (c) => decoder.push(c));
    });
    await new Promise<void>((r) => server.listen(path, r));
    const client = await connectRpc(path, { transport: "unix" });
    try {
      const started = performance.now();
      const code = await settledCode(client.call(IFACE, "echo", [1], { timeoutMs: 5000 }));
      expect(performance.now() - started).toBeLessThan(2000);
      expect(client.pendingCalls).toBe(0);
      return code;
    } finally {
      await client.close(false).catch(() => undefined);
      await new Promise((r) => server.close(r));
    }
  }

  it("an intact Request whose body cannot be decoded gets an error Response with its id, and the connection stays usable", async () => {
    const p = await peer();
    const big = await compressSectionAsync(new Uint8Array(16 * 1024 * 1024), "zstd"); // a real bomb: ~0.5 KB -> 16 MiB
    const tooBig = Buffer.from(big);
    tooBig.writeUInt32LE(16 * 1024 * 1024 + 1, 0);
    const cases: Array<[string, (i: bigint) => Uint8Array, string]> = [
      ["reserved msgpack byte C1", (i) => withBadTail(request(i, ECHO, [1]), [0xc1]), "DeserializationError"],
      ["params are not valid JSON", (i) => withBadTail(request(i, ECHO, [1]), [0x7b], { format: "json" }), "DeserializationError"],
      // The method name starts at byte 50 (40 header + 10 fixed body bytes).
      ["method name is not UTF-8", (i) => fixCrc(requestWithSection(i, Uint8Array.of(0x90), 0).fill(0xff, 50, 52)), "DeserializationError"],
      ["body shorter than its fixed part", (i) => withPayload(request(i, ECHO, []), [0, 0, 0, 0]), "DeserializationError"],
      ["zstd section is garbage", (i) => requestWithSection(i, Uint8Array.of(8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8), 0x08), "DeserializationError"],
      ["lz4 section is garbage", (i) => requestWithSection(i, Uint8Array.of(8, 0, 0, 0, 0xff, 0xff, 0xff), 0x04), "DeserializationError"],
      ["zstd bomb that decompresses to 16 MiB of zeros", (i) => requestWithSection(i, big, 0x08), "DeserializationError"],
      ["zstd section declaring more than the limit", (i) => requestWithSection(i, tooBig, 0x08), "MessageTooLarge"],
      ["reserved compression code 3", (i) => requestWithSection(i, Uint8Array.of(0x90), 0x0c), "UnsupportedVersion"],
    ];
    for (const [what, frame, code] of cases) {
      const bad = id();
      p.write(frame(bad));
      const reply = await p.response(bad);
      expect({ what, status: reply.body.status, code: reply.body.error?.code }).toEqual({ what, status: 1, code });
      await echoes(p, what);
    }
    // The JSON request got its error in JSON.
    expect(p.received.filter((m) => m.type === "response" && m.format === "json")).toHaveLength(1);
  }, 30_000);

  it("a Request whose header declares a payload over the limit gets MessageTooLarge with its id, and the connection resynchronises", async () => {
    const p = await peer();
    const limit = resolveChannelOptions({}).maxMessageSize;
    for (const declared of [limit + 1, 0xffff_ffff]) {
      const bad = id();
      const header = Uint8Array.from(encodeMessage(request(bad, ECHO, ["x"])).subarray(0, 40));
      new DataView(header.buffer).setUint32(32, declared, true);
      p.write(header);
      const reply = await p.response(bad);
      expect({ declared, status: reply.body.status, code: reply.body.error?.code }).toEqual({ declared, status: 1, code: "MessageTooLarge" });
      await echoes(p, `after ${declared}`);
    }
  });

  it("a client fails a call whose Response header declares a payload over its limit at once", async () => {
    expect(
      await codeOfCallAnsweredWith((reply) => {
        const header = Uint8Array.from(encodeMessage(reply).subarray(0, 40));
        new DataView(header.buffer).setUint32(32, 0xffff_fff0, true);
        return header;
      }),
    ).toBe("MessageTooLarge");
  });

  it("an undecodable oneway Request gets no reply, like every oneway request", async () => {
    const p = await peer();
    const bad = id();
    p.write(requestWithSection(bad, Uint8Array.of(0xc1), 0, FLAG_ONEWAY));
    await echoes(p, "after oneway");
    expect(p.received.some((m) => m.correlationId === bad)).toBe(false);
  });

  it("an unknown @nova.* request gets MethodNotFound; a control request with bad arguments gets MessageValidationFailed", async () => {
    const client = await connectRpc(served.listener.endpoint, { transport: "unix" });
    try {
      expect(await settledCode(client.call("@nova", "frobnicate", [], { timeoutMs: 2000 }))).toBe("MethodNotFound");
      for (const args of [[], [IFACE], [1, 2], [IFACE, ""], [IFACE, "sig", "extra"]]) {
        expect(await settledCode(client.call("@nova", "subscribe", args, { timeoutMs: 2000 }))).toBe("MessageValidationFailed");
        expect(await settledCode(client.call("@nova", "unsubscribe", args, { timeoutMs: 2000 }))).toBe("MessageValidationFailed");
      }
      for (const args of [[], [12], ["12a"], ["-1"], ["99999999999999999999999"], ["1", "2"]]) {
        expect(await settledCode(client.call("@nova", "cancel", args, { timeoutMs: 2000 }))).toBe("MessageValidationFailed");
      }
      // Well-formed control requests sent as ordinary calls get an empty success reply.
      expect(await client.call("@nova", "subscribe", [IFACE, "changed"], { timeoutMs: 2000 })).toBeUndefined();
      expect(await client.call("@nova", "cancel", ["12345"], { timeoutMs: 2000 })).toBeUndefined();
      expect(await client.call("@nova", "unsubscribe", [IFACE, "changed"], { timeoutMs: 2000 })).toBeUndefined();
    } finally {
      await client.close(false);
    }
  });

  it("a subscription made by a non-oneway @nova.subscribe works", async () => {
    const p = await peer();
    const sub = id();
    p.write(encodeMessage(request(sub, "@nova.subscribe", [IFACE, "changed"])));
    expect((await p.response(sub)).body).toMatchObject({ status: 0, value: null, error: null });
    served.server.emit(IFACE, "changed", ["x"]);
    await echoes(p, "after emit");
    expect(p.received.find((m) => m.type === "event")?.body).toMatchObject({ eventType: `${IFACE}.changed`, data: ["x"] });
  });

  it("a Request with message id 0 is never answered with correlation id 0: the connection is closed and the violation reported", async () => {
    for (const frame of [encodeMessage(request(0n, ECHO, ["zero"])), withBadTail(request(0n, ECHO, [1]), [0xc1])]) {
      const p = await peer();
      const before = served.server.protocolViolations;
      p.write(frame);
      await p.closed;
      expect(p.received).toEqual([]);
      expect(served.server.protocolViolations).toBe(before + 1);
      expect(violations.at(-1)?.code).toBe("ProtocolError");
    }
  });

  it("our RPC encoder never produces message id 0", () => {
    expect(thrownCode(() => buildRequest(0n, IFACE, "echo", [], 1000, false, undefined))).toBe("SerializationError");
  });

  it("a client fails a call whose Response cannot be decoded at once, with the decoding error", async () => {
    expect(await codeOfCallAnsweredWith((reply) => withBadTail(reply, [0xc1]))).toBe("DeserializationError");
  });

  it("random bodies behind an intact header always get a Response with the request's id", async () => {
    const p = await peer();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0x0f }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.oneof(fc.constant(ECHO), fc.string({ maxLength: 20 }), fc.constantFrom("@nova.subscribe", "@nova.cancel", "@nova.x")),
        fc.uint8Array({ maxLength: 64 }),
        async (flags, requestFlags, method, section) => {
          const i = id();
          const name = Buffer.from(method);
          const payload = Buffer.alloc(10 + name.length + section.length);
          payload.writeUInt32LE(5000, 0);
          // Not oneway: every such request must be answered.
          payload.writeUInt32LE((requestFlags & ~FLAG_ONEWAY) >>> 0, 4);
          payload.writeUInt16LE(name.length, 8);
          name.copy(payload, 10);
          payload.set(section, 10 + name.length);
          const f = withPayload(request(i, ECHO, []), [...payload]);
          f[7] = flags;
          p.write(fixCrc(f));
          const reply = await p.response(i);
          expect(reply.correlationId).toBe(i);
        },
      ),
      { numRuns: 150 },
    );
    await echoes(p, "still usable");
  }, 30_000);

  describe("partial frames", () => {
    /** The server's end of the connection `connect` makes. */
    async function serverEnd<T>(connect: () => Promise<T>): Promise<[T, Channel]> {
      const before = new Set(served.listener.connections);
      const made = await connect();
      const deadline = Date.now() + 3000;
      for (;;) {
        const fresh = [...served.listener.connections].find((c) => !before.has(c));
        if (fresh) return [made, fresh];
        if (Date.now() > deadline) throw new Error("no server-side channel");
        await new Promise((r) => setTimeout(r, 5));
      }
    }

    it("a peer that leaves a frame incomplete and goes idle is closed after partialFrameTimeoutMs (TimeoutExpired)", async () => {
      const [p, channel] = await serverEnd(peer);
      const frame = encodeMessage(request(id(), ECHO, ["never finished"]));
      const started = performance.now();
      p.write(frame.subarray(0, 25));
      const reason = await channel.closedPromise;
      const elapsed = performance.now() - started;
      expect(reason?.code).toBe("TimeoutExpired");
      expect(elapsed).toBeGreaterThanOrEqual(PARTIAL_MS - 20);
      expect(elapsed).toBeLessThan(PARTIAL_MS + 2000);
      await p.closed;
    });

    it("a slow but steady sender and an idle peer without a partial frame stay connected", async () => {
      const [slow, slowEnd] = await serverEnd(peer);
      const [idle, idleEnd] = await serverEnd(peer);
      const i = id();
      const frame = encodeMessage(request(i, ECHO, ["x".repeat(30)]));
      // A few bytes every 100 ms: the frame is incomplete for ~3x the limit, but the peer never goes quiet for it.
      for (let o = 0; o < frame.length; o += 8) {
        slow.write(frame.subarray(o, o + 8));
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await slow.response(i)).body.value).toBe("x".repeat(30));
      expect(slowEnd.closed).toBe(false);
      expect(idleEnd.closed).toBe(false);
      await echoes(idle, "idle but whole");
    });

    it("the limit is an option: negative or non-finite values are InvalidArgument; 0 turns it off", () => {
      expect(thrownCode(() => resolveChannelOptions({ partialFrameTimeoutMs: -1 }))).toBe("InvalidArgument");
      expect(thrownCode(() => resolveChannelOptions({ partialFrameTimeoutMs: Infinity }))).toBe("InvalidArgument");
      expect(resolveChannelOptions({}).partialFrameTimeoutMs).toBe(30_000);
      expect(resolveChannelOptions({ partialFrameTimeoutMs: 0 }).partialFrameTimeoutMs).toBe(0);
    });
  });
});
