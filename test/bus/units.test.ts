/**
 * Unit and property tests of the daemon's pure parts: the name registry
 * (D-Bus RequestName/ReleaseName semantics) and the overflow spool.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameSpool } from "../../runtime/bus/frame-spool.js";
import { isWellKnownName, NameRegistry, parseUniqueName } from "../../runtime/bus/names.js";
import { encodeMessage } from "../../runtime/wire/frame.js";
import { decodeMessage } from "../../runtime/wire/frame.js";

describe("NameRegistry", () => {
  it("follows D-Bus: primary, queue, replacement, doNotQueue, release, disconnect", () => {
    const r = new NameRegistry();
    expect(r.request(1, "a.b", { allowReplacement: true }).result).toBe("primary");
    expect(r.request(2, "a.b").result).toBe("queued");
    expect(r.request(3, "a.b", { doNotQueue: true }).result).toBe("exists");
    expect(r.queue("a.b")).toEqual([1, 2]);
    // 4 replaces 1 (who allowed it); 1 waits behind 4 since it did not ask doNotQueue.
    expect(r.request(4, "a.b", { replaceExisting: true })).toEqual({ result: "primary", changes: [{ name: "a.b", oldOwner: 1, newOwner: 4 }] });
    expect(r.queue("a.b")).toEqual([4, 1, 2]);
    // 4 did not allow replacement.
    expect(r.request(5, "a.b", { replaceExisting: true, doNotQueue: true }).result).toBe("exists");
    expect(r.release(9, "a.b").result).toBe("not-owner");
    expect(r.release(9, "x.y").result).toBe("non-existent");
    expect(r.release(4, "a.b")).toEqual({ result: "released", changes: [{ name: "a.b", oldOwner: 4, newOwner: 1 }] });
    expect(r.disconnect(1)).toEqual([{ name: "a.b", oldOwner: 1, newOwner: 2 }]);
    expect(r.disconnect(2)).toEqual([{ name: "a.b", oldOwner: 2, newOwner: 0 }]);
    expect(r.list()).toEqual([]);
    expect(() => r.request(1, "single")).toThrow(expect.objectContaining({ code: "InvalidEndpointName" }));
  });

  it("names: validity", () => {
    for (const ok of ["a.b", "org.nova.Clock", "a-b._c.d9"]) expect(isWellKnownName(ok)).toBe(true);
    for (const bad of ["", "a", "a..b", ".a.b", "a.9b", "a.b c", ":1.2", "x".repeat(254) + ".b"]) expect(isWellKnownName(bad)).toBe(false);
    expect(parseUniqueName(":12")).toBe(12);
    expect(parseUniqueName(":0")).toBeUndefined();
    expect(parseUniqueName("12")).toBeUndefined();
  });

  it("property: every owner change is consistent with the owners observed", () => {
    const op = fc.record({ conn: fc.integer({ min: 1, max: 4 }), kind: fc.constantFrom("request", "release", "disconnect"), replace: fc.boolean(), allow: fc.boolean(), noQueue: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const r = new NameRegistry();
        let owner = 0;
        for (const o of ops) {
          const changes =
            o.kind === "request"
              ? r.request(o.conn, "n.x", { replaceExisting: o.replace, allowReplacement: o.allow, doNotQueue: o.noQueue }).changes
              : o.kind === "release"
                ? r.release(o.conn, "n.x").changes
                : r.disconnect(o.conn);
          for (const c of changes) {
            expect(c.oldOwner).toBe(owner);
            owner = c.newOwner;
          }
          expect(r.owner("n.x") ?? 0).toBe(owner);
          // The queue never holds a connection twice.
          const q = r.queue("n.x");
          expect(new Set(q).size).toBe(q.length);
        }
      }),
    );
  });
});

describe("FrameSpool", () => {
  const frame = (i: number, size: number): Uint8Array =>
    encodeMessage({ type: "event", messageId: BigInt(i + 1), correlationId: 0n, timestampNs: 0n, body: { eventType: "t.x", data: "y".repeat(size), sourceId: 0n, priority: 1 } });

  it("property: behaves like a FIFO of frames under push, drop-oldest and block consumption", () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 70_000 }) }), fc.constant({ drop: true }), fc.constant({ take: true }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const spool = new FrameSpool();
        const model: number[] = [];
        let next = 0;
        for (const o of ops) {
          if ("push" in o) {
            const f = frame(next, o.push);
            spool.push(f, 0, f.length);
            model.push(next++);
          } else if ("drop" in o) {
            expect(spool.dropOldest()).toBe(model.length > 0);
            model.shift();
          } else {
            const head = spool.peek();
            if (head === undefined) {
              expect(model).toEqual([]);
              continue;
            }
            const n = spool.headFrames();
            let p = head[1];
            for (let k = 0; k < n; k++) {
              const size = 40 + new DataView(head[0].buffer, head[0].byteOffset).getUint32(p + 32, true);
              const m = decodeMessage(head[0].subarray(p, p + size));
              expect(m.messageId).toBe(BigInt(model.shift()! + 1));
              p += size;
            }
            expect(p).toBe(head[2]);
            spool.consumeHead(n);
          }
          expect(spool.frames).toBe(model.length);
        }
      }),
      { numRuns: 50 },
    );
  });
});
