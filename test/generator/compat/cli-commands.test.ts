/**
 * The import, compat and fmt commands through nova-gen's real program (in-process, real files in a temp dir):
 * exit codes 0/1/2, what they write, and diagnostics that name both locations.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNovaGen } from "../../../generator/cli/program.js";
import { corpusFile } from "../../helpers/corpus.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nova-cli4-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runNovaGen(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const OLD = `package org.novade.demo;

@dbus(name = "org.novade.Demo")
interface Demo {
    method Get(key: string) -> (value: variant);
    signal Changed(key: string);
    property Mode: u32 { read; write; }
}
`;

describe("nova-gen import", () => {
  it("imports Wayland XML; the output passes check", async () => {
    const out = join(dir, "wl");
    const r = await run("import", "wayland", corpusFile("wayland.xml"), corpusFile("xdg-shell.xml"), "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["wayland.nidl", "xdg-shell.nidl"]);
    expect(readFileSync(join(out, "xdg-shell.nidl"), "utf8")).toContain('import "wayland.nidl";');
    const c = await run("check", out);
    expect(c.code, c.err).toBe(0);
  });

  it("imports D-Bus XML and reports a broken file with its location (exit 1)", async () => {
    const bad = join(dir, "bad.xml");
    writeFileSync(bad, '<node>\n  <interface name="x.Y">\n    <method name="M"><arg name="a" type="ii"/></method>\n  </interface>\n</node>\n');
    const r = await run("import", "dbus", corpusFile("org.freedesktop.portal.Print.xml"), bad, "--out", join(dir, "db"));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:3:22: error[NIDL4004]`);
    expect(readdirSync(join(dir, "db"))).toEqual(["org.freedesktop.portal.Print.nidl"]);
  });

  it("exits 2 on bad usage", async () => {
    expect((await run("import", "wayland", join(dir, "missing.xml"), "--out", dir)).code).toBe(2);
    expect((await run("import", "dbus", corpusFile("org.freedesktop.portal.Print.xml"))).code).toBe(2);
    expect((await run("import", "corba", "x.xml", "--out", dir)).code).toBe(2);
  });
});

describe("nova-gen compat", () => {
  it("passes compatible versions and fails breaking ones, naming old and new locations", async () => {
    const oldDir = join(dir, "v1"), newDir = join(dir, "v2"), brokenDir = join(dir, "v3");
    for (const d of [oldDir, newDir, brokenDir]) mkdirSync(d, { recursive: true });
    writeFileSync(join(oldDir, "demo.nidl"), OLD);
    writeFileSync(join(newDir, "demo.nidl"), OLD.replace("    signal Changed", "    method Reset();\n    signal Changed"));
    writeFileSync(join(brokenDir, "demo.nidl"), OLD.replace("{ read; write; }", "{ read; }"));
    const ok = await run("compat", oldDir, newDir);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain("no breaking changes");
    expect(ok.out).toContain('compatible (method-added): method "Reset" of "Demo" was added\n');
    const broken = await run("compat", oldDir, brokenDir, "--format", "compact");
    expect(broken.code).toBe(1);
    expect(broken.err).toContain(`${join(oldDir, "demo.nidl")}:7:5: error[NIDL5006]: property "Mode" of "Demo" narrowed its access from readwrite to read`);
    expect(broken.err).toContain(`${join(brokenDir, "demo.nidl")}:7:5: note: "Mode" is read here`);
    expect(broken.out).toContain("1 breaking change");
  });

  it("reads the imports of a .nidl file given alone", async () => {
    const oldDir = join(dir, "imp1"), newDir = join(dir, "imp2");
    for (const d of [oldDir, newDir]) mkdirSync(d, { recursive: true });
    const common = "package org.novade.common;\n\ntypedef Id = u64;\n";
    writeFileSync(join(oldDir, "common.nidl"), common);
    writeFileSync(join(newDir, "common.nidl"), common);
    const user = 'package org.novade.user;\n\nimport "common.nidl";\n\n@dbus\ninterface U {\n    method Get(id: org.novade.common.Id);\n}\n';
    writeFileSync(join(oldDir, "user.nidl"), user);
    writeFileSync(join(newDir, "user.nidl"), user.replace("id: org.novade.common.Id", "id: string"));
    const r = await run("compat", join(oldDir, "user.nidl"), join(newDir, "user.nidl"), "--format", "compact");
    expect(r.code).toBe(1);
    expect(r.err).toContain('error[NIDL5003]: method "Get" of "U": argument "id" changed type from Id to string');
  });

  it("compares Wayland XML with --with for the core protocol, and prints JSON", async () => {
    const shell = readFileSync(corpusFile("xdg-shell.xml"), "utf8");
    const changed = join(dir, "xdg-shell-changed.xml");
    writeFileSync(changed, shell.replace('<arg name="title" type="string"/>', '<arg name="title" type="uint"/>'));
    const r = await run("compat", corpusFile("xdg-shell.xml"), changed, "--with", corpusFile("wayland.xml"), "--format", "json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { diagnostics: { code: string; file: string; line: number; notes: { file: string; line: number }[] }[] };
    expect(json.diagnostics.map((d) => d.code)).toEqual(["NIDL5003"]);
    expect(json.diagnostics[0]!.file).toBe(corpusFile("xdg-shell.xml"));
    expect(json.diagnostics[0]!.notes[0]!.file).toBe(changed);
    expect(json.diagnostics[0]!.notes[0]!.line).toBe(json.diagnostics[0]!.line);
  });

  it("exits 1 when an input does not compile and 2 on bad usage", async () => {
    const broken = join(dir, "broken.nidl");
    writeFileSync(broken, "package a;\ninterface X { method ( }\n");
    const r = await run("compat", broken, broken);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[NIDL1003]");
    expect((await run("compat", broken)).code).toBe(2);
    expect((await run("compat", broken, join(dir, "nope"))).code).toBe(2);
    expect((await run("compat", broken, broken, "--format", "xml")).code).toBe(2);
  });
});

describe("nova-gen fmt", () => {
  it("--check lists unformatted files (exit 1), fmt rewrites them, then --check passes", async () => {
    const f = join(dir, "fmt", "a.nidl");
    mkdirSync(join(dir, "fmt"), { recursive: true });
    writeFileSync(f, "package   a.b;  // keep me\ninterface X{method M(a:u32)->(b:string);}\n");
    const check1 = await run("fmt", "--check", join(dir, "fmt"));
    expect(check1.code).toBe(1);
    expect(check1.out).toBe(`${f}\n`);
    const fmt = await run("fmt", f);
    expect(fmt.code).toBe(0);
    expect(readFileSync(f, "utf8")).toBe("package a.b; // keep me\n\ninterface X {\n    method M(a: u32) -> (b: string);\n}\n");
    const check2 = await run("fmt", "--check", f);
    expect(check2.code).toBe(0);
    expect(check2.out).toBe("");
  });

  it("leaves a file with syntax errors untouched (exit 1) and exits 2 on a missing file", async () => {
    const f = join(dir, "bad.nidl");
    writeFileSync(f, "package a;\ninterface X { method ( }\n");
    const r = await run("fmt", f);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[NIDL1003]");
    expect(readFileSync(f, "utf8")).toBe("package a;\ninterface X { method ( }\n");
    expect((await run("fmt", join(dir, "nope.nidl"))).code).toBe(2);
  });
});
