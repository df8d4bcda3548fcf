import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TypeNode } from "../../../generator/ast.js";
import { createAstBuilder } from "../../../generator/import/ast-builder.js";
import { signatureToType } from "../../../generator/import/dbus-signature.js";
import { typeText } from "../../../generator/format/syntax-text.js";

const b = createAstBuilder("t.nidl");
const nidl = (sig: string): string => {
  const r = signatureToType(b, sig);
  if (!r.ok) throw new Error(r.reason);
  return typeText(r.type);
};

/** The inverse mapping, written independently of the importer, to check that signatures round-trip. */
const BACK: Record<string, string> = { u8: "y", bool: "b", i16: "n", u16: "q", i32: "i", u32: "u", i64: "x", u64: "t", f64: "d", fd: "h", string: "s", objpath: "o", signature: "g", variant: "v", bytes: "ay" };
function toSig(t: TypeNode): string {
  if (t.kind === "TupleType") return `(${t.elements.map(toSig).join("")})`;
  if (t.kind === "OptionalType") throw new Error("no optionals on D-Bus");
  if (t.name.text === "list") return `a${toSig(t.args[0]!)}`;
  if (t.name.text === "map") return `a{${toSig(t.args[0]!)}${toSig(t.args[1]!)}}`;
  return BACK[t.name.text]!;
}

const basic = fc.constantFrom(..."ybnqiuxtdhsog".split(""));
const complete: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    basic,
    fc.constant("v"),
    tie("t").map((t) => `a${t}`),
    fc.tuple(basic, tie("t")).map(([k, v]) => `a{${k}${v}}`),
    fc.array(tie("t"), { minLength: 1, maxLength: 3 }).map((ts) => `(${ts.join("")})`),
  ),
})).t;

describe("D-Bus signatures → NIDL types", () => {
  it("maps every corpus type", () => {
    expect(nidl("a{sv}")).toBe("map<string, variant>");
    expect(nidl("a(sa{sv})")).toBe("list<(string, map<string, variant>)>");
    expect(nidl("ay")).toBe("bytes");
    expect(nidl("aay")).toBe("list<bytes>");
    expect(nidl("a{say}")).toBe("map<string, bytes>");
    expect(nidl("ah")).toBe("list<fd>");
    expect(nidl("o")).toBe("objpath");
    expect(nidl("g")).toBe("signature");
    expect(nidl("a{sa{sv}}")).toBe("map<string, map<string, variant>>");
  });

  it("rejects what is not exactly one complete type", () => {
    for (const bad of ["", "ii", "a", "a{vs}", "a{s}", "a{sss}", "()", "(i", "Q", "a{ss", "i)"]) {
      expect(signatureToType(b, bad).ok, bad).toBe(false);
    }
  });

  it("round-trips every valid signature (property)", () => {
    fc.assert(fc.property(complete, (sig) => {
      const r = signatureToType(b, sig);
      expect(r.ok).toBe(true);
      if (r.ok) expect(toSig(r.type)).toBe(sig);
    }), { numRuns: 500 });
  });

  it("never throws on random text (property)", () => {
    fc.assert(fc.property(fc.string({ maxLength: 40, unit: fc.constantFrom(..."ybnqixtdhsogva{}()Qz".split("")) }), (sig) => {
      expect(() => signatureToType(b, sig)).not.toThrow();
    }), { numRuns: 1000 });
  });

  it("accepts every basic type as a dict key", () => {
    for (const [k, t] of Object.entries({ y: "u8", b: "bool", n: "i16", q: "u16", i: "i32", u: "u32", x: "i64", t: "u64", d: "f64", s: "string", o: "objpath", g: "signature", h: "fd" })) {
      expect(nidl(`a{${k}v}`), k).toBe(`map<${t}, variant>`);
    }
    expect(nidl("a{uu}")).toBe("map<u32, u32>");
    expect(signatureToType(b, "a{vs}")).toEqual({ ok: false, reason: 'dict key "v" is not a basic type' });
  });

  it("applies the specification's limits: 32 nested arrays, 32 nested structs, 255 bytes", () => {
    const structs = (n: number, inner: string): string => "(".repeat(n) + inner + ")".repeat(n);
    expect(signatureToType(b, "a".repeat(32) + "i").ok).toBe(true);
    expect(signatureToType(b, "a".repeat(33) + "i")).toEqual({ ok: false, reason: "more than 32 nested arrays" });
    expect(signatureToType(b, structs(32, "i")).ok).toBe(true);
    expect(signatureToType(b, structs(33, "i"))).toEqual({ ok: false, reason: "more than 32 nested structs" });
    // The two counts are separate: 32 of each, 64 containers in all, is allowed.
    expect(signatureToType(b, "a".repeat(32) + structs(32, "i")).ok).toBe(true);
    expect(signatureToType(b, "a{s".repeat(32) + "i" + "}".repeat(32)).ok).toBe(true);
    expect(signatureToType(b, `(${"y".repeat(253)})`).ok).toBe(true);
    expect(signatureToType(b, `(${"y".repeat(254)})`)).toEqual({ ok: false, reason: "longer than 255 characters" });
    expect(signatureToType(b, "a".repeat(200) + "i").ok).toBe(false);
  });

  it("names a dict entry outside an array", () => {
    expect(signatureToType(b, "{sv}")).toEqual({ ok: false, reason: "a dict entry {…} may only appear directly inside an array (a{…})" });
  });
});
