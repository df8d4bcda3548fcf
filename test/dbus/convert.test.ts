/**
 * runtime/dbus/convert.ts: NIDL values ↔ JS D-Bus values. The property tests
 * draw a random D-Bus type and value (test/dbus/wire-arbitraries.ts), give the
 * type a random NIDL reading (a struct `(…)` as a struct with named fields or
 * as a tuple, `ay` as `bytes` or `list<u8>`), and check that the NIDL value
 * survives NIDL → D-Bus → our wire codec → D-Bus → NIDL unchanged.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { argsFromDbus, argsToDbus, fromDbus, toDbus, toVariant } from "../../runtime/dbus/convert.js";
import type { DbusType } from "../../runtime/dbus/descriptor.js";
import { Variant, decodeBody, encodeBody, parseSingleType, type SigType } from "../../runtime/dbus/wire/index.js";
import { FD_COUNT, typeText, valueOf } from "./wire-arbitraries.js";
import { expectIPCError } from "../helpers/ipc-error.js";

const FDS = Array.from({ length: FD_COUNT }, (_, i) => i);

/** A NIDL reading of a D-Bus type: `seed` picks struct vs tuple and bytes vs list<u8>. */
function treeOf(t: SigType, seed: fc.Arbitrary<boolean>): fc.Arbitrary<DbusType> {
  const letter = t.text[0];
  if (letter === "(") {
    const fields = (t.fields as readonly SigType[]).map((f) => treeOf(f, seed));
    return fc.tuple(seed, ...fields).map(([asStruct, ...types]) =>
      asStruct ? { struct: "test.S", fields: types.map((type, i) => [`f${i}`, type] as const) } : { tuple: types },
    );
  }
  if (letter !== "a") return fc.constant(t.text as DbusType);
  const elem = t.elem as SigType;
  if (t.isDict) {
    const [k, v] = elem.fields as readonly SigType[];
    return treeOf(v as SigType, seed).map((value) => ({ map: [(k as SigType).text as DbusType, value] as const }));
  }
  if (elem.text === "y") return seed.map((asBytes) => (asBytes ? "ay" : { list: "y" }));
  return treeOf(elem, seed).map((inner) => ({ list: inner }));
}

/** Encodes and decodes one value with the real codec (descriptors map to themselves). */
function wire(signature: string, value: unknown): unknown {
  const { bytes } = encodeBody(signature, [value]);
  return decodeBody(signature, bytes, true, FDS)[0];
}

const sample = typeText(3).chain((text) => {
  const t = parseSingleType(text);
  return fc.tuple(fc.constant(text), treeOf(t, fc.boolean()), valueOf(t));
});

describe("NIDL ↔ D-Bus conversion", () => {
  it("round-trips every type through the wire codec (property)", () => {
    fc.assert(
      fc.property(sample, ([signature, tree, dbusValue]) => {
        const decoded = wire(signature, dbusValue);
        const nidl = fromDbus(tree, decoded);
        const back = wire(signature, toDbus(tree, nidl));
        expect(back).toEqual(decoded);
        expect(fromDbus(tree, back)).toEqual(nidl);
      }),
      { numRuns: 400 },
    );
  });

  it("gives structs as objects by field name and list<u8> as number[]", () => {
    const entry: DbusType = { struct: "org.novade.demo.Entry", fields: [["op", "s"], ["result", "d"]] };
    expect(fromDbus({ list: entry }, [["add", 3]])).toEqual([{ op: "add", result: 3 }]);
    expect(toDbus({ list: entry }, [{ op: "add", result: 3, extra: true }])).toEqual([["add", 3]]);
    expect(fromDbus({ list: "y" }, new Uint8Array([1, 2]))).toEqual([1, 2]);
    expect(toDbus({ map: ["x", { tuple: ["s", "ay"] }] }, new Map([[5, ["a", new Uint8Array([9])]]]))).toEqual(new Map([[5, ["a", new Uint8Array([9])]]]));
  });

  it("sends a safe-integer number for a 64-bit value, receives a bigint", () => {
    expect(wire("x", toDbus("x", -5))).toBe(-5n);
    expect(fromDbus("t", 7n)).toBe(7n);
    expectIPCError(() => fromDbus("x", 7), "MessageValidationFailed");
    expectIPCError(() => toDbus("x", 2 ** 60), "SerializationError");
  });

  it("wraps plain values as variants by inference and keeps a given Variant", () => {
    const byte = new Variant("y", 1);
    expect(toDbus("v", byte)).toBe(byte);
    expect(toVariant(true)).toEqual(new Variant("b", true));
    expect(toVariant(3)).toEqual(new Variant("i", 3));
    expect(toVariant(2 ** 40)).toEqual(new Variant("d", 2 ** 40));
    expect(toVariant(1.5)).toEqual(new Variant("d", 1.5));
    expect(toVariant(2n ** 63n)).toEqual(new Variant("t", 2n ** 63n));
    expect(toVariant(-1n)).toEqual(new Variant("x", -1n));
    expect(toVariant(new Uint8Array([1]))).toEqual(new Variant("ay", new Uint8Array([1])));
    const nested = toVariant({ a: ["x", 1], b: new Map([["c", byte]]) });
    expect(nested).toEqual(
      new Variant("a{sv}", new Map<string, Variant>([
        ["a", new Variant("av", [new Variant("s", "x"), new Variant("i", 1)])],
        ["b", new Variant("a{sv}", new Map([["c", byte]]))],
      ])),
    );
    // What inference builds is a valid D-Bus value of its signature.
    expect(wire("v", nested)).toEqual(nested);
    expectIPCError(() => toVariant(null), "SerializationError");
    expectIPCError(() => toVariant({ a: undefined }), "SerializationError");
    expectIPCError(() => toVariant(new Map([[1, 2]])), "SerializationError");
    // A received variant must already be one.
    expectIPCError(() => fromDbus("v", 3), "MessageValidationFailed");
  });

  it("rejects wrong shapes with the path of the bad value", () => {
    const entry: DbusType = { struct: "E", fields: [["op", "s"], ["tags", { list: "u" }]] };
    const sent = expectIPCError(() => toDbus({ list: entry }, [{ op: "a", tags: [1, "2"] }]), "SerializationError");
    expect(sent.context["path"]).toEqual([0, "tags", 1]);
    const received = expectIPCError(() => fromDbus({ map: ["s", entry] }, new Map([["k", ["a"]]])), "MessageValidationFailed");
    expect(received.context["path"]).toEqual(["k"]);
    const cases: [DbusType, unknown][] = [
      ["u", 1.5], ["u", "1"], ["b", 1], ["s", 1], ["o", null], ["d", 1n], ["h", -0.5], ["ay", [1]], [{ list: "y" }, new Uint8Array(1)],
      [{ list: "y" }, [1, 2.5]], [{ map: ["s", "s"] }, { a: "b" }], [{ tuple: ["s", "s"] }, ["a"]], [entry, ["a", []]], [entry, null],
    ];
    for (const [type, value] of cases) expectIPCError(() => toDbus(type, value), "SerializationError");
    const incoming: [DbusType, unknown][] = [
      ["u", "1"], ["ay", [1]], [{ list: "s" }, "s"], [{ tuple: ["s"] }, ["a", "b"]], [entry, { op: "a", tags: [] }], [entry, ["a"]],
    ];
    for (const [type, value] of incoming) expectIPCError(() => fromDbus(type, value), "MessageValidationFailed");
  });

  it("converts argument lists and checks their count", () => {
    const args = [{ name: "a", signature: "s", type: "s" as const }, { name: "e", signature: "(sd)", type: { struct: "E", fields: [["op", "s"], ["r", "d"]] } as const }];
    expect(argsToDbus(args, ["x", { op: "o", r: 1 }])).toEqual(["x", ["o", 1]]);
    expect(argsFromDbus(args, ["x", ["o", 1]])).toEqual(["x", { op: "o", r: 1 }]);
    expect(expectIPCError(() => argsToDbus(args, ["x", { op: 1, r: 1 }]), "SerializationError").context["path"]).toEqual([1, "op"]);
    expectIPCError(() => argsToDbus(args, ["x"]), "SerializationError");
    expectIPCError(() => argsFromDbus(args, ["x", ["o", 1], 3]), "MessageValidationFailed");
  });
});
