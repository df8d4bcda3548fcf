/**
 * The compat rules on hand-written NIDL: structs, top-level enums, results, oneway, and the rule that
 * only wire-visible changes break (renaming a typedef or reformatting does not).
 */
import { describe, expect, it } from "vitest";
import { checkCompat } from "../../../generator/compat/index.js";

const BASE = `package org.novade.demo;

struct Point { x: i32; y: i32; }
enum Level : u32 { low = 1; high = 2; }
typedef Id = u64;

@dbus
interface Demo {
    method Move(p: Point) -> (ok: bool);
    @oneway
    method Ping(id: Id);
    signal Level(level: Level);
    property Size: (u32, u32) { read; }
}
`;

const check = (next: string) => checkCompat([{ path: "old/demo.nidl", text: BASE }], [{ path: "new/demo.nidl", text: next }]);
const codes = (next: string) => check(next).diagnostics.map((d) => `${d.severity}:${d.code}`);

describe("compat on NIDL", () => {
  it("is clean against itself and against a reformatted, extended version", () => {
    expect(codes(BASE)).toEqual([]);
    const extended = BASE.replace("enum Level : u32 { low = 1; high = 2; }", "enum Level : u32 {\n    low = 1;\n    high = 2;\n    max = 3;\n}")
      .replace("typedef Id = u64;", "typedef Ident = u64;")
      .replace("(id: Id)", "(id: Ident)")
      .replace("    property Size", "    method Reset();\n    property Name: string { read; write; }\n    property Size")
      .replace("{ read; }", "{ read; write; notify; }");
    expect(codes(extended)).toEqual([]);
  });

  it("finds struct, enum, result and oneway changes", () => {
    expect(codes(BASE.replace("struct Point { x: i32; y: i32; }", "struct Point { x: i32; y: i32; z: i32; }"))).toEqual(["error:NIDL5009"]);
    expect(codes(BASE.replace("high = 2;", "high = 3;"))).toEqual(["error:NIDL5005"]);
    expect(codes(BASE.replace(" high = 2;", ""))).toEqual(["error:NIDL5004"]);
    expect(codes(BASE.replace("-> (ok: bool)", "-> (ok: u32)"))).toEqual(["error:NIDL5003"]);
    expect(codes(BASE.replace("-> (ok: bool)", ""))).toEqual(["error:NIDL5003"]);
    expect(codes(BASE.replace("    @oneway\n", ""))).toEqual(["error:NIDL5007"]);
    expect(codes(BASE.replace("(u32, u32) { read; }", "(u32, i32) { read; }"))).toEqual(["error:NIDL5009"]);
    expect(codes(BASE.replace("{ read; }", "{ write; }"))).toEqual(["error:NIDL5006"]);
    expect(codes(BASE.replace("enum Level : u32", "enum Level : u16"))).toEqual(["error:NIDL5003"]);
  });

  it("names the old and the new location of every finding", () => {
    const r = check(BASE.replace("-> (ok: bool)", "-> (ok: u32)"));
    const d = r.diagnostics[0]!;
    expect(d.span?.file).toBe("old/demo.nidl");
    expect(BASE.slice(d.span!.start, d.span!.end)).toContain("ok: bool");
    expect(d.notes[0]!.span?.file).toBe("new/demo.nidl");
    expect(d.message).toBe('method results of "Move" of "Demo": argument "ok" changed type from bool to u32');
  });

  it("reports inputs that do not compile instead of comparing them", () => {
    const r = check("package x;\ninterface {");
    expect(r.loaded).toBe(false);
    expect(r.diagnostics.some((d) => d.code === "NIDL1003")).toBe(true);
  });
});
