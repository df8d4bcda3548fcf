/**
 * Issue 11, item 9: the install script (scripts/build-native.mjs) builds with the node-gyp this
 * package depends on, resolved from the package's own folder as Node resolves its imports, not with
 * whatever `node-gyp` the consumer's tree hoists onto PATH; it passes the running Node's headers as
 * --nodedir (no .npmrc needed, nothing downloaded); and a failed build ends in one line saying so.
 * The layouts below are real node_modules trees: the nested node-gyp is this repository's node-gyp 12.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/external-validators.js";

const root = repoRoot();
const work = mkdtempSync(join(tmpdir(), "nova-build-native-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A consumer project: node_modules/novade-ipc (the script and `native`), a hoisted node-gyp 7, maybe our nested node-gyp 12. */
function consumer(name: string, nestedNodeGyp: boolean): string {
  const project = join(work, name);
  const pkg = join(project, "node_modules", "novade-ipc");
  mkdirSync(join(pkg, "scripts"), { recursive: true });
  mkdirSync(join(pkg, "native"));
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "novade-ipc", version: "0.0.0" }));
  copyFileSync(join(root, "scripts", "build-native.mjs"), join(pkg, "scripts", "build-native.mjs"));
  // What usocket's dependency hoists: first on PATH (node_modules/.bin) during npm's install scripts.
  const old = join(project, "node_modules", "node-gyp");
  mkdirSync(join(old, "bin"), { recursive: true });
  writeFileSync(join(old, "package.json"), JSON.stringify({ name: "node-gyp", version: "7.1.2", bin: "./bin/node-gyp.js" }));
  writeFileSync(join(old, "bin", "node-gyp.js"), "process.exit(42);\n");
  mkdirSync(join(project, "node_modules", ".bin"));
  symlinkSync("../node-gyp/bin/node-gyp.js", join(project, "node_modules", ".bin", "node-gyp"));
  if (nestedNodeGyp) {
    mkdirSync(join(pkg, "node_modules"));
    symlinkSync(join(root, "node_modules", "node-gyp"), join(pkg, "node_modules", "node-gyp"));
  }
  return pkg;
}

function buildNative(pkg: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = {};
  // npm's environment of this repository (npm_config_nodedir from .npmrc) must not be what makes it work.
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.PATH = `${join(pkg, "..", ".bin")}:${process.env.PATH ?? ""}`;
  const r = spawnSync(process.execPath, [join(pkg, "scripts", "build-native.mjs"), ...args], { cwd: pkg, env, encoding: "utf8", timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("scripts/build-native.mjs", () => {
  it("runs this package's node-gyp 12, not the node-gyp 7 the consumer hoists, with the running Node's headers", () => {
    const pkg = consumer("nested", true);
    const r = buildNative(pkg, "--dry-run");
    expect(r.status, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { node: string; args: string[]; nodeGypVersion: string };
    expect(plan.nodeGypVersion).toBe("12.0.0");
    expect(plan.node).toBe(process.execPath);
    expect(plan.args[0]).toBe(join(root, "node_modules", "node-gyp", "bin", "node-gyp.js"));
    const nodeDir = dirname(dirname(process.execPath));
    expect(existsSync(join(nodeDir, "include", "node", "node.h"))).toBe(true);
    expect(plan.args).toContain(`--nodedir=${nodeDir}`);
    expect(plan.args.slice(1, 4)).toEqual(["rebuild", "--directory", "native"]);
  });

  it("with only an old node-gyp reachable, refuses in one line instead of crashing inside it", () => {
    const r = buildNative(consumer("old-only", false), "--dry-run");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^novade-ipc: cannot build the native addon: node-gyp 7\.1\.2 at \S+ is too old \(need 10\+\)\n$/);
  });

  it("a failing build ends with one line naming node-gyp, the headers and what the build needs", () => {
    const pkg = consumer("broken", true);
    writeFileSync(join(pkg, "native", "binding.gyp"), JSON.stringify({ targets: [{ target_name: "broken", sources: ["broken.cc"] }] }));
    writeFileSync(join(pkg, "native", "broken.cc"), "this is not C++\n");
    const r = buildNative(pkg);
    expect(r.status).toBe(1);
    const last = r.stderr.trimEnd().split("\n").at(-1);
    expect(last).toMatch(/^novade-ipc: building the native addon failed \(node-gyp 12\.0\.0, nodedir \/\S+: exit \d+\); it needs python3, make and g\+\+ \(npm run setup installs them\)$/);
  }, 180_000);
});
