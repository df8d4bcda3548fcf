/**
 * Worker threads as participants (runtime/sync/mutex.ts lockSync): each
 * worker has its own participant entry, so a worker blocked in lockSync is
 * woken across threads by an unlock on the main thread, shows up in the
 * wait-for graph (a main-thread/worker deadlock is DeadlockDetected), and
 * the slow-path counters (stats) count the contention.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { Mutex, SyncDomain } from "../../runtime/sync/index.js";
import { settledCode } from "../helpers/ipc-error.js";
import { dist, expectNoShmLeft } from "../shm/shm-helpers.js";
import { freshDomain } from "./sync-helpers.js";

const domains: SyncDomain[] = [];
const workers: Worker[] = [];

afterEach(async () => {
  for (const w of workers.splice(0)) await w.terminate();
  for (const d of domains.splice(0)) d.close();
  expectNoShmLeft(`sync-t${process.pid}-`);
});

/**
 * Starts a worker running `body` with `d` (the domain, opened in the worker),
 * `Mutex`, `post` and `next()` (the next message from the test). It posts
 * "closed" once it has closed its domain: a test awaits that (`closed()`)
 * before it ends, so the region's last reference is dropped and it is unlinked.
 */
function worker(domainName: string, body: string): { w: Worker; messages: unknown[]; until(pred: (m: unknown[]) => boolean): Promise<void>; closed(): Promise<void> } {
  const source = `
    const { parentPort } = await import("node:worker_threads");
    const { SyncDomain, Mutex } = await import(${JSON.stringify(pathToFileURL(JSON.parse(dist("runtime/sync/index.js")) as string).href)});
    const d = SyncDomain.open(${JSON.stringify(domainName)});
    const post = (m) => parentPort.postMessage(m);
    const inbox = [];
    let waiting;
    parentPort.on("message", (m) => { inbox.push(m); waiting?.(); });
    const next = async () => { while (inbox.length === 0) await new Promise((r) => (waiting = r)); return inbox.shift(); };
    try { ${body} } finally { d.close(); post("closed"); }
  `;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
  workers.push(w);
  const messages: unknown[] = [];
  let error: unknown;
  w.on("message", (m) => messages.push(m));
  w.on("error", (e) => (error = e));
  const until = async (pred: (m: unknown[]) => boolean): Promise<void> => {
    const end = Date.now() + 20_000;
    while (!pred(messages)) {
      if (error !== undefined) throw error;
      if (Date.now() > end) throw new Error(`worker: timed out; messages ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { w, messages, until, closed: () => until((ms) => ms.includes("closed")) };
}

describe("mutex with worker threads", () => {
  it("a worker blocked in lockSync is woken by the main thread's release; the main thread's contended lock is counted", async () => {
    const { domain: d, name } = freshDomain();
    domains.push(d);
    const m = Mutex.create("m", { domain: d });
    const g = await m.lock();
    const t = worker(
      name,
      `
      const m = Mutex.open("m", { domain: d });
      post({ me: d.me });
      m.lockSync({ timeoutMs: 10000 });
      post("held");
      await next();
      m.unlock();
      post({ stats: { ...m.stats } });
    `,
    );
    await t.until((ms) => ms.length >= 1);
    const workerMe = (t.messages[0] as { me: number }).me;
    expect(workerMe).not.toBe(d.me);
    // The worker is parked on the mutex: its participant entry says so.
    const end = Date.now() + 10_000;
    while (d.waitingFor(workerMe) !== m.slot + 1) {
      expect(Date.now()).toBeLessThan(end);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(t.messages).not.toContain("held");
    g.release();
    await t.until((ms) => ms.includes("held"));
    expect(d.waitingFor(workerMe)).toBe(0);
    // Now the main thread contends with the worker, which holds it until told.
    const contendedBefore = m.stats.contended;
    const pending = m.lock({ timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 30));
    t.w.postMessage("go");
    const g2 = await pending;
    expect(m.stats.contended).toBe(contendedBefore + 1);
    expect(m.stats.waitMs).toBeGreaterThan(0);
    g2.release();
    await t.until((ms) => ms.some((x) => typeof x === "object" && x !== null && "stats" in x));
    const ws = (t.messages.find((x) => typeof x === "object" && x !== null && "stats" in x) as { stats: { contended: number; acquisitions: number } }).stats;
    expect(ws.contended).toBe(1);
    expect(ws.acquisitions).toBe(1);
    await t.closed();
  }, 30_000);

  it("main thread holds m1 and awaits m2 while a worker holds m2 and blocks in lockSync on m1: DeadlockDetected on one side", async () => {
    const { domain: d, name } = freshDomain();
    domains.push(d);
    const m1 = Mutex.create("m1", { domain: d });
    Mutex.create("m2", { domain: d });
    const g1 = await m1.lock();
    const t = worker(
      name,
      `
      const m1 = Mutex.open("m1", { domain: d });
      const m2 = Mutex.open("m2", { domain: d });
      m2.lockSync();
      post("holds m2");
      await next();
      try { m1.lockSync({ timeoutMs: 10000 }); post("got m1"); m1.unlock(); }
      catch (e) { post(e.code); }
      m2.unlock();
      post("released m2");
    `,
    );
    await t.until((ms) => ms.includes("holds m2"));
    t.w.postMessage("go");
    const m2 = Mutex.open("m2", { domain: d });
    const mine = await m2.lock({ timeoutMs: 10_000 }).then(
      (g) => {
        g.release();
        return "got m2";
      },
      (e: { code: string }) => e.code,
    );
    g1.release();
    await t.until((ms) => ms.includes("released m2"));
    const theirs = t.messages.find((x) => x === "got m1" || x === "DeadlockDetected");
    const outcomes = [mine, theirs];
    expect(outcomes).toContain("DeadlockDetected");
    // Both may see the cycle in the same slice; when only one did, the other got its lock once it gave up.
    if (mine !== "DeadlockDetected") expect(mine).toBe("got m2");
    if (theirs !== "DeadlockDetected") expect(theirs).toBe("got m1");
    await t.closed();
  }, 30_000);

  it("lock ordering: a task queued on a mutex its own process holds is not an order violation", async () => {
    const { domain: d } = freshDomain({ enforceLockOrder: true });
    domains.push(d);
    const a = Mutex.create("a", { domain: d, rank: 1 });
    const g = await a.lock();
    expect(a.tryLock()).toBe(false);
    const queued = a.lock({ timeoutMs: 5_000 });
    g.release();
    const g2 = await queued;
    g2.release();
    // After the hand-over and release nothing is held: a lower rank is fine again.
    const b = Mutex.create("b", { domain: d, rank: 0 });
    expect(b.tryLock()).toBe(true);
    b.unlock();
    expect(await settledCode(a.lock({ timeoutMs: 10 }).then((x) => x.release()))).toBe("resolved");
  });
});
