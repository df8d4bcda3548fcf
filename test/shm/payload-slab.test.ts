/**
 * Large payloads passed by reference (runtime/shm/payload-slab.ts): a child
 * process fills a 64 MiB block in place and sends only its reference over an
 * shm channel; this process views the same memory (a later write by the child
 * shows through: nothing was copied), releases it, and the child reuses the
 * space. A property test checks the allocator against a model: live blocks
 * never overlap, their bytes stay intact, stale references are refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { PayloadSlab, type PayloadRef } from "../../runtime/shm/payload-slab.js";
import { listen, type Channel } from "../../runtime/transport/index.js";
import { thrownCode } from "../helpers/ipc-error.js";
import { dataOf, endpointIn, makeTempDir, removeDir } from "../transport/helpers.js";
import { dist, expectNoShmLeft, startScript, uniquePrefix } from "./shm-helpers.js";
import type { Proc } from "../cli/processes.js";

const P = uniquePrefix("slab");
const slabs: PayloadSlab[] = [];
const children: Proc[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.stop("SIGKILL").catch(() => c.exited);
  for (const s of slabs.splice(0)) s.close();
  expectNoShmLeft(P);
});

describe("payload slab", () => {
  it("a 64 MiB payload goes by reference across processes: written once, viewed in place, released and reused", async () => {
    const dir = makeTempDir();
    try {
      const listener = await listen(endpointIn(dir, "shm"), "shm");
      const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
      const name = `${P}big`;
      const child = startScript(`
        const { PayloadSlab } = await import(${dist("runtime/shm/payload-slab.js")});
        const { createChannel } = await import(${dist("runtime/transport/create-channel.js")});
        const slab = PayloadSlab.create(${JSON.stringify(name)}, 80 * 1024 * 1024);
        const ch = await createChannel(${JSON.stringify(listener.endpoint)}, "shm");
        const ev = (data) => ({ type: "event", messageId: 1n, correlationId: 0n, timestampNs: 1n, body: { eventType: "frame", data, sourceId: 0n, priority: 0 } });
        const { bytes, ref } = slab.alloc(64 * 1024 * 1024);
        for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) & 255;
        await ch.send(ev(ref));
        ch.setHandler({ onMessage: (m) => {
          const cmd = m.body.data;
          if (cmd === "poke") { bytes[0] = 77; ch.trySend(ev("poked")); }
          if (cmd === "realloc") { const again = slab.alloc(64 * 1024 * 1024); ch.trySend(ev(again ? again.ref.offset : -1)); }
        } });
      `);
      children.push(child);
      const server = await accepted;
      const ref = dataOf(await server.receive(20_000)) as PayloadRef;
      expect(ref).toMatchObject({ slab: name, length: 64 * 1024 * 1024 });
      const slab = PayloadSlab.open(name);
      slabs.push(slab);
      const view = slab.view(ref);
      expect(view.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(view.length).toBe(64 * 1024 * 1024);
      for (let i = 0; i < view.length; i += 4096 * 97) expect(view[i]).toBe((i / 4096) & 255);
      // The writer changes the block after sending: the reader sees it, so nothing was copied.
      await server.send({ type: "event", messageId: 2n, correlationId: 0n, timestampNs: 1n, body: { eventType: "cmd", data: "poke", sourceId: 0n, priority: 0 } });
      expect(dataOf(await server.receive(10_000))).toBe("poked");
      expect(view[0]).toBe(77);
      // While referenced, the space is taken: a second 64 MiB block does not fit in 80 MiB.
      await server.send({ type: "event", messageId: 3n, correlationId: 0n, timestampNs: 1n, body: { eventType: "cmd", data: "realloc", sourceId: 0n, priority: 0 } });
      expect(dataOf(await server.receive(10_000))).toBe(-1);
      slab.release(ref);
      expect(thrownCode(() => slab.view(ref))).toBe("InvalidArgument");
      expect(thrownCode(() => slab.release(ref))).toBe("InvalidArgument");
      await server.send({ type: "event", messageId: 4n, correlationId: 0n, timestampNs: 1n, body: { eventType: "cmd", data: "realloc", sourceId: 0n, priority: 0 } });
      expect(dataOf(await server.receive(10_000))).toBe(ref.offset);
      // The old reference names a reused block now: refused (generation).
      expect(thrownCode(() => slab.view(ref))).toBe("InvalidArgument");
      await child.stop("SIGKILL");
      await listener.close(false);
    } finally {
      removeDir(dir);
    }
  }, 60_000);

  it("property: random alloc/release never overlaps live blocks, keeps their bytes, refuses stale references", () => {
    let k = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.record({ alloc: fc.integer({ min: 1, max: 20_000 }) }), fc.record({ release: fc.nat() })), { maxLength: 80 }), (ops) => {
        const slab = PayloadSlab.create(`${P}p${k++}`, 64 * 1024);
        const live: Array<{ ref: PayloadRef; fill: number }> = [];
        const dead: PayloadRef[] = [];
        try {
          for (const op of ops) {
            if ("alloc" in op) {
              const got = slab.alloc(op.alloc);
              if (got === undefined) continue;
              const fill = (live.length * 37 + op.alloc) & 255;
              got.bytes.fill(fill);
              for (const other of live) {
                const a = got.ref.offset;
                const b = other.ref.offset;
                expect(a + got.ref.length <= b || b + other.ref.length <= a).toBe(true);
              }
              live.push({ ref: got.ref, fill });
            } else if (live.length > 0) {
              const [gone] = live.splice(op.release % live.length, 1);
              slab.release(gone!.ref);
              dead.push(gone!.ref);
            }
          }
          for (const { ref, fill } of live) expect(slab.view(ref).every((b) => b === fill)).toBe(true);
          for (const ref of dead) if (!live.some((l) => l.ref.offset === ref.offset && l.ref.generation === ref.generation)) expect(thrownCode(() => slab.view(ref))).toBe("InvalidArgument");
          // Everything released: one block of the whole size fits again.
          for (const { ref } of live.splice(0)) slab.release(ref);
          expect(slab.alloc(64 * 1024 - 16)).toBeDefined();
        } finally {
          slab.close();
        }
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it("refuses references that are not into this slab", () => {
    const slab = PayloadSlab.create(`${P}refs`, 8192);
    slabs.push(slab);
    const { ref } = slab.alloc(100)!;
    for (const bad of [{ ...ref, slab: "other" }, { ...ref, offset: ref.offset + 4 }, { ...ref, length: 10 ** 9 }, { ...ref, generation: ref.generation + 1 }, null]) {
      expect(thrownCode(() => slab.view(bad as PayloadRef))).toBe("InvalidArgument");
    }
    expect(thrownCode(() => slab.alloc(0))).toBe("InvalidArgument");
    expect(thrownCode(() => PayloadSlab.create(`${P}tiny`, 10))).toBe("InvalidArgument");
  });
});
