/**
 * ObjectMap (runtime/wayland/object-map.ts): id ranges, dense peer ids,
 * zombies until delete_id, last-freed-first reuse, on both sides.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ObjectMap, WlZombie } from "../../runtime/wayland/object-map.js";
import type { WlObject } from "../../runtime/wayland/proxy.js";
import { thrownCode } from "../helpers/ipc-error.js";
import { testIface } from "./fixtures.js";

const S = 0xff000000;

/** A stand-in object: the map reads only id, iface and destroyed. */
function obj(id: number): WlObject {
  return { id, iface: testIface, destroyed: false } as unknown as WlObject;
}

describe("wayland ObjectMap", () => {
  it("client side: ids from 1, zombies until delete_id, then reuse of the last freed first", () => {
    const m = new ObjectMap("client");
    const objs = [1, 2, 3, 4].map(() => obj(m.allocate()));
    expect(objs.map((o) => o.id)).toEqual([1, 2, 3, 4]);
    for (const o of objs) m.insert(o);
    expect(m.size).toBe(4);
    expect(m.destroy(objs[1]!)).toBe(false);
    expect(m.get(2)).toBeUndefined();
    expect(m.lookup(2)).toBeInstanceOf(WlZombie);
    expect((m.lookup(2) as WlZombie).iface).toBe(testIface);
    expect(m.allocate()).toBe(5); // 2 is a zombie: not reused yet
    m.destroy(objs[2]!);
    expect(m.deleteId(2)).toBe(true);
    expect(m.deleteId(3)).toBe(true);
    expect(m.lookup(2)).toBeUndefined();
    expect(m.allocate()).toBe(3);
    expect(m.allocate()).toBe(2);
    expect(m.allocate()).toBe(6);
    expect(m.deleteId(77)).toBe(false);
    expect(m.deleteId(2)).toBe(false); // reserved, not in use
  });

  it("client side: a delete_id before the proxy's destruction frees the id when it is destroyed", () => {
    const m = new ObjectMap("client");
    const o = obj(m.allocate());
    m.insert(o);
    expect(m.deleteId(o.id)).toBe(true);
    expect(m.get(o.id)).toBe(o);
    expect(m.deleteId(o.id)).toBe(false);
    m.destroy(o);
    expect(m.lookup(o.id)).toBeUndefined();
    expect(m.allocate()).toBe(o.id);
  });

  it("client side: server ids must be dense and free; a destroyed server object is a zombie the server may recreate", () => {
    const m = new ObjectMap("client");
    expect(m.newIdProblem(5)).toMatch(/outside the server range/);
    expect(m.newIdProblem(S + 1)).toMatch(/skips ids/);
    const a = obj(S);
    m.insert(a);
    expect(m.newIdProblem(S)).toMatch(/already in use/);
    expect(thrownCode(() => m.insert(obj(S)))).toBe("ProtocolError");
    expect(thrownCode(() => m.insert(obj(S + 5)))).toBe("ProtocolError");
    m.destroy(a);
    expect(m.lookup(S)).toBeInstanceOf(WlZombie);
    expect(m.newIdProblem(S)).toBeUndefined();
    const b = obj(S);
    m.insert(b);
    expect(m.get(S)).toBe(b);
    m.insertZombie(S + 1, testIface);
    expect(m.lookup(S + 1)).toBeInstanceOf(WlZombie);
  });

  it("server side: client ids dense from 1, freed at once on destroy (delete_id owed); server ids from 0xFF000000", () => {
    const m = new ObjectMap("server");
    expect(m.newIdProblem(0)).toMatch(/outside the client range/);
    expect(m.newIdProblem(S)).toMatch(/outside the client range/);
    expect(m.newIdProblem(2)).toMatch(/skips ids/);
    const one = obj(1);
    m.insert(one);
    m.insert(obj(2));
    expect(m.destroy(one)).toBe(true);
    expect(m.lookup(1)).toBeUndefined();
    expect(m.newIdProblem(1)).toBeUndefined();
    const s1 = obj(m.allocate());
    const s2 = obj(m.allocate());
    expect([s1.id, s2.id]).toEqual([S, S + 1]);
    m.insert(s1);
    m.insert(s2);
    expect(m.destroy(s1)).toBe(false);
    expect(m.allocate()).toBe(S);
    expect(m.liveObjects().map((o) => o.id)).toEqual([2, S + 1]);
  });

  it("reserves a peer's new id that no object took, so that the peer's next id is valid", () => {
    const m = new ObjectMap("server");
    m.insert(obj(1));
    expect(m.reserveNew(2)).toBeUndefined();
    expect(m.newIdProblem(3)).toBeUndefined();
    expect(m.reserveNew(4)).toMatch(/skips ids/);
    m.insert(obj(3));
    m.insert(obj(2));
    expect(m.reserveNew(2)).toMatch(/already in use/);
  });

  it("refuses own ids that were not allocated, and undoes an insert with release", () => {
    const m = new ObjectMap("client");
    expect(thrownCode(() => m.insert(obj(3)))).toBe("InvalidArgument");
    m.insert(obj(1)); // the next id needs no allocate (wl_display)
    const o = obj(m.allocate());
    m.insert(o);
    m.release(o);
    expect(o.destroyed).toBe(true);
    expect(m.lookup(o.id)).toBeUndefined();
    expect(m.allocate()).toBe(o.id);
  });

  it("never hands out an id in use or a zombie, and reuses freed ids last-freed first (random operations)", () => {
    type Op = { kind: "new" } | { kind: "destroy"; pick: number } | { kind: "delete"; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ kind: "new" as const }),
      fc.record({ kind: fc.constant("destroy" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const m = new ObjectMap("client");
        const live: WlObject[] = [];
        const zombies: number[] = [];
        const free: number[] = [];
        for (const o of ops) {
          if (o.kind === "new") {
            const id = m.allocate();
            expect(live.some((l) => l.id === id) || zombies.includes(id)).toBe(false);
            if (free.length > 0) expect(id).toBe(free.pop());
            const x = obj(id);
            m.insert(x);
            live.push(x);
          } else if (o.kind === "destroy" && live.length > 0) {
            const [x] = live.splice(o.pick % live.length, 1);
            m.destroy(x!);
            zombies.push(x!.id);
          } else if (o.kind === "delete" && zombies.length > 0) {
            const [id] = zombies.splice(o.pick % zombies.length, 1);
            expect(m.deleteId(id!)).toBe(true);
            free.push(id!);
          }
        }
        expect(m.size).toBe(live.length);
      }),
      { numRuns: 300 },
    );
  });
});
