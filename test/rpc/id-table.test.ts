/**
 * IdTable, the pending-call table of RPC clients and servers: the same
 * answers as a Map over random operation sequences, with ids chosen to
 * collide (equal low 32 bits) and to wrap around the table's end.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdTable } from "../../runtime/rpc/id-table.js";

/** Ids from a few "counters" whose low 32 bits overlap, plus arbitrary u64s. */
const idArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })).map(([hi, lo]) => (BigInt(hi) << 32n) + BigInt(lo)),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })).map(([hi, lo]) => (BigInt(hi) << 40n) + 0xffff_fff0n + BigInt(lo)),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);

const opArb = fc.oneof(
  fc.tuple(fc.constant("set" as const), idArb, fc.integer()),
  fc.tuple(fc.constant("delete" as const), idArb, fc.constant(0)),
  fc.tuple(fc.constant("get" as const), idArb, fc.constant(0)),
);

describe("IdTable", () => {
  it("agrees with a Map over random sets, deletes and gets", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 600 }), (ops) => {
        const table = new IdTable<number>();
        const model = new Map<bigint, number>();
        for (const [op, id, value] of ops) {
          if (op === "set") {
            table.set(id, value);
            model.set(id, value);
          } else if (op === "delete") {
            expect(table.delete(id)).toBe(model.get(id));
            model.delete(id);
          } else {
            expect(table.get(id)).toBe(model.get(id));
          }
          expect(table.size).toBe(model.size);
        }
        for (const [id, value] of model) expect(table.get(id)).toBe(value);
        expect(new Map(table.entries())).toEqual(model);
        expect(table.values().sort()).toEqual([...model.values()].sort());
      }),
      { numRuns: 300 },
    );
  });

  it("holds many consecutive ids (calls in flight) and empties completely", () => {
    const table = new IdTable<string>();
    const base = (1n << 62n) + 0xffff_ff00n; // crosses a 32-bit boundary
    for (let i = 0n; i < 5000n; i++) table.set(base + i, `v${i}`);
    expect(table.size).toBe(5000);
    for (let i = 0n; i < 5000n; i += 2n) expect(table.delete(base + i)).toBe(`v${i}`);
    for (let i = 1n; i < 5000n; i += 2n) expect(table.get(base + i)).toBe(`v${i}`);
    for (let i = 1n; i < 5000n; i += 2n) table.delete(base + i);
    expect(table.size).toBe(0);
    expect(table.get(base)).toBeUndefined();
    table.set(7n, "again");
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(7n)).toBeUndefined();
  });

  it("goes back to its initial size when a burst has drained", () => {
    const table = new IdTable<number>();
    const initial = table.capacity;
    for (let i = 0n; i < 10_000n; i++) table.set(i, Number(i));
    expect(table.capacity).toBeGreaterThanOrEqual(20_000);
    for (let i = 0n; i < 9_999n; i++) table.delete(i);
    expect(table.capacity).toBeGreaterThanOrEqual(20_000); // one entry left: no shrinking under it
    expect(table.get(9_999n)).toBe(9_999);
    table.delete(9_999n);
    expect(table.capacity).toBe(initial);
    table.set(5n, 5);
    expect(table.get(5n)).toBe(5);
  });
});

