import type { FileHandle } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ev, openLog, tempDir } from "./helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** An injected fsync that is held until released, recording each call. */
function gatedSync(): { sync: (fh: FileHandle) => Promise<void>; calls: number; release: () => void } {
  const g = {
    calls: 0,
    gates: [] as (() => void)[],
    sync: async (fh: FileHandle) => {
      g.calls++;
      await new Promise<void>((r) => g.gates.push(r));
      await fh.datasync();
    },
    release: () => {
      for (const r of g.gates.splice(0)) r();
    },
  };
  return g;
}

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("event log fsync policies", () => {
  it("always: each batch is acknowledged only after its fsync returns", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const g = gatedSync();
    const log = await openLog(t.dir, { fsync: "always", syncFile: g.sync });
    let done = false;
    const p = log.append(ev(0)).then((r) => ((done = true), r));
    await tick();
    expect(g.calls).toBe(1);
    expect(done).toBe(false);
    g.release();
    expect((await p).offset).toBe(0);
    expect(log.writeCount).toBe(1);
    const closing = log.close();
    await tick();
    g.release();
    await closing;
  });

  it("group: one write and one fsync for a whole turn of appends, acknowledged after it", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const g = gatedSync();
    const log = await openLog(t.dir, { fsync: "group", groupCommitMs: 5, syncFile: g.sync });
    let acked = 0;
    const ps = Array.from({ length: 500 }, (_, i) => log.append(ev(i)).then(() => acked++));
    await tick(50);
    expect(log.writeCount).toBe(1);
    expect(g.calls).toBe(1);
    expect(acked).toBe(0);
    g.release();
    await Promise.all(ps);
    expect(acked).toBe(500);
    expect(g.calls).toBe(1);
    const closing = log.close();
    await tick();
    g.release();
    await closing;
  });

  it("never: acknowledged after the write, with no fsync", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const g = gatedSync();
    const log = await openLog(t.dir, { fsync: "never", syncFile: g.sync });
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(ev(i))));
    expect(rs[49]!.offset).toBe(49);
    expect(g.calls).toBe(0);
    expect(log.writeCount).toBe(1);
    const closing = log.close(); // close still syncs once
    await tick();
    g.release();
    await closing;
    expect(g.calls).toBe(1);
  });

  it("rejects an unknown policy with InvalidArgument", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    await expect(openLog(t.dir, { fsync: "sometimes" as never })).rejects.toMatchObject({ code: "InvalidArgument" });
  });

  it("group: acknowledges during a steady stream of appends, not only when the writer goes idle", async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir, { fsync: "group", groupCommitMs: 5 });
    let acked = 0;
    let producing = true;
    let ackedWhileProducing = 0;
    const ps: Promise<unknown>[] = [];
    const stopAt = Date.now() + 1500;
    for (let i = 0; Date.now() < stopAt; i++) {
      ps.push(log.append(ev(i)).then(() => (acked++, producing && ackedWhileProducing++)));
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
      if (ackedWhileProducing > 0) break;
    }
    producing = false;
    await Promise.all(ps);
    expect(ackedWhileProducing).toBeGreaterThan(0);
    expect(acked).toBe(ps.length);
    await log.close();
  });
});
