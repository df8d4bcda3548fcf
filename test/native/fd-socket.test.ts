/**
 * ABI 6 of the addon (what the Wayland connection stands on): socketPair,
 * sendFds/recvFds on a range of one buffer with up to 253 descriptors (more
 * than libwayland's 28 per sendmsg, none lost to a truncated control
 * message), recvFdsInto (ABI 8: the same without a result object), and watchEvents adding writability to a watch after EAGAIN.
 */
import { closeSync, fstatSync, readSync, writeSync } from "node:fs";
import { constants } from "node:os";
import { describe, expect, it } from "vitest";
import { nativeShm, RECV_FDS_OUT_LENGTH } from "../../native/index.js";

const n = nativeShm();
const EAGAIN = -constants.errno.EAGAIN;

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).name;
  }
  return "no throw";
}

describe("native socketPair / sendFds / recvFds / recvFdsInto / watchEvents", () => {
  it("passes 253 descriptors in one sendmsg, from and into buffer ranges", () => {
    const [a, b] = n.socketPair();
    const memfds: number[] = [];
    try {
      for (let i = 0; i < 253; i++) memfds.push(n.memfdCreate(`fd${i}`, 8 + i));
      const data = new Uint8Array([9, 9, 1, 2, 3, 4, 9]);
      expect(n.sendFds(a, data, memfds, 2, 6)).toBe(4);
      const into = new Uint8Array(16).fill(7);
      const got = n.recvFds(b, into, 5, 16);
      expect(got.bytes).toBe(4);
      expect([...into.subarray(0, 10)]).toEqual([7, 7, 7, 7, 7, 1, 2, 3, 4, 7]);
      expect(got.fds.length).toBe(253);
      // Same files, in order: memfd i has size 8 + i.
      expect(got.fds.map((fd) => fstatSync(fd).size)).toEqual(memfds.map((_, i) => 8 + i));
      for (const fd of got.fds) closeSync(fd);
      expect(n.recvFds(b, into).bytes).toBe(EAGAIN);
      expect(failure(() => n.sendFds(a, data, [], 5, 2))).toBe("RangeError");
      expect(failure(() => n.recvFds(b, into, 0, 17))).toBe("RangeError");
    } finally {
      for (const fd of [...memfds, a, b]) closeSync(fd);
    }
  });

  it("recvFdsInto: the same receive with the descriptors' count in fdsOut[0] and the descriptors after it", () => {
    const [a, b] = n.socketPair();
    const memfds: number[] = [];
    const fdsOut = new Int32Array(RECV_FDS_OUT_LENGTH).fill(-7);
    try {
      for (let i = 0; i < 253; i++) memfds.push(n.memfdCreate(`fd${i}`, 8 + i));
      expect(n.sendFds(a, new Uint8Array([1, 2, 3]), memfds)).toBe(3);
      const into = new Uint8Array(16).fill(7);
      expect(n.recvFdsInto(b, into, 5, 16, fdsOut)).toBe(3);
      expect([...into.subarray(0, 9)]).toEqual([7, 7, 7, 7, 7, 1, 2, 3, 7]);
      expect(fdsOut[0]).toBe(253);
      const got = [...fdsOut.subarray(1, 254)];
      expect(got.map((fd) => fstatSync(fd).size)).toEqual(memfds.map((_, i) => 8 + i));
      for (const fd of got) closeSync(fd);
      // A message without descriptors resets the count; so does EAGAIN.
      expect(n.sendFds(a, new Uint8Array([4, 5]), [])).toBe(2);
      expect(n.recvFdsInto(b, into, 0, 16, fdsOut)).toBe(2);
      expect(fdsOut[0]).toBe(0);
      fdsOut[0] = 99;
      expect(n.recvFdsInto(b, into, 0, 16, fdsOut)).toBe(EAGAIN);
      expect(fdsOut[0]).toBe(0);
      expect(failure(() => n.recvFdsInto(b, into, 0, 17, fdsOut))).toBe("RangeError");
      expect(failure(() => n.recvFdsInto(b, into, 9, 8, fdsOut))).toBe("RangeError");
      expect(failure(() => n.recvFdsInto(b, into, 0, 16, new Int32Array(253)))).toBe("RangeError");
      expect(failure(() => n.recvFdsInto(b, into, 0, 16, new Uint32Array(254) as unknown as Int32Array))).toBe("TypeError");
      for (const fd of memfds.splice(0)) closeSync(fd);
      closeSync(a);
      expect(n.recvFdsInto(b, into, 0, 16, fdsOut)).toBe(0); // end of stream
      closeSync(b);
    } catch (e) {
      for (const fd of [...memfds, a, b]) {
        try {
          closeSync(fd);
        } catch {
          // closed before the failure
        }
      }
      throw e;
    }
  });

  it("socketPair ends are non-blocking; watchEvents(4) reports writability once the peer drains", async () => {
    const [a, b] = n.socketPair();
    const chunk = new Uint8Array(65536);
    let queued = 0;
    for (;;) {
      const r = n.sendFds(a, chunk, []);
      if (r === EAGAIN) break;
      expect(r).toBeGreaterThan(0);
      queued += r;
    }
    expect(queued).toBeGreaterThan(0);
    const events: number[] = [];
    const writable = new Promise<void>((resolve) => {
      const id = n.watchFd(a, false, (ev) => {
        events.push(ev);
        if (ev & 4) {
          n.unwatchFd(id);
          resolve();
        }
      });
      n.watchEvents(id, 4);
      expect(failure(() => n.watchEvents(id, 8))).toBe("RangeError");
    });
    const sink = new Uint8Array(65536);
    let drained = 0;
    while (drained < queued) {
      const r = n.recvFds(b, sink);
      if (r.bytes === EAGAIN) await new Promise((res) => setTimeout(res, 1));
      else drained += r.bytes;
    }
    await writable;
    // Only writability was asked for: no readable bit reported.
    expect(events.every((ev) => (ev & 1) === 0)).toBe(true);
    expect(n.sendFds(a, chunk, [], 0, 10)).toBe(10);
    closeSync(a);
    closeSync(b);
  });

  it("a pipe passed over a socketPair carries bytes", () => {
    const [a, b] = n.socketPair();
    const [r, w] = n.socketPair();
    expect(n.sendFds(a, new Uint8Array([1]), [w])).toBe(1);
    const got = n.recvFds(b, new Uint8Array(4));
    writeSync(got.fds[0]!, "x");
    const out = Buffer.alloc(1);
    expect(readSync(r, out)).toBe(1);
    expect(out.toString()).toBe("x");
    for (const fd of [a, b, r, w, got.fds[0]!]) closeSync(fd);
  });
});
