/**
 * `nova bus`, `nova emit`, `nova listen` and `nova replay` as real processes
 * (`node dist/bin/nova.js`), on temp directories: the output lines, the exit
 * codes (0 ok, 1 `error[Code]: ...`, 2 usage), clean shutdown on signals,
 * replay by offset and time, and a corrupted record reported, never printed.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLog } from "../../runtime/events/log/event-log.js";
import { makeTempDir, removeDir } from "../transport/helpers.js";
import { runNova, startBus, startListen, startNode, startNova, type Proc } from "./processes.js";

const NOVA_GEN = join(import.meta.dirname, "../../dist/bin/nova-gen.js");

const RECEIPT = /^\{"id":"[0-9]+"\}$/;
const PERSISTED_RECEIPT = /^\{"offset":[0-9]+,"id":"[0-9]+"\}$/;

interface Line {
  offset?: number;
  id: string;
  topic: string;
  timestampNs: string;
  data: unknown;
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

function parsed(text: string | string[]): Line[] {
  return (typeof text === "string" ? lines(text) : text).map((l) => JSON.parse(l) as Line);
}

describe("nova bus", () => {
  let dir: string;
  beforeAll(() => void (dir = makeTempDir("nova-cli-bus-")));
  afterAll(() => removeDir(dir));

  it("prints the socket path first; on SIGTERM closes listeners, flushes the log, removes the socket, exits 0", async () => {
    const socket = join(dir, "a.sock");
    const log = join(dir, "a-log");
    const bus = await startBus(socket, ["--log", log, "--fsync", "always"]);
    expect(bus.out).toEqual([socket]);
    const listener = await startListen(["x.**", "--bus", socket]);
    const emitted = await runNova(["emit", "x.y", "--persist", "--bus", socket], '{"i":1}\n{"i":2}\n{"i":3}\n');
    expect(emitted.code).toBe(0);
    await listener.until(() => listener.out.length === 3, "3 events");

    const stopped = await bus.stop("SIGTERM");
    expect(stopped).toMatchObject({ code: 0, signal: null, stdout: socket + "\n", stderr: "" });
    expect(existsSync(socket)).toBe(false);
    // The listener learns that the bus went away: exit 1 with a typed error.
    const gone = await listener.exited;
    expect(gone.code).toBe(1);
    expect(lines(gone.stderr).at(-1)).toMatch(/^error\[ChannelClosed\]: /);

    const reopened = await EventLog.open(log);
    expect(reopened.recovery.truncatedBytes).toBe(0);
    expect(reopened.nextOffset).toBe(3);
    await reopened.close();

    // SIGINT stops it the same way; the same socket and log are usable again.
    const again = await startBus(socket, ["--log", log]);
    expect((await runNova(["emit", "x.z", "{}", "--persist", "--bus", socket])).stdout).toMatch(/^\{"offset":3,/);
    expect(await again.stop("SIGINT")).toMatchObject({ code: 0, stderr: "" });
    expect(existsSync(socket)).toBe(false);
  });

  it("--schemas: topics nova-gen's schema entries declare @persistent are persisted", async () => {
    const nidl = join(dir, "s.nidl");
    writeFileSync(nidl, 'package org.example.cli;\n@topic("win.*")\ninterface Windows {\n    signal Opened(id: u32);\n    @persistent signal Closed(id: u32);\n}\n');
    const genProc = startNode(NOVA_GEN, ["generate", nidl, "--out", join(dir, "s-gen"), "--target", "schema"], "nova-gen");
    genProc.child.stdin!.end();
    const gen = await genProc.exited;
    expect(gen.code, gen.stderr).toBe(0);
    const noLog = await runNova(["bus", "--socket", join(dir, "s0.sock"), "--schemas", join(dir, "s-gen")]);
    expect(noLog.code).toBe(1);
    expect(noLog.stderr).toMatch(/^error\[InvalidArgument\]: --schemas .* @persistent/);
    const socket = join(dir, "s.sock");
    const bus = await startBus(socket, ["--log", join(dir, "s-log"), "--schemas", join(dir, "s-gen")]);
    try {
      expect((await runNova(["emit", "win.Closed", '{"id":1}', "--bus", socket])).stdout.trim()).toMatch(PERSISTED_RECEIPT);
      expect((await runNova(["emit", "win.Opened", '{"id":1}', "--bus", socket])).stdout.trim()).toMatch(RECEIPT);
    } finally {
      await bus.stop("SIGTERM");
    }
  });

  it("exits 1 with a typed error when the socket is in use or the options make no sense, 2 on bad usage", async () => {
    const socket = join(dir, "b.sock");
    const bus = await startBus(socket);
    try {
      const [inUse, persistNoLog, fsyncNoLog, badPattern, badFsync, badMax, badPolicy] = await Promise.all([
        runNova(["bus", "--socket", socket]),
        runNova(["bus", "--socket", join(dir, "c.sock"), "--persist", "audit.**"]),
        runNova(["bus", "--socket", join(dir, "c.sock"), "--fsync", "always"]),
        runNova(["bus", "--socket", join(dir, "d.sock"), "--log", join(dir, "d-log"), "--persist", "a..b"]),
        runNova(["bus", "--socket", join(dir, "e.sock"), "--log", join(dir, "e-log"), "--fsync", "sometimes"]),
        runNova(["bus", "--socket", join(dir, "e.sock"), "--max-connections", "0"]),
        runNova(["bus", "--socket", join(dir, "e.sock"), "--slow-subscriber", "ignore"]),
      ]);
      expect(inUse).toMatchObject({ code: 1, stdout: "" });
      expect(inUse.stderr).toMatch(/^error\[InvalidEndpointName\]: another server is live on /);
      expect(persistNoLog).toMatchObject({ code: 1, stdout: "" });
      expect(persistNoLog.stderr).toMatch(/^error\[InvalidArgument\]: --persist needs --log/);
      expect(fsyncNoLog.code).toBe(1);
      expect(fsyncNoLog.stderr).toMatch(/^error\[InvalidArgument\]: --fsync needs --log/);
      expect(badPattern).toMatchObject({ code: 1, stdout: "" });
      expect(badPattern.stderr).toMatch(/^error\[InvalidEventType\]: /);
      expect(existsSync(join(dir, "d.sock"))).toBe(false);
      for (const r of [badFsync, badMax, badPolicy]) expect(r).toMatchObject({ code: 2, stdout: "" });
    } finally {
      expect((await bus.stop()).code).toBe(0);
    }
  });
});

describe("nova emit and nova listen", () => {
  let dir: string;
  let socket: string;
  let bus: Proc;
  beforeAll(async () => {
    dir = makeTempDir("nova-cli-emit-");
    socket = join(dir, "bus.sock");
    bus = await startBus(socket, ["--log", join(dir, "log")]);
  });
  afterAll(async () => {
    await bus?.stop();
    removeDir(dir);
  });

  it("emits the argument; prints the acknowledgement, with the offset only when persisted; listeners see the same ids", async () => {
    const listener = await startListen(["one.*", "--bus", socket]);
    const plain = await runNova(["emit", "one.a", '{"n": {"$n": "18446744073709551615"}, "b": {"$b": "AAEC"}}', "--bus", socket]);
    const persisted = await runNova(["emit", "one.b", '"text"', "--persist", "--priority", "high", "--bus", socket]);
    expect(plain).toMatchObject({ code: 0, stderr: "" });
    expect(lines(plain.stdout)).toHaveLength(1);
    expect(plain.stdout.trim()).toMatch(RECEIPT);
    expect(persisted).toMatchObject({ code: 0, stderr: "" });
    expect(persisted.stdout.trim()).toMatch(PERSISTED_RECEIPT);
    await listener.until(() => listener.out.length === 2, "2 events");
    const [a, b] = parsed(listener.out);
    expect(a).toMatchObject({ id: JSON.parse(plain.stdout).id, topic: "one.a", data: { n: { $n: "18446744073709551615" }, b: { $b: "AAEC" } } });
    expect(a).not.toHaveProperty("offset");
    expect(a!.timestampNs).toMatch(/^[0-9]{19}$/);
    expect(b).toEqual({ ...JSON.parse(persisted.stdout), topic: "one.b", timestampNs: b!.timestampNs, data: "text" });
    expect(Object.keys(b!)).toEqual(["offset", "id", "topic", "timestampNs", "data"]);
    expect(await listener.stop("SIGINT")).toMatchObject({ code: 0 });
  });

  it("reads one JSON value per stdin line: blank lines ignored, a bad line named on stderr and exit 1, the rest acknowledged in order", async () => {
    const listener = await startListen(["many.lines", "--bus", socket]);
    const input: string[] = [];
    for (let i = 0; i < 150; i++) input.push(i === 40 ? "{not json" : i % 50 === 7 ? "   " : JSON.stringify({ i }));
    const r = await runNova(["emit", "many.lines", "--persist", "--bus", socket], input.join("\n")); // no final newline
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^error\[InvalidArgument\]: line 41: the line is not JSON: /)]);
    const receipts = parsed(r.stdout);
    expect(receipts).toHaveLength(146); // 150 - 3 blank - 1 bad
    for (const x of receipts) expect(Object.keys(x)).toEqual(["offset", "id"]);
    const offsets = receipts.map((x) => x.offset!);
    expect(offsets).toEqual(offsets.map((_, k) => offsets[0]! + k));
    await listener.until(() => listener.out.length === 146, "146 events");
    const got = parsed(listener.out);
    const want = input.filter((l, i) => i !== 40 && l.trim() !== "").map((l) => JSON.parse(l) as unknown);
    expect(got.map((e) => e.data)).toEqual(want);
    expect(got.map((e) => e.id)).toEqual(receipts.map((x) => x.id));
    expect(got.map((e) => e.offset)).toEqual(offsets);
    await listener.stop();
  });

  it("exits 1 with a typed error for a bad topic, bad JSON, an unreachable bus and a refused persist; 2 on bad usage", async () => {
    const noLog = join(dir, "nolog.sock");
    const plainBus = await startBus(noLog);
    const results = await Promise.all([
      runNova(["emit", "bad..topic", "{}", "--bus", socket]),
      runNova(["emit", "nova.bus.mine", "{}", "--bus", socket]),
      runNova(["emit", "ok.topic", "{oops", "--bus", socket]),
      runNova(["emit", "ok.topic", "{}", "--bus", join(dir, "nobody.sock")]),
      runNova(["emit", "ok.topic", "{}", "--persist", "--bus", noLog]),
      runNova(["emit", "ok.topic", "--persist", "--bus", noLog], "1\n2\n"),
    ]);
    const codes = ["InvalidEventType", "InvalidEventType", "InvalidArgument", "EndpointUnreachable", "InvalidArgument", "InvalidArgument"];
    results.forEach((r, k) => {
      expect(r.code, `case ${k}`).toBe(1);
      expect(r.stdout, `case ${k}`).toBe("");
      expect(r.stderr, `case ${k}`).toMatch(new RegExp(`^error\\[${codes[k]}\\]: `));
    });
    expect(lines(results[5]!.stderr)).toEqual([expect.stringMatching(/^error\[InvalidArgument\]: line 1: cannot persist/), expect.stringMatching(/^error\[InvalidArgument\]: line 2: cannot persist/)]);
    expect((await runNova(["emit", "ok.topic", "{}", "--priority", "urgent", "--bus", socket])).code).toBe(2);
    expect((await runNova(["emit", "--bus", socket])).code).toBe(2);
    expect((await plainBus.stop()).code).toBe(0);
  });

  it("nova listen filters in the bus; bad pattern or filter exit 1; --from-offset with --since is bad usage", async () => {
    const filtered = await startListen(["flt.*", "--filter", '{"field":"id","range":{"gte":5}}', "--bus", socket]);
    const input = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: i })).join("\n") + "\n";
    expect((await runNova(["emit", "flt.x", "--bus", socket], input)).code).toBe(0);
    await filtered.until(() => filtered.out.length === 5, "5 events");
    expect(parsed(filtered.out).map((e) => e.data)).toEqual([5, 6, 7, 8, 9].map((id) => ({ id })));
    expect(await filtered.stop("SIGTERM")).toMatchObject({ code: 0 });
    expect(filtered.err).toEqual([`listening flt.* on ${socket}`]);

    const [badPattern, badFilter, notJson, both] = await Promise.all([
      runNova(["listen", "a.**.**x", "--bus", socket]),
      runNova(["listen", "a.*", "--filter", '{"field":"id","between":[1,2]}', "--bus", socket]),
      runNova(["listen", "a.*", "--filter", "{", "--bus", socket]),
      runNova(["listen", "a.*", "--from-offset", "0", "--since", "2026-01-01T00:00:00Z", "--bus", socket]),
    ]);
    expect(badPattern).toMatchObject({ code: 1, stdout: "" });
    expect(badPattern.stderr).toMatch(/^error\[InvalidEventType\]: /);
    expect(badFilter.code).toBe(1);
    expect(badFilter.stderr).toMatch(/^error\[InvalidFilter\]: /);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^error\[InvalidArgument\]: --filter is not JSON/);
    expect(both).toMatchObject({ code: 2, stdout: "" });
  });

  it("nova listen --from-offset and --since replay the log first, then go on live, with no gap and no repeat", async () => {
    const first = await runNova(["emit", "hist.a", "--persist", "--bus", socket], "1\n2\n3\n4\n");
    const firstOffsets = parsed(first.stdout).map((r) => r.offset!);
    // --since: the first batch's last timestamp + 1 ms; everything emitted later is newer.
    const fromLog = await startListen(["hist.*", "--from-offset", String(firstOffsets[1]), "--bus", socket]);
    await fromLog.until(() => fromLog.out.length === 3, "3 replayed events");
    const lastTs = BigInt(parsed(fromLog.out).at(-1)!.timestampNs);
    const since = new Date(Number(lastTs / 1_000_000n) + 1).toISOString();
    const second = await runNova(["emit", "hist.b", "--persist", "--bus", socket], "5\n6\n");
    const bySince = await startListen(["hist.*", "--since", since, "--bus", socket]);
    const live = await runNova(["emit", "hist.c", "7", "--persist", "--bus", socket]);
    const allOffsets = [...firstOffsets, ...parsed(second.stdout).map((r) => r.offset!), JSON.parse(live.stdout).offset as number];

    await fromLog.until(() => fromLog.out.length === 6, "6 events");
    const a = parsed(fromLog.out);
    expect(a.map((e) => e.offset)).toEqual(allOffsets.slice(1));
    expect(a.map((e) => e.data)).toEqual([2, 3, 4, 5, 6, 7]);
    await bySince.until(() => bySince.out.length === 3, "3 events");
    expect(parsed(bySince.out).map((e) => e.data)).toEqual([5, 6, 7]);
    // The same events print the same lines, whether replayed or live.
    expect(bySince.out).toEqual(fromLog.out.slice(3));
    expect((await fromLog.stop()).code).toBe(0);
    expect((await bySince.stop()).code).toBe(0);
    expect(fromLog.out).toHaveLength(6);
    expect(bySince.out).toHaveLength(3);
  });
});

describe("nova replay", () => {
  let dir: string;
  let log: string;
  let listened: string[];
  let since: string;

  beforeAll(async () => {
    dir = makeTempDir("nova-cli-replay-");
    log = join(dir, "log");
    const socket = join(dir, "bus.sock");
    const bus = await startBus(socket, ["--log", log, "--persist", "audit.**"]);
    const all = await startListen(["**", "--bus", socket]);
    const input = Array.from({ length: 30 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(i * 7) })).join("\n");
    expect((await runNova(["emit", "window.moved", "--persist", "--bus", socket], input)).code).toBe(0);
    expect((await runNova(["emit", "audit.login", '{"user":"ada"}', "--bus", socket])).stdout.trim()).toMatch(PERSISTED_RECEIPT);
    expect((await runNova(["emit", "window.transient", "{}", "--bus", socket])).stdout.trim()).toMatch(RECEIPT);
    await all.until(() => all.out.length === 32, "32 events");
    since = new Date(Number(BigInt(parsed(all.out).at(-1)!.timestampNs) / 1_000_000n) + 1).toISOString();
    expect((await runNova(["emit", "window.closed", "--persist", "--bus", socket], "[1]\n[2]\n")).code).toBe(0);
    await all.until(() => all.out.length === 34, "34 events");
    await all.stop();
    listened = all.out.filter((l) => l.startsWith('{"offset"'));
    expect(listened).toHaveLength(33);
    expect((await bus.stop()).code).toBe(0);
  });
  afterAll(() => removeDir(dir));

  it("prints the log written through the daemon: the same lines nova listen printed, then exits 0", async () => {
    const r = await runNova(["replay", "--log", log]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(lines(r.stdout)).toEqual(listened);
  });

  it("selects by --from-offset, --topic and --since", async () => {
    const [from, topic, bySince, combined] = await Promise.all([
      runNova(["replay", "--log", log, "--from-offset", "29"]),
      runNova(["replay", "--log", log, "--topic", "audit.*"]),
      runNova(["replay", "--log", log, "--since", since]),
      runNova(["replay", "--log", log, "--topic", "window.**", "--from-offset", "10", "--since", since]),
    ]);
    for (const r of [from, topic, bySince, combined]) expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(lines(from.stdout)).toEqual(listened.slice(29));
    expect(parsed(topic.stdout).map((e) => [e.offset, e.topic, e.data])).toEqual([[30, "audit.login", { user: "ada" }]]);
    expect(lines(bySince.stdout)).toEqual(listened.slice(31));
    expect(lines(combined.stdout)).toEqual(listened.slice(31));
  });

  it("reports a corrupted record on stderr, never prints it, prints the rest, and exits 1", async () => {
    const copy = join(dir, "corrupt");
    cpSync(log, copy, { recursive: true });
    const seg = readdirSync(copy).find((f) => f.endsWith(".seg"))!;
    const bytes = readFileSync(join(copy, seg));
    bytes[bytes.length >> 1] ^= 0x5a; // one byte in the middle of the segment
    writeFileSync(join(copy, seg), bytes);
    const r = await runNova(["replay", "--log", copy]);
    expect(r.code).toBe(1);
    const errors = lines(r.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error\[CorruptedMessage\]: corrupt record\(s\) in segment 0, byte [0-9]+, [0-9]+ bytes, after offset [0-9]+: skipped$/);
    // Exactly one record is missing, and every printed line is one the daemon delivered.
    const out = lines(r.stdout);
    expect(out).toHaveLength(listened.length - 1);
    for (const l of out) expect(listened).toContain(l);
    const missing = listened.filter((l) => !out.includes(l));
    expect(missing).toHaveLength(1);
    expect(errors[0]).toContain(`after offset ${(JSON.parse(missing[0]!) as Line).offset! - 1}:`);
  });

  it("ends quietly with exit 0 when its reader goes away (nova replay ... | head -1)", async () => {
    const big = join(dir, "big");
    const writer = await EventLog.open(big, { fsync: "never" });
    const appends = [];
    for (let i = 0; i < 20_000; i++) {
      appends.push(writer.append({ type: "event", messageId: BigInt(i + 1), correlationId: 0n, timestampNs: BigInt(i), body: { eventType: "big.one", data: { i, pad: "p".repeat(100) }, sourceId: 0n, priority: 128 } }));
    }
    await Promise.all(appends);
    await writer.close();
    const replay = startNova(["replay", "--log", big]);
    replay.child.stdin!.end();
    expect(JSON.parse(await replay.outLine(1))).toMatchObject({ offset: 0, topic: "big.one" });
    replay.child.stdout!.destroy(); // ~3 MB are still to be written
    const done = await replay.exited;
    expect(done).toMatchObject({ code: 0, signal: null, stderr: "" });
  });

  it("exits 1 for a missing log or a bad pattern, 2 on bad usage", async () => {
    const [missing, badTopic, noLog, badSince, badOffset] = await Promise.all([
      runNova(["replay", "--log", join(dir, "nothing-here")]),
      runNova(["replay", "--log", log, "--topic", "a..b"]),
      runNova(["replay"]),
      runNova(["replay", "--log", log, "--since", "yesterday"]),
      runNova(["replay", "--log", log, "--from-offset", "-1"]),
    ]);
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toMatch(/^error\[InvalidArgument\]: no event log directory at /);
    expect(existsSync(join(dir, "nothing-here"))).toBe(false);
    expect(badTopic).toMatchObject({ code: 1, stdout: "" });
    expect(badTopic.stderr).toMatch(/^error\[InvalidEventType\]: /);
    for (const r of [noLog, badSince, badOffset]) expect(r).toMatchObject({ code: 2, stdout: "" });
  });
});
