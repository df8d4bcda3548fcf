import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { CorruptionReport } from "../../../runtime/events/log/index.js";
import { collect, ev, openLog, tempDir } from "./helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const SEG0 = "00000000000000000000.seg";

/** Writes `n` records and returns the segment bytes and each record's end position. */
async function writeLog(dir: string, n: number): Promise<{ bytes: Buffer; ends: number[] }> {
  const log = await openLog(dir, { fsync: "never" });
  for (let i = 0; i < n; i++) await log.append(ev(i, i % 2 ? "a.b" : "a.c"));
  await log.close();
  const bytes = await readFile(join(dir, SEG0));
  const ends: number[] = [];
  for (let p = 0; p < bytes.length; ) {
    p += 40 + bytes.readUInt32LE(p + 32);
    ends.push(p);
  }
  expect(ends).toHaveLength(n);
  return { bytes, ends };
}

describe("event log crash recovery", () => {
  it("truncates a torn last record at every byte position; earlier records intact; appends continue", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const { bytes, ends } = await writeLog(t.dir, 6);
    const start = ends[4]!;
    for (let cut = start; cut < ends[5]!; cut++) {
      await writeFile(join(t.dir, SEG0), bytes.subarray(0, cut));
      const reports: CorruptionReport[] = [];
      const log = await openLog(t.dir, { onCorruption: (r) => reports.push(r) });
      expect(log.recovery.truncatedBytes).toBe(cut - start);
      expect(reports).toEqual([]);
      expect(log.nextOffset).toBe(5);
      const got = await collect(log);
      expect(got.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
      expect(got[4]!.event.body).toEqual(ev(4, "a.c").body);
      expect((await log.append(ev(99))).offset).toBe(5);
      expect((await collect(log)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
      await log.close();
    }
  });

  it("reports and skips a corrupted record in the middle; offsets of later records are kept", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const { bytes, ends } = await writeLog(t.dir, 6);
    for (const [where, what] of [
      [ends[1]! + 50, "payload byte"],
      [ends[1]! + 33, "length field"],
      [ends[1]! + 1, "magic"],
      [ends[1]! + 20, "offset field"],
    ] as const) {
      const bad = Buffer.from(bytes);
      bad[where]! ^= 0x5a;
      await writeFile(join(t.dir, SEG0), bad);
      const atOpen: CorruptionReport[] = [];
      const log = await openLog(t.dir, { onCorruption: (r) => atOpen.push(r) });
      expect(atOpen, what).toEqual([{ segment: 0, position: ends[1]!, length: ends[2]! - ends[1]!, afterOffset: 1, kind: "corrupt" }]);
      expect(log.recovery.truncatedBytes).toBe(0);
      const inReplay: CorruptionReport[] = [];
      const got = await collect(log, { onCorruption: (r) => inReplay.push(r) });
      expect(got.map((r) => r.offset), what).toEqual([0, 1, 3, 4, 5]);
      expect(inReplay).toEqual(atOpen);
      expect((await log.append(ev(6))).offset).toBe(6);
      await log.close();
    }
  });

  it("property: random appends + random truncation/corruption never crash and never return a corrupted record", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const { bytes: base, ends } = await writeLog(t.dir, 12);
    const reader = await openLog(t.dir);
    const original = await collect(reader);
    await reader.close();
    expect(original).toHaveLength(12);
    const byOffset = new Map(original.map((r) => [r.offset, JSON.stringify(r.event, (_k, v) => (typeof v === "bigint" ? String(v) : v))]));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: base.length }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        async (cut, flips, extra) => {
          const b = Buffer.from(base.subarray(0, cut));
          for (const [pos, x] of flips) if (b.length > 0) b[pos % b.length]! ^= x;
          await writeFile(join(t.dir, SEG0), b);
          const log = await openLog(t.dir, { fsync: "never" });
          const first = log.nextOffset;
          for (let i = 0; i < extra; i++) expect((await log.append(ev(100 + i))).offset).toBe(first + i);
          const got = await collect(log);
          await log.close();
          let prev = -1;
          for (const r of got) {
            expect(r.offset).toBeGreaterThan(prev);
            prev = r.offset;
            if (r.offset < first) expect(JSON.stringify(r.event, (_k, v) => (typeof v === "bigint" ? String(v) : v))).toBe(byOffset.get(r.offset));
          }
          // Records wholly before the first damaged byte all survive.
          const firstDamage = Math.min(cut, ...flips.filter(() => b.length > 0).map(([pos]) => pos % b.length));
          const intact = ends.filter((e) => e <= firstDamage).length;
          expect(got.filter((r) => r.offset < intact).length).toBe(intact);
          expect(got.filter((r) => r.offset >= first).length).toBe(extra);
        },
      ),
      { numRuns: 150 },
    );
  });
});
