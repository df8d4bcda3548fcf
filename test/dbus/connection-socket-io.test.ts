/**
 * DbusSocket's backpressure (runtime/dbus/socket-io.ts): when the kernel's
 * socket buffer is full, sending resumes from a writability watch the moment
 * the peer reads, with no timer involved. Proven with the timers frozen
 * (vitest fake timers): everything still arrives, intact and in order,
 * including a message with a descriptor queued behind the blocked bytes.
 */
import { closeSync, fstatSync } from "node:fs";
import { constants } from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nativeShm } from "../../native/index.js";
import { DbusSocket } from "../../runtime/dbus/socket-io.js";
import { MessageReader, type DbusMessage } from "../../runtime/dbus/wire/index.js";

const n = nativeShm();
const EAGAIN = -constants.errno.EAGAIN;
const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) c();
});

function signal(serial: number, signature: string, body: unknown[]): DbusMessage {
  return { type: "signal", flags: 0, serial, path: "/t", interface: "org.novade.T", member: "M", signature, body, fds: [] };
}

describe("DbusSocket backpressure", () => {
  it("resumes a full socket from the writable watch, with every timer frozen", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate"] });
    const [a, b] = n.socketPair();
    cleanups.push(() => closeSync(b));
    const closed: unknown[] = [];
    const sock = new DbusSocket(a, { unixFds: true, what: "test" }, { message: () => undefined, closed: (e) => closed.push(e) });
    cleanups.push(() => sock.close());
    const memfd = n.memfdCreate("passed", 4096);
    cleanups.push(() => closeSync(memfd));

    const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 13) & 0xff);
    sock.send(signal(1, "ay", [big]));
    sock.send(signal(2, "h", [memfd]));
    for (let i = 0; i < 500; i++) sock.send(signal(3 + i, "us", [i, "x".repeat(200)]));
    await new Promise<void>((r) => queueMicrotask(r)); // the flush ran: the kernel took what fits, then EAGAIN

    const reader = new MessageReader();
    const got: DbusMessage[] = [];
    const chunk = new Uint8Array(256 * 1024);
    const drain = (): number => {
      let bytes = 0;
      for (;;) {
        const r = n.recvFds(b, chunk);
        if (r.bytes <= 0) {
          expect(r.bytes).toBe(EAGAIN);
          return bytes;
        }
        bytes += r.bytes;
        got.push(...reader.push(chunk.subarray(0, r.bytes), r.fds));
      }
    };
    const first = drain();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(big.length); // the socket filled up: the rest waits for writability
    const all = new Promise<void>((resolve) => {
      const watch = n.watchFd(b, false, () => {
        drain();
        if (got.length === 502) {
          n.unwatchFd(watch);
          resolve();
        }
      });
    });
    await all;
    expect(got.map((m) => m.serial)).toEqual(Array.from({ length: 502 }, (_, i) => i + 1));
    expect(Buffer.compare(got[0]!.body[0] as Uint8Array, big)).toBe(0);
    const received = got[1]!.body[0] as number;
    expect(fstatSync(received).size).toBe(4096);
    closeSync(received);
    expect(got.slice(2).map((m) => m.body[0])).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(vi.getTimerCount()).toBe(0);
    expect(closed).toEqual([]);
  });
});
