import { readdir } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { collect, ev, openLog, tempDir } from "./helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe("event log round trip", () => {
  it("appends and replays by offset, time and topic pattern, in order", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir, { indexIntervalBytes: 256 });
    const topics = ["window.opened", "window.closed", "settings.theme.changed", "notify.sent"];
    const acks = await Promise.all(Array.from({ length: 400 }, (_, i) => log.append(ev(i, topics[i % 4]))));
    expect(acks.map((a) => a.offset)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    const all = await collect(log);
    expect(all.map((r) => r.offset)).toEqual(acks.map((a) => a.offset));
    expect(all[5]!.event.body).toEqual(ev(5, topics[1]).body);
    expect(all[5]!.event.messageId).toBe(6n);
    expect(all[5]!.event.correlationId).toBe(5n);

    expect((await collect(log, { fromOffset: 123 })).map((r) => r.offset)).toEqual(Array.from({ length: 277 }, (_, i) => 123 + i));
    const since = 1_000_000_000_000_000_000n + 300n;
    expect((await collect(log, { since })).map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => 300 + i));
    expect((await collect(log, { since, until: since + 10n })).map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 300 + i));
    expect((await collect(log, { since: new Date(Number((since / 1_000_000n) + 1n)) })).length).toBe(0);
    const windows = await collect(log, { topic: "window.*" });
    expect(windows.map((r) => r.offset)).toEqual(Array.from({ length: 200 }, (_, k) => Math.floor(k / 2) * 4 + (k % 2)));
    expect((await collect(log, { topic: "settings.**" })).length).toBe(100);
    expect((await collect(log, { topic: "**" })).length).toBe(400);
    expect((await collect(log, { topic: (x) => x === "notify.sent", fromOffset: 390 })).map((r) => r.offset)).toEqual([391, 395, 399]);
    await log.close();

    // Offsets continue after a reopen.
    const again = await openLog(t.dir);
    expect(again.recovery.truncatedBytes).toBe(0);
    expect(again.nextOffset).toBe(400);
    expect((await again.append(ev(400))).offset).toBe(400);
    expect((await collect(again)).length).toBe(401);
    await again.close();
    expect((await readdir(t.dir)).filter((n) => n.endsWith(".seg"))).toEqual(["00000000000000000000.seg"]);
  });

  it("rejects invalid topic patterns with InvalidEventType and closed logs with ChannelClosed", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir);
    await expect(collect(log, { topic: "a..b" })).rejects.toMatchObject({ code: "InvalidEventType" });
    await expect(collect(log, { topic: "a.b*" })).rejects.toMatchObject({ code: "InvalidEventType" });
    await log.close();
    expect(() => log.append(ev(0))).toThrow(expect.objectContaining({ code: "ChannelClosed" }));
  });

  it("appendFrame stores a received Event frame and rejects a damaged one", async () => {
    const { encodeMessage } = await import("../../../runtime/wire/frame.js");
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir);
    const frame = encodeMessage(ev(1, "bus.x"));
    expect((await log.appendFrame(frame)).offset).toBe(0);
    const bad = Buffer.from(frame);
    bad[bad.length - 1]! ^= 1;
    expect(() => log.appendFrame(bad)).toThrow(expect.objectContaining({ code: "CorruptedMessage" }));
    const [r] = await collect(log);
    expect(r!.event.body.eventType).toBe("bus.x");
    await log.close();
  });

  it("replay is pulled lazily and follows a segment archived while the replay was running", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir, { segmentBytes: 2048 });
    for (let i = 0; i < 40; i++) await log.append(ev(i));
    const bases = log.segmentBases;
    const activeBase = bases[bases.length - 1]!;
    const it = log.replay();
    expect((await it.next()).value!.offset).toBe(0);
    // Rotate the segment that was active when the replay started; it is archived and its .seg removed.
    for (let i = 40; i < 120; i++) await log.append(ev(i));
    await log.close();
    const { readdir } = await import("node:fs/promises");
    const stem = String(activeBase).padStart(20, "0");
    expect(await readdir(t.dir)).toContain(`${stem}.seg.zst`);
    expect(await readdir(t.dir)).not.toContain(`${stem}.seg`);
    const rest: number[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.offset);
    // Everything up to the end of the segments that existed when the replay started.
    expect(rest[0]).toBe(1);
    expect(rest).toEqual(Array.from({ length: rest.length }, (_, k) => k + 1));
    expect(rest[rest.length - 1]!).toBeGreaterThanOrEqual(39);
    // Breaking early releases the reader.
    const again = await openLog(t.dir);
    for await (const r of again.replay({ fromOffset: 5 })) {
      expect(r.offset).toBe(5);
      break;
    }
    await again.close();
  });
});
