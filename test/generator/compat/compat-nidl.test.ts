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

  it("lets open enums grow, and @closed ones only where no older client reads them", () => {
    const kinds = (next: string) => check(next).compatible.map((c) => c.kind);
    // Level is open and reaches clients (signal Level): adding is compatible, and reported as such.
    expect(codes(BASE.replace("high = 2;", "high = 2; max = 3;"))).toEqual([]);
    expect(kinds(BASE.replace("high = 2;", "high = 2; max = 3;"))).toEqual(["enum-value-added"]);
    const closed = BASE.replace("enum Level", "@closed\nenum Level");
    const closedCheck = (next: string) => checkCompat([{ path: "old/demo.nidl", text: closed }], [{ path: "new/demo.nidl", text: next }]);
    const grown = closedCheck(closed.replace("high = 2;", "high = 2; max = 3;"));
    expect(grown.diagnostics.map((d) => d.code)).toEqual(["NIDL5011"]);
    expect(grown.diagnostics[0]!.message).toBe('@closed enum "Level" gained "max", which older clients reject: the enum reaches them (results, signals, readable properties or error fields)');
    // An alias of an existing value is not a new value.
    expect(closedCheck(closed.replace("high = 2;", "high = 2; top = 2;")).diagnostics).toEqual([]);
    // Only in arguments: older clients never send it, so it is compatible.
    const inbound = closed.replace("signal Level(level: Level);", "method SetLevel(level: Level);");
    const inboundCheck = checkCompat([{ path: "old/demo.nidl", text: inbound }], [{ path: "new/demo.nidl", text: inbound.replace("high = 2;", "high = 2; max = 3;") }]);
    expect(inboundCheck.diagnostics).toEqual([]);
    expect(inboundCheck.compatible.map((c) => c.kind)).toEqual(["closed-enum-value-added-inbound"]);
    // Reached through a struct field of a result, or a declared error's field: still a client reader.
    const viaStruct = closed.replace("signal Level(level: Level);", "method Get() -> (p: Point);").replace("struct Point { x: i32; y: i32; }", "struct Point { x: i32; y: i32; level: Level; }");
    expect(checkCompat([{ path: "old/demo.nidl", text: viaStruct }], [{ path: "new/demo.nidl", text: viaStruct.replace("high = 2;", "high = 2; max = 3;") }]).diagnostics.map((d) => d.code)).toEqual(["NIDL5011"]);
    // Swapping a @closed enum for its integer (or the reverse) keeps the wire type but not what a reader accepts.
    expect(closedCheck(closed.replace("signal Level(level: Level);", "signal Level(level: u32);")).diagnostics.map((d) => d.message)).toEqual([
      'signal "Level" of "Demo": argument "level": Level (u32) (@closed) became u32; a @closed reader rejects values the other side may send',
    ]);
    const inStruct = closed.replace("struct Point { x: i32; y: i32; }", "struct Point { x: i32; y: i32; level: Level; }");
    expect(checkCompat([{ path: "old/demo.nidl", text: inStruct }], [{ path: "new/demo.nidl", text: inStruct.replace("level: Level; }", "level: u32; }") }]).diagnostics.map((d) => d.code)).toEqual(["NIDL5009"]);
    // Becoming @closed is breaking; no longer @closed is compatible.
    expect(codes(closed)).toEqual(["error:NIDL5012"]);
    expect(closedCheck(BASE).compatible.map((c) => c.kind)).toEqual(["enum-opened"]);
  });

  it("compares struct and error fields by name, declared errors and change notification", () => {
    expect(codes(BASE.replace("struct Point { x: i32; y: i32; }", "struct Point { x: i32; z: i32; }"))).toEqual(["error:NIDL5009"]);
    // Another struct with the same field types but other names, in an argument: not the same on the RPC wire.
    const other = BASE.replace("struct Point { x: i32; y: i32; }", "struct Point { x: i32; y: i32; }\nstruct Size { w: i32; h: i32; }");
    const argCheck = checkCompat([{ path: "old/demo.nidl", text: other }], [{ path: "new/demo.nidl", text: other.replace("Move(p: Point)", "Move(p: Size)") }]);
    expect(argCheck.diagnostics.map((d) => d.message)).toEqual(['method "Move" of "Demo": argument "p" changed type from Point ({x: i32, y: i32}) to Size ({w: i32, h: i32})']);
    const withError = BASE.replace("typedef Id = u64;", "typedef Id = u64;\nerror Gone { why: string; }");
    const errorCheck = (next: string) => checkCompat([{ path: "old/demo.nidl", text: withError }], [{ path: "new/demo.nidl", text: next }]).diagnostics.map((d) => d.code);
    expect(errorCheck(withError.replace("why: string;", "why: u32;"))).toEqual(["NIDL5009"]);
    expect(errorCheck(withError.replace("error Gone { why: string; }", ""))).toEqual(["NIDL5002"]);
    const notifying = BASE.replace("{ read; }", "{ read; notify; }");
    expect(checkCompat([{ path: "old/demo.nidl", text: notifying }], [{ path: "new/demo.nidl", text: BASE }]).diagnostics.map((d) => d.code)).toEqual(["NIDL5006"]);
  });

  it("keeps bus events where their listeners are: topic changes and (for topics) argument renames break", () => {
    const topical = BASE.replace("@dbus\ninterface Demo {", '@dbus\n@topic("demo.*")\ninterface Demo {');
    expect(topical).not.toBe(BASE);
    const busCheck = (next: string) => checkCompat([{ path: "old/demo.nidl", text: topical }], [{ path: "new/demo.nidl", text: next }]);
    expect(busCheck(topical).diagnostics).toEqual([]);
    // Derived "demo.Level" → declared "demo.level": the old listeners wait on the old topic.
    expect(busCheck(topical.replace("signal Level(", '@topic("demo.level") signal Level(')).diagnostics.map((d) => d.message)).toEqual([
      'signal "Level" of "Demo" moved from topic "demo.Level" to topic "demo.level": bus listeners of the old version no longer receive it',
    ]);
    expect(busCheck(BASE).diagnostics.map((d) => d.code)).toEqual(["NIDL5013"]);
    // The same topic spelled explicitly is no change; @persistent does not change what listeners receive.
    expect(busCheck(topical.replace("signal Level(", '@topic("demo.Level") @persistent signal Level(')).diagnostics).toEqual([]);
    // On the bus the data is keyed by argument name: a rename breaks there, while over RPC alone it is compatible.
    expect(busCheck(topical.replace("Level(level: Level)", "Level(value: Level)")).diagnostics.map((d) => d.code)).toEqual(["NIDL5003"]);
    expect(check(BASE.replace("Level(level: Level)", "Level(value: Level)")).compatible.map((c) => c.kind)).toEqual(["argument-renamed"]);
    // A signal that gains a topic is new on the bus: nothing listened before.
    expect(check(topical).diagnostics).toEqual([]);
  });

  it("finds a D-Bus ObjectManager dropped (NIDL5014); gaining one changes nothing a client sees", () => {
    const managed = BASE.replace("@dbus\ninterface Demo", "@dbus(object_manager = true)\ninterface Demo");
    expect(managed).not.toBe(BASE);
    expect(check(managed).diagnostics).toEqual([]);
    const dropped = checkCompat([{ path: "old/demo.nidl", text: managed }], [{ path: "new/demo.nidl", text: BASE }]);
    expect(dropped.diagnostics.map((d) => `${d.severity}:${d.code}`)).toEqual(["error:NIDL5014"]);
    expect(dropped.diagnostics[0]!.message).toBe('"Demo" is no longer a D-Bus ObjectManager: clients of the old version call GetManagedObjects on its object');
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
