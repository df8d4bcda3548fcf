/**
 * Resolver behaviour across files: imports, package merging, visibility,
 * ambiguity, and the model's ordering rules.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/index.js";
import { renderCompact } from "../../../generator/diagnostics.js";
import type { StructModel } from "../../../generator/model.js";

function diag(r: ReturnType<typeof compile>): string {
  return renderCompact(r.diagnostics, (f) => r.sources.get(f));
}

describe("resolver", () => {
  it("resolves imports relative to the importing file through the host", () => {
    const files: Record<string, string> = {
      "lib/geo.nidl": "package geo;\nstruct P { x: i32; }\n",
      "lib/more.nidl": 'package more;\nimport "geo.nidl";\nstruct Q { p: P; }\n',
    };
    const r = compile([{ path: "app/main.nidl", text: 'package app;\nimport "../lib/more.nidl";\nstruct R { q: more.Q; q2: Q; }\n' }], {
      host: { readFile: (p) => files[p] },
    });
    expect(diag(r)).toBe("");
    expect(r.files.map((f) => f.path)).toEqual(["app/main.nidl", "lib/geo.nidl", "lib/more.nidl"]);
    const rmodel = r.model.declarations.get("app.R") as StructModel;
    expect(rmodel.fields.map((f) => f.type.kind === "struct" && f.type.ref.qualifiedName)).toEqual(["more.Q", "more.Q"]);
  });

  it("does not see packages that were not imported", () => {
    const r = compile([
      { path: "a.nidl", text: "package a;\nstruct A { x: i32; }\n" },
      { path: "b.nidl", text: "package b;\nstruct B { a: A; full: a.A; }\n" },
    ]);
    expect(diag(r)).toBe(
      'b.nidl:2:15: error[NIDL2001]: unknown name "A" (import the file of package "a")\n' +
        'b.nidl:2:24: error[NIDL2001]: unknown name "a.A" (import the file of package "a")\n',
    );
  });

  it("merges one package declared in two files, in path order", () => {
    const r = compile([
      { path: "z.nidl", text: "package p;\nstruct Z { a: A; }\n" },
      { path: "a.nidl", text: "package p;\nstruct A { x: u8; }\n" },
    ]);
    expect(diag(r)).toBe("");
    expect(r.model.packages.map((p) => [p.name, p.files, p.structs.map((s) => s.name)])).toEqual([["p", ["a.nidl", "z.nidl"], ["A", "Z"]]]);
  });

  it("reports a short name that two imported packages both define", () => {
    const r = compile([
      { path: "x.nidl", text: "package x;\nstruct T { a: u8; }\n" },
      { path: "y.nidl", text: "package y;\nstruct T { a: u8; }\n" },
      { path: "m.nidl", text: 'package m;\nimport "x.nidl";\nimport "y.nidl";\nstruct U { t: T; }\n' },
    ]);
    expect(diag(r)).toContain('m.nidl:4:15: error[NIDL2001]: "T" is ambiguous');
  });

  it("keeps declaration order of members and sorts packages by name", () => {
    const r = compile([{ path: "o.nidl", text: "package zz;\n@dbus interface I { method c(); signal b(); method a(); property p: u32; }\n" }, { path: "a.nidl", text: "package aa;\n" }]);
    expect(r.model.packages.map((p) => p.name)).toEqual(["aa", "zz"]);
    expect(r.model.packages[1].interfaces[0].members.map((m) => m.name)).toEqual(["c", "b", "a", "p"]);
  });

  it("reads @dbus(object_manager = true) on interfaces only, as a boolean", () => {
    const r = compile([{
      path: "om.nidl",
      text: 'package om;\n@dbus(object_manager = true) interface A { method m(); }\n@dbus interface B { method m(); }\n' +
        '@dbus(object_manager = "yes") interface C { @dbus(object_manager = true) method m(); }\n',
    }]);
    expect(r.model.packages[0].interfaces.map((i) => i.dbusObjectManager)).toEqual([true, false, false]);
    expect(diag(r)).toContain("om.nidl:4:7: error[NIDL2012]: @dbus: expects true or false");
    expect(diag(r)).toMatch(/om\.nidl:4:\d+: error\[NIDL2012\]: @dbus: unexpected argument; allowed here: name = "\.\.\."/);
  });

  it("maps generic D-Bus annotations to typed fields only where those exist", () => {
    const r = compile([{
      path: "d.nidl",
      text: 'package d;\n@dbus interface I {\n@dbus.annotation("org.freedesktop.DBus.Method.NoReply", "true") method m();\n' +
        '@dbus.annotation("org.freedesktop.DBus.Method.NoReply", "true") property p: u32;\n}\n',
    }]);
    const [m, p] = r.model.packages[0].interfaces[0].members;
    expect(m.kind === "method" && [m.oneway, m.targets.dbus.annotations.length]).toEqual([true, 0]);
    expect(p.targets.dbus.annotations).toEqual([{ name: "org.freedesktop.DBus.Method.NoReply", value: "true" }]);
  });
});
