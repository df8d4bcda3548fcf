/**
 * Issue 12 acceptance, "Cross-process test": real processes on a real
 * `nova bus` — a publisher (xproc-publisher.mjs, a BusClient in its own
 * process, then `nova emit` fed through stdin), a wildcard subscriber
 * (`nova listen 'window.**'`) and a filtered subscriber (`nova listen
 * 'window.*' --filter ...`) — receive exactly the expected events, in order.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, makeTempDir, removeDir } from "../transport/helpers.js";
import { runNova, startBus, startListen, startNode, type Proc } from "./processes.js";

const PUBLISHER = fileURLToPath(new URL("./xproc-publisher.mjs", import.meta.url));
const TOPICS = ["window.opened", "window.moved", "window.sub.resized", "other.thing", "windows.x"];

interface Sent {
  topic: string;
  data: { id: number; seq: number };
}

interface Got {
  id: string;
  topic: string;
  data: { id: number; seq: number };
}

describe("cross-process pub/sub through nova bus", () => {
  let dir: string;
  let socket: string;
  let bus: Proc;
  beforeAll(async () => {
    ensureBuilt("runtime/bus/index.js");
    dir = makeTempDir("nova-xproc-");
    socket = join(dir, "bus.sock");
    bus = await startBus(socket);
  });
  afterAll(async () => {
    await bus?.stop();
    removeDir(dir);
  });

  it("a publisher, a wildcard subscriber and a filtered subscriber: exactly the expected events, in order", async () => {
    const wildcard = await startListen(["window.**", "--bus", socket], "wildcard listener");
    const filtered = await startListen(["window.*", "--filter", '{"field":"id","range":{"gte":5}}', "--bus", socket], "filtered listener");

    // Phase 1: 1,000 fire-and-forget events on five topics from a BusClient process.
    const sent: Sent[] = [];
    for (let seq = 0; seq < 1000; seq++) sent.push({ topic: TOPICS[(seq * 7) % 5]!, data: { id: (seq * 3) % 10, seq } });
    const publisher = startNode(PUBLISHER, [socket], "publisher");
    publisher.child.stdin!.end(sent.map((e) => JSON.stringify(e)).join("\n") + "\n");
    expect(await publisher.outLine(1)).toBe("done 1000");
    expect((await publisher.exited).code).toBe(0);

    // Phase 2: acknowledged emits from `nova emit` reading stdin.
    const closed: Sent[] = [];
    for (let k = 0; k < 20; k++) closed.push({ topic: "window.closed", data: { id: k % 10, seq: 1000 + k } });
    const emitted = await runNova(["emit", "window.closed", "--bus", socket], closed.map((e) => JSON.stringify(e.data)).join("\n") + "\n");
    expect(emitted).toMatchObject({ code: 0, stderr: "" });
    expect(emitted.stdout.trim().split("\n")).toHaveLength(20);
    sent.push(...closed);

    const wantWildcard = sent.filter((e) => e.topic.startsWith("window."));
    const wantFiltered = sent.filter((e) => e.topic.split(".").length === 2 && e.topic.startsWith("window.") && e.data.id >= 5);
    expect(wantWildcard.length).toBeGreaterThan(wantFiltered.length);
    expect(wantFiltered.length).toBeGreaterThan(0);
    await wildcard.until(() => wildcard.out.length >= wantWildcard.length, `${wantWildcard.length} events`);
    await filtered.until(() => filtered.out.length >= wantFiltered.length, `${wantFiltered.length} events`);
    // Anything unexpected would have been routed before the last emit was acknowledged.
    expect(await wildcard.stop("SIGINT")).toMatchObject({ code: 0, signal: null });
    expect(await filtered.stop("SIGINT")).toMatchObject({ code: 0, signal: null });

    const gotWildcard = wildcard.out.map((l) => JSON.parse(l) as Got);
    const gotFiltered = filtered.out.map((l) => JSON.parse(l) as Got);
    expect(gotWildcard.map((e) => ({ topic: e.topic, data: e.data }))).toEqual(wantWildcard);
    expect(gotFiltered.map((e) => ({ topic: e.topic, data: e.data }))).toEqual(wantFiltered);
    // In order: the daemon's ids increase; both subscribers saw the same event under the same id.
    const ids = gotWildcard.map((e) => BigInt(e.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    const idBySeq = new Map(gotWildcard.map((e) => [e.data.seq, e.id]));
    for (const e of gotFiltered) expect(e.id).toBe(idBySeq.get(e.data.seq));
    // The acknowledgements of nova emit name the events the subscribers got.
    const ackIds = emitted.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id);
    expect(gotWildcard.slice(-20).map((e) => e.id)).toEqual(ackIds);
  });
});
