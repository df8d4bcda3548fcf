/**
 * The addon's shared-memory functions (native/src/shm.cc, futex*.cc,
 * watch.cc, fdpass.cc): mappings shared between threads and processes,
 * futex waits that never block the loop (timeouts, cancellation, wake
 * counts), eventfd doorbells, SCM_RIGHTS passing; bad arguments are
 * TypeErrors/RangeErrors, never a crash.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { nativeShm, type FutexWaitResult } from "../../native/index.js";
import { dist, startScript } from "../shm/shm-helpers.js";

const n = nativeShm();

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).name;
  }
  return "no throw";
}

function wait(view: Int32Array, index: number, expected: number, timeoutMs: number): { id: number; done: Promise<FutexWaitResult> } {
  let id = 0;
  const done = new Promise<FutexWaitResult>((resolve) => (id = n.futexWait(view, index, expected, timeoutMs, resolve)));
  return { id, done };
}

describe("native shm", () => {
  it("maps a memfd as a SharedArrayBuffer seen by two mappings; MAP_PRIVATE is copy-on-write", () => {
    const fd = n.memfdCreate("t", 65536);
    try {
      const a = new Uint8Array(n.mapFd(fd, 65536, false));
      const b = new Uint8Array(n.mapFd(fd, 65536, false));
      const cow = new Uint8Array(n.mapFd(fd, 65536, true));
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      a[100] = 5;
      expect(b[100]).toBe(5);
      expect(cow[100]).toBe(5);
      cow[100] = 6;
      expect(a[100]).toBe(5);
      // Past the file's end would be SIGBUS on access: refused up front.
      expect(failure(() => n.mapFd(fd, 65537, false))).toBe("RangeError");
      expect(failure(() => n.mapFd(fd, 0, false))).toBe("RangeError");
    } finally {
      closeSync(fd);
    }
  });

  it("rejects bad arguments with TypeError/RangeError", () => {
    const view = new Int32Array(new SharedArrayBuffer(16));
    expect(failure(() => n.futexWake(new Uint8Array(4) as never, 0, 1))).toBe("TypeError");
    expect(failure(() => n.futexWake(view, 4, 1))).toBe("RangeError");
    expect(failure(() => n.futexWake(view, -1, 1))).toBe("RangeError");
    expect(failure(() => n.futexWaitSync(view, 0, 2 ** 32, 1))).toBe("TypeError");
    expect(failure(() => n.futexWait(view, 0, 0, 1, "x" as never))).toBe("TypeError");
    expect(failure(() => n.mapFd(-1, 10, false))).toBe("TypeError");
    expect(failure(() => n.memfdCreate("a\0b", 10))).toBe("TypeError");
    expect(failure(() => n.sendFds(0, new Uint8Array(1), [1.5]))).toBe("TypeError");
    expect(failure(() => n.sendFds(0, new Uint8Array(1), new Array(254).fill(0)))).toBe("RangeError");
    expect(n.futexWake(view, 0, 0)).toBe(0);
  });

  it("futexWait: not-equal at once, timed-out after its timeout, cancelled on futexCancel, ok on wake (count reported)", async () => {
    const view = new Int32Array(new SharedArrayBuffer(16));
    expect(await wait(view, 0, 1, 1000).done).toBe("not-equal");
    const t0 = performance.now();
    expect(await wait(view, 0, 0, 30).done).toBe("timed-out");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    const c = wait(view, 0, 0, Infinity);
    n.futexCancel(c.id);
    expect(await c.done).toBe("cancelled");
    const waits = [wait(view, 1, 0, 10_000), wait(view, 1, 0, 10_000), wait(view, 1, 0, 10_000)];
    // The loop is free while they wait.
    let woken = 0;
    for (let tries = 0; tries < 200 && woken < 3; tries++) {
      await new Promise((r) => setTimeout(r, 5));
      woken += n.futexWake(view, 1, 3 - woken);
    }
    expect(woken).toBe(3);
    expect(await Promise.all(waits.map((w) => w.done))).toEqual(["ok", "ok", "ok"]);
  });

  it("futexWaitSync in a worker is woken by futexWake from the main thread", async () => {
    const sab = new SharedArrayBuffer(16);
    const view = new Int32Array(sab);
    const worker = new Worker(
      `const { workerData, parentPort } = require("node:worker_threads");
       import(workerData.mod).then(({ nativeShm }) => {
         const v = new Int32Array(workerData.sab);
         parentPort.postMessage("waiting");
         parentPort.postMessage(nativeShm().futexWaitSync(v, 0, 0, 10000));
       });`,
      { eval: true, workerData: { sab, mod: JSON.parse(dist("native/index.js")) } },
    );
    const messages: string[] = [];
    const result = new Promise<string>((resolve) => worker.on("message", (m: string) => (messages.push(m), m !== "waiting" && resolve(m))));
    await new Promise<void>((resolve) => worker.once("message", () => resolve()));
    let woken = 0;
    for (let i = 0; i < 400 && woken === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
      Atomics.store(view, 0, 1);
      woken = n.futexWake(view, 0, 1);
      if (woken === 0) Atomics.store(view, 0, 0);
    }
    expect(woken).toBe(1);
    expect(await result).toBe("ok");
    await worker.terminate();
  });

  it("a futex in a memfd mapping wakes a waiter in another process (shared, not private, futex)", async () => {
    const fd = n.memfdCreate("xproc", 4096);
    const view = new Int32Array(n.mapFd(fd, 4096, false));
    const child = startScript(`
      const { nativeShm } = await import(${dist("native/index.js")});
      const fs = await import("node:fs");
      const n = nativeShm();
      const fd = fs.openSync("/proc/${process.pid}/fd/${fd}", "r+");
      const v = new Int32Array(n.mapFd(fd, 4096, false));
      Atomics.store(v, 1, 1);
      console.log("waiting");
      n.futexWait(v, 0, 0, 10000, (r) => { console.log("result " + r + " " + Atomics.load(v, 0)); process.exit(0); });
    `);
    try {
      await child.until(() => child.out.includes("waiting"), "the child's wait");
      let woken = 0;
      for (let i = 0; i < 400 && woken === 0; i++) {
        await new Promise((r) => setTimeout(r, 5));
        Atomics.store(view, 0, 42);
        woken = n.futexWake(view, 0, 1);
        if (woken === 0) Atomics.store(view, 0, 0);
      }
      expect(woken).toBe(1);
      const done = await child.exited;
      expect(done.stdout).toContain("result ok 42");
    } finally {
      await child.stop("SIGKILL");
      closeSync(fd);
    }
  }, 30_000);

  it("eventfd doorbells wake a watch on the loop once per drain; SCM_RIGHTS passes descriptors", async () => {
    const bell = n.eventfdCreate();
    let calls = 0;
    const rung = new Promise<number>((resolve) => {
      const id = n.watchFd(bell, true, (events) => {
        calls++;
        n.unwatchFd(id);
        resolve(events);
      });
    });
    n.eventfdSignal(bell);
    n.eventfdSignal(bell);
    expect(await rung).toBe(1);
    expect(calls).toBe(1);
    closeSync(bell);
    // fd passing over a socketpair made from a listening unix socket in this process.
    const { createServer, connect } = await import("node:net");
    const { tmpdir } = await import("node:os");
    const path = `${tmpdir()}/nova-fdpass-${process.pid}.sock`;
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((r) => server.listen(path, r));
    const accepted = new Promise<import("node:net").Socket>((r) => server.once("connection", r));
    const client = connect(path);
    await new Promise((r) => client.once("connect", r));
    const serverSocket = await accepted;
    const fdOf = (s: object): number => (s as { _handle: { fd: number } })._handle.fd;
    const memfd = n.memfdCreate("passed", 4096);
    writeSync(memfd, "hello through SCM_RIGHTS");
    expect(n.sendFds(fdOf(client), new Uint8Array([1, 2, 3]), [memfd])).toBe(3);
    let got = n.recvFds(fdOf(serverSocket), new Uint8Array(16));
    for (let i = 0; got.bytes === -11 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 5));
      got = n.recvFds(fdOf(serverSocket), new Uint8Array(16));
    }
    expect(got.bytes).toBe(3);
    expect(got.fds.length).toBe(1);
    const text = Buffer.alloc(24);
    readSync(got.fds[0]!, text, 0, 24, 0);
    expect(text.toString()).toBe("hello through SCM_RIGHTS");
    closeSync(got.fds[0]!);
    closeSync(memfd);
    client.destroy();
    serverSocket.destroy();
    await new Promise((r) => server.close(r));
  });
});
