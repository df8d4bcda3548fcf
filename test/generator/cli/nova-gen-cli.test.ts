/**
 * nova-gen's command line: check, generate, exit codes, JSON diagnostics,
 * repeatability over idl/, and the built binary (no stack trace for a user's
 * mistake). In-process runs use the same program object as bin/nova-gen.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runNovaGen } from "../../../generator/cli/program.js";
import { repoRoot } from "../support/real-tools.js";
import { readTree } from "../support/golden-io.js";

const root = repoRoot();
const threeMistakes = relative(process.cwd(), join(root, "test/generator/errors/three-mistakes.nidl")).split("\\").join("/");
const temps: string[] = [];

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), "b1-cli-"));
  temps.push(d);
  return d;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runNovaGen(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe("nova-gen check", () => {
  it("passes on idl/ and exits 0", async () => {
    const r = await run("check", join(root, "idl"));
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^checked \d+ files: no errors\n$/);
    expect(r.code).toBe(0);
  });

  it("reports all three mistakes with line:col, a code frame each, and exits 1", async () => {
    const r = await run("check", threeMistakes);
    expect(r.code).toBe(1);
    const heads = r.err.split("\n").filter((l) => /: error\[NIDL\d{4}\]: /.test(l));
    expect(heads).toEqual([
      `${threeMistakes}:4:22: error[NIDL2001]: unknown name "Strng"; did you mean "string"?`,
      `${threeMistakes}:6:12: error[NIDL2003]: duplicate method "Stop" in interface "Player"`,
      `${threeMistakes}:7:5: error[NIDL2009]: signal "Ended" is @since(3) but interface "Player" is only version 1`,
    ]);
    expect(r.err).toContain('  4 │     method Play(uri: Strng);\n    │                      ^^^^^');
    expect(r.err).toContain(`${threeMistakes}:5:12: note: "Stop" was first declared here`);
    expect(r.err).toContain("3 errors, 0 warnings");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("prints JSON diagnostics for tools with --format json", async () => {
    const r = await run("check", threeMistakes, "--format", "json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { diagnostics: { code: string; line: number; column: number; severity: string }[] };
    expect(json.diagnostics.map((d) => [d.code, d.line, d.column, d.severity])).toEqual([
      ["NIDL2001", 4, 22, "error"],
      ["NIDL2003", 6, 12, "error"],
      ["NIDL2009", 7, 5, "error"],
    ]);
  });
});

describe("nova-gen usage", () => {
  it("--help shows examples and exits 0", async () => {
    const r = await run("--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Examples:");
    expect(r.out).toContain("generate");
    const g = await run("generate", "--help");
    expect(g.code).toBe(0);
    expect(g.out).toContain("--runtime-import");
  });

  it("exits 2 on bad usage", async () => {
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("generate", join(root, "idl"))).code).toBe(2);
    expect((await run("generate", join(root, "idl"), "--out", temp(), "--target", "cobol")).code).toBe(2);
    expect((await run("check", "no/such/file.nidl")).code).toBe(2);
    expect((await run("check", threeMistakes, "--format", "xml")).code).toBe(2);
  });
});

describe("nova-gen generate", () => {
  it("writes nothing and exits 1 when the input has errors", async () => {
    const out = temp();
    const r = await run("generate", threeMistakes, "--out", out);
    expect(r.code).toBe(1);
    expect(readTree(out).size).toBe(0);
  }, 60_000);

  it("is repeatable: two runs over idl/ give byte-identical trees", async () => {
    const a = temp();
    const b = temp();
    const ra = await run("generate", join(root, "idl"), "--out", a);
    const rb = await run("generate", join(root, "idl"), "--out", b);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const ta = readTree(a);
    const tb = readTree(b);
    expect(ta.size).toBeGreaterThanOrEqual(4);
    expect([...tb.keys()]).toEqual([...ta.keys()]);
    for (const [k, v] of ta) expect(tb.get(k), k).toBe(v);
    for (const [k, v] of ta) {
      const head = v.split("\n").slice(0, 3).join("\n");
      expect(head, k).toContain("@generated");
      expect(head, k).toContain("nova-gen from idl/");
      expect(v, k).not.toContain(root);
    }
    const again = await run("generate", join(root, "idl"), "--out", a, "--target", "dbus,wayland");
    expect(again.out).toMatch(/\(0 written, 4 unchanged\)/);
  }, 180_000);

  it("honours --target", async () => {
    const out = temp();
    const r = await run("generate", join(root, "idl"), "--out", out, "--target", "wayland");
    expect(r.code).toBe(0);
    expect([...readTree(out).keys()]).toEqual(["wayland/nova_shell_v1.xml"]);
  }, 60_000);

  it("writes the Wayland TS bindings beside the XML (--target wayland,wayland-ts) and names --source-name in the preamble", async () => {
    const out = temp();
    const r = await run("generate", join(root, "idl", "shell.nidl"), "--out", out, "--target", "wayland,wayland-ts", "--source-name", "shell protocol");
    expect(r.code).toBe(0);
    const tree = readTree(out);
    expect([...tree.keys()].sort()).toEqual(["wayland/nova_shell_v1.ts", "wayland/nova_shell_v1.xml"]);
    expect(tree.get("wayland/nova_shell_v1.ts")?.split("\n")[0]).toBe("// @generated by nova-gen from shell protocol. DO NOT EDIT.");
    expect(tree.get("wayland/nova_shell_v1.ts")).toContain('import * as $wayland from "./wayland.js";');
  }, 60_000);
});

describe("the built binary", () => {
  const bin = join(root, "dist", "bin", "nova-gen.js");

  it("exists (npm test builds first)", () => {
    expect(existsSync(bin)).toBe(true);
  });

  it("exits 1 with diagnostics and no stack trace on a user's mistake", () => {
    const r = spawnSync(process.execPath, [bin, "check", threeMistakes], { encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n").filter((l) => l.includes("error[NIDL")).length).toBe(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on bad usage and 0 on --help", () => {
    expect(spawnSync(process.execPath, [bin, "nope"], { encoding: "utf8" }).status).toBe(2);
    expect(spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" }).status).toBe(0);
  });
});
