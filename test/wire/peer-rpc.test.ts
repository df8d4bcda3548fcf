/**
 * RPC with an independent peer: test/fixtures/wire/nova_peer.py (Python
 * stdlib, written from idl/WIRE.md and runtime/rpc/README.md alone) calls
 * real servers of ours in both payload formats: the generated Store skeleton
 * of test/fixtures/wire/peer/wiretest.nidl served in this process, and the
 * demo server started on its own with its documented command.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveRpc, type RpcEndpoint } from "../../runtime/rpc/connect.js";
import type { PayloadFormat } from "../../runtime/wire/message.js";
import { registerStore, StoreEmitter } from "../fixtures/wire/peer/generated/org.novade.wiretest.js";
import { createStore } from "../fixtures/wire/peer/store-service.js";
import { makeTempDir, removeDir, spawnPeer, type Peer } from "../transport/helpers.js";

const run = promisify(execFile);
const peerScript = fileURLToPath(new URL("../fixtures/wire/nova_peer.py", import.meta.url));
const STORE = "org.novade.wiretest.Store";
const CALC = "org.novade.demo.Calculator";

type Step = Record<string, unknown>;
type Reply = { status?: number; value?: unknown; error?: Record<string, unknown> | null; format?: string; noReply?: boolean };
type Events = { events: unknown[]; formats: string[] };

/** Runs `steps` on one connection of the Python peer (asynchronously: the Store server lives in this process). */
async function peer(socket: string, format: PayloadFormat, steps: Step[]): Promise<Array<Reply & Events>> {
  const child = run("/usr/bin/python3", [peerScript, "rpc", socket, format], { timeout: 30_000 });
  child.child.stdin!.end(JSON.stringify(steps));
  const { stdout } = await child;
  return JSON.parse(stdout) as Array<Reply & Events>;
}

const call = (method: string, params: unknown[], extra: Step = {}): Step => ({ call: method, params, ...extra });

/** One value of every NIDL type, as tagged JSON (WIRE.md §6.2, §6.4). */
const sample = {
  flag: true,
  small: -5,
  big: { $n: "-9007199254740993" },
  huge: { $n: "18446744073709551615" },
  ratio: 1.5,
  text: "grüße",
  blob: { $b: "AAEC/w==" },
  handle: 3,
  any: { nested: [1, "x", null] },
  names: ["a", "b"],
  counts: { "1": "one", "42": "forty-two" },
  pair: [7, "seven"],
  maybe: null,
  colour: 2,
  options: 3,
};

describe("the Python peer against real servers", () => {
  let dir: string;
  let served: RpcEndpoint;
  let store: string;
  let demo: Peer;
  let demoSocket: string;
  const log: string[] = [];

  beforeAll(async () => {
    dir = makeTempDir("nova-peer-");
    served = await serveRpc(join(dir, "store.sock"), { transport: "unix" });
    registerStore(served.server, createStore(new StoreEmitter(served.server), log));
    store = served.listener.endpoint;
    // The demo server on its own, exactly as runtime/rpc/README.md documents it.
    demoSocket = join(dir, "demo.sock");
    demo = await spawnPeer("examples/demo/server.js", [demoSocket]);
  }, 60_000);
  afterAll(async () => {
    await demo?.kill();
    await served?.close(false).catch(() => undefined);
    removeDir(dir);
  });

  it("the demo server starts alone and says where it listens", () => {
    expect(demo.ready).toBe(`ready ${demoSocket}`);
  });

  describe.each<PayloadFormat>(["json", "msgpack"])("in %s", (format) => {
    it("calls with no result, one result and several results; the reply uses the request's format", async () => {
      const [put1, put2, fetched, stats] = await peer(store, format, [
        call(`${STORE}.put`, [`${format}-b`, "2"]),
        call(`${STORE}.put`, [`${format}-a`, "1"]),
        call(`${STORE}.fetch`, [`${format}-a`]),
        call(`${STORE}.stats`, []),
      ]);
      expect(put1).toEqual({ status: 0, value: null, error: null, format });
      expect(put2.value).toBeNull();
      expect(fetched).toEqual({ status: 0, value: "1", error: null, format });
      expect(stats.format).toBe(format);
      const [count, keys] = stats.value as [number, string[]];
      expect(keys).toEqual(expect.arrayContaining([`${format}-a`, `${format}-b`]));
      expect(count).toBe(keys.length);
    });

    it("every NIDL type goes through a generated skeleton and back", async () => {
      const [mirrored, smallBig] = await peer(store, format, [
        call(`${STORE}.mirror`, [sample]),
        // A small i64 may travel as a plain number (WIRE.md §6.4 "also accepted"); it comes back as a bigint.
        call(`${STORE}.mirror`, [{ ...sample, big: 5, maybe: "here", options: 0 }]),
      ]);
      expect(mirrored).toEqual({ status: 0, value: sample, error: null, format });
      expect(smallBig.value).toEqual({ ...sample, big: { $n: "5" }, maybe: "here", options: 0 });
    });

    it("declared errors carry errorName and data; runtime errors carry their IPCError code", async () => {
      const [missing, unknown, badArgs, badFlags, divide] = await peer(store, format, [
        call(`${STORE}.fetch`, ["no-such-key"]),
        call(`${STORE}.nothing`, []),
        call(`${STORE}.put`, [1]),
        call(`${STORE}.mirror`, [{ ...sample, options: 4 }]),
      ]).then(async (r) => [...r, ...(await peer(demoSocket, format, [call(`${CALC}.divide`, [7, 0])]))]);
      expect(missing).toMatchObject({ status: 1, value: null, format, error: { code: "RemoteError", errorName: "org.novade.wiretest.Missing" } });
      expect((missing.error!.data as { key: string }).key).toBe("no-such-key");
      expect(unknown.error).toMatchObject({ code: "MethodNotFound" });
      expect(badArgs.error).toMatchObject({ code: "MessageValidationFailed", data: { part: "args", path: ["args", 0] } });
      expect(badFlags.error).toMatchObject({ code: "MessageValidationFailed", data: { path: ["args", 0, "options"] } });
      expect(divide).toMatchObject({ status: 1, format, error: { code: "RemoteError", errorName: "org.novade.demo.DivisionByZero", data: { dividend: 7 } } });
    });

    it("properties: get, set, and observe their changes", async () => {
      const [subscribed, before, set, after, changes, readOnly] = await peer(store, format, [
        { subscribe: [STORE, "@changed"] },
        call(`${STORE}.@get`, ["label"]),
        call(`${STORE}.@set`, ["label", `set by ${format}`]),
        call(`${STORE}.@get`, ["label"]),
        { events: `${STORE}.@changed`, count: 1 },
        call(`${STORE}.@set`, ["nope", 1]),
      ]);
      expect(subscribed).toEqual({});
      expect(before.status).toBe(0);
      expect(set).toEqual({ status: 0, value: null, error: null, format });
      expect(after.value).toBe(`set by ${format}`);
      expect(changes).toEqual({ events: [["label", `set by ${format}`]], formats: [format] });
      expect(readOnly.error).toMatchObject({ code: "MethodNotFound" });

      const [count, writeCount] = await peer(demoSocket, format, [call(`${CALC}.@get`, ["count"]), call(`${CALC}.@set`, ["count", 1])]);
      expect(typeof count.value).toBe("number");
      expect(writeCount.error).toMatchObject({ code: "MethodNotFound" });
    });

    it("subscriptions deliver signals in the subscriber's format until unsubscribed", async () => {
      const results = await peer(store, format, [
        { subscribe: [STORE, "stored"] },
        call(`${STORE}.put`, ["k1", "v1"]),
        { events: `${STORE}.stored`, count: 1 },
        { unsubscribe: [STORE, "stored"] },
        call(`${STORE}.put`, ["k2", "v2"]),
        { events: `${STORE}.stored`, count: 1, waitMs: 300 },
      ]);
      expect(results[2]).toEqual({ events: [["k1", "v1"]], formats: [format] });
      expect(results[5]).toEqual({ events: [], formats: [] });

      const demoResults = await peer(demoSocket, format, [
        { subscribe: [CALC, "computed"] },
        { subscribe: [CALC, "@changed"] },
        call(`${CALC}.add`, [2, 3]),
        { events: `${CALC}.computed`, count: 1 },
        { events: `${CALC}.@changed`, count: 1 },
      ]);
      expect(demoResults[2]).toEqual({ status: 0, value: 5, error: null, format });
      expect(demoResults[3]).toEqual({ events: [[{ op: "add", result: 5 }]], formats: [format] });
      expect((demoResults[4].events[0] as unknown[])[0]).toBe("count");
    });

    it("control requests sent without ONEWAY are answered (README \"Control requests\")", async () => {
      const [subscribed, , events, unknown, badCancel, cancelNobody, unsubscribed] = await peer(store, format, [
        call("@nova.subscribe", [STORE, "stored"]),
        call(`${STORE}.put`, [`${format}-ctl`, "v"]),
        { events: `${STORE}.stored`, count: 1 },
        call("@nova.frobnicate", []),
        call("@nova.cancel", ["012"]),
        call("@nova.cancel", ["1"]),
        call("@nova.unsubscribe", [STORE, "stored"]),
      ]);
      expect(subscribed).toEqual({ status: 0, value: null, error: null, format });
      expect(events).toEqual({ events: [[`${format}-ctl`, "v"]], formats: [format] });
      expect(unknown).toMatchObject({ status: 1, value: null, error: { code: "MethodNotFound" }, format });
      expect(badCancel).toMatchObject({ status: 1, error: { code: "MessageValidationFailed" }, format });
      expect(cancelNobody).toEqual({ status: 0, value: null, error: null, format });
      expect(unsubscribed).toEqual({ status: 0, value: null, error: null, format });
    });

    it("cancellation: no reply, and the handler is aborted with Cancelled", async () => {
      log.length = 0;
      const [cancelled, next] = await peer(store, format, [
        call(`${STORE}.wait`, [10_000], { cancelAfterMs: 100, waitMs: 500 }),
        call(`${STORE}.wait`, [1], {}),
      ]);
      expect(cancelled).toEqual({ noReply: true });
      expect(next).toEqual({ status: 0, value: 1, error: null, format });
      expect(log).toEqual(["wait aborted: Cancelled"]);
    });

    it("deadlines: past its timeout a call gets no reply; timeout 0 means no deadline", async () => {
      log.length = 0;
      const [late, unbounded] = await peer(store, format, [
        call(`${STORE}.wait`, [5_000], { timeoutMs: 100, waitMs: 1_000 }),
        call(`${STORE}.wait`, [300], { timeoutMs: 0, waitMs: 3_000 }),
      ]);
      expect(late).toEqual({ noReply: true });
      expect(unbounded).toEqual({ status: 0, value: 300, error: null, format });
      expect(log).toEqual(["wait aborted: TimeoutExpired"]);
    });
  });
});
