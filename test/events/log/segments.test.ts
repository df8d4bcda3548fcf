import { readdir, readFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collect, ev, openLog, tempDir } from "./helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const names = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

describe("event log segments", () => {
  it("rotates by size, writes indexes, archives closed segments with zstd, and replays across them", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir, { segmentBytes: 4096, indexIntervalBytes: 512 });
    for (let i = 0; i < 300; i++) await log.append(ev(i));
    await log.close();
    const files = await names(t.dir);
    const archives = files.filter((n) => n.endsWith(".seg.zst"));
    expect(archives.length).toBeGreaterThan(3);
    expect(files.filter((n) => n.endsWith(".seg"))).toHaveLength(1);
    expect(files.filter((n) => n.endsWith(".idx"))).toHaveLength(archives.length);
    expect(files.filter((n) => n.endsWith(".tix"))).toHaveLength(archives.length);
    expect(files.some((n) => n.endsWith(".tmp"))).toBe(false);
    // zstd magic 28 B5 2F FD
    expect([...(await readFile(join(t.dir, archives[0]!))).subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);

    const again = await openLog(t.dir, { segmentBytes: 4096, indexIntervalBytes: 512 });
    expect(again.segmentBases.length).toBe(archives.length + 1);
    expect((await collect(again)).map((r) => r.offset)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect((await collect(again, { fromOffset: 157 }))[0]!.offset).toBe(157);
    expect((await collect(again, { since: 1_000_000_000_000_000_000n + 250n })).map((r) => r.offset)[0]).toBe(250);
    expect((await again.append(ev(300))).offset).toBe(300);
    await again.close();
  });

  it("rebuilds a damaged or missing index by scanning", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir, { segmentBytes: 2048, archive: false });
    for (let i = 0; i < 100; i++) await log.append(ev(i));
    await log.close();
    const { rm, writeFile } = await import("node:fs/promises");
    const idx = (await names(t.dir)).filter((n) => n.endsWith(".idx"));
    await writeFile(join(t.dir, idx[0]!), Buffer.from("garbage"));
    await rm(join(t.dir, idx[1]!.replace(".idx", ".tix")));
    const again = await openLog(t.dir, { segmentBytes: 2048, archive: false });
    expect((await collect(again, { fromOffset: 10 })).map((r) => r.offset)).toEqual(Array.from({ length: 90 }, (_, i) => 10 + i));
    await again.close();
  });

  it("rotates by age", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    let now = 1_000_000;
    const log = await openLog(t.dir, { segmentMaxAgeMs: 1000, now: () => now, archive: false });
    await log.append(ev(0));
    await log.append(ev(1));
    now += 1500;
    await log.append(ev(2));
    expect(log.segmentBases).toEqual([0, 2]);
    await log.close();
  });

  it("retention deletes the oldest closed segments by total size, never the active one", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir, { segmentBytes: 2048, retentionBytes: 5000, archive: false });
    for (let i = 0; i < 400; i++) await log.append(ev(i));
    await log.close();
    const segs = (await names(t.dir)).filter((n) => n.endsWith(".seg"));
    expect(segs.length).toBeLessThanOrEqual(4);
    const again = await openLog(t.dir, { segmentBytes: 2048, archive: false });
    const offsets = (await collect(again)).map((r) => r.offset);
    expect(offsets[offsets.length - 1]).toBe(399);
    expect(offsets[0]).toBeGreaterThan(0);
    expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => offsets[0]! + i));
    expect(again.nextOffset).toBe(400);
    await again.close();
  });

  it("retention deletes closed segments older than retentionMs (file mtime after a restart)", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir, { segmentBytes: 2048 });
    for (let i = 0; i < 100; i++) await log.append(ev(i));
    await log.close();
    const before = (await names(t.dir)).filter((n) => n.endsWith(".seg.zst"));
    expect(before.length).toBeGreaterThan(1);
    const old = new Date(Date.now() - 3_600_000);
    await utimes(join(t.dir, before[0]!), old, old);
    const again = await openLog(t.dir, { segmentBytes: 2048, retentionMs: 600_000 });
    await again.close();
    const after = (await names(t.dir)).filter((n) => n.endsWith(".seg.zst"));
    expect(after).toEqual(before.slice(1));
    expect((await names(t.dir)).some((n) => n.startsWith(before[0]!.slice(0, 20)))).toBe(false);
  });
});
