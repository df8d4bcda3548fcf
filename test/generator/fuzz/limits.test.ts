/**
 * Pathological but well-formed inputs — nesting thousands deep, chains of
 * thousands of typedefs, constants and structs — end in diagnostics, not in
 * a stack overflow.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/index.js";

function codes(text: string): string[] {
  return [...new Set(compile([{ path: "x.nidl", text }]).diagnostics.map((d) => d.code))].sort();
}

describe("limits", () => {
  it("rejects nesting deeper than the limit with NIDL1009", () => {
    const n = 5000;
    expect(codes(`package a;\nstruct S { f: ${"list<".repeat(n)}u8${">".repeat(n)}; }\n`)).toEqual(["NIDL1009"]);
    expect(codes(`package a;\nconst C: i32 = ${"(".repeat(n)}1${")".repeat(n)};\n`)).toEqual(["NIDL1009"]);
    expect(codes(`package a;\nconst C: i32 = ${"- ".repeat(n)}1;\n`)).toEqual(["NIDL1009"]);
  });

  it("accepts nesting up to the limit", () => {
    expect(codes(`package a;\nstruct S { f: ${"list<".repeat(60)}u8${">".repeat(60)}; }\n`)).toEqual([]);
  });

  it("stops following very long typedef and constant chains with NIDL2023", () => {
    const n = 1000;
    let t = "package a;\n";
    for (let i = 0; i < n; i++) t += `typedef T${i} = T${i + 1};\nconst C${i}: u32 = C${i + 1} + 1;\nstruct S${i} { s: S${i + 1}; }\n`;
    t += `typedef T${n} = u32;\nconst C${n}: u32 = 0;\nstruct S${n} { x: u8; }\n`;
    expect(codes(t)).toEqual(["NIDL2023"]);
  });

  it("finds a cycle closing a long chain of structs", () => {
    const n = 1000;
    let t = "package a;\n";
    for (let i = 0; i < n; i++) t += `struct S${i} { s: S${(i + 1) % n}; }\n`;
    const r = compile([{ path: "x.nidl", text: t }]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NIDL2007"]);
    expect(r.diagnostics[0].message).toMatch(/^struct "S0" contains itself by value \(S0 → S1 → .* → S999 → S0\)$/);
  });
});
