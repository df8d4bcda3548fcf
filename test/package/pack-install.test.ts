/**
 * Issue 11, item 9: the package works from another project. `npm pack` in this repository, then the
 * README's "Use it in your project" section run as written in a fresh temporary project: its files
 * written, its commands run one by one (installing the tarball in place of `novade-ipc`), ending with a
 * generated client calling a generated server over a Unix socket in a private XDG_RUNTIME_DIR. Then the
 * same installed package's `novade-ipc/dbus` and `novade-ipc/wayland` entry points, from plain ESM.
 *
 * Before the install, node-gyp 7 is put at the project's top level (usocket's dependency put it there
 * in the project where the issue was found): the install script must build with this package's own
 * node-gyp 12 and the running Node's headers, whatever the tree hoists.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/external-validators.js";

const root = repoRoot();
const work = mkdtempSync(join(tmpdir(), "nova-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Section {
  readonly commands: string[];
  readonly files: Map<string, string>;
}

/** The README's "Use it in your project" section: its bash commands and its `file=` blocks. */
function readmeSection(): Section {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("## Use it in your project\n");
  expect(start, "README has a 'Use it in your project' section").toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  const text = readme.slice(start, end < 0 ? undefined : end);
  const commands: string[] = [];
  const files = new Map<string, string>();
  for (const m of text.matchAll(/```(\w+)([^\n]*)\n([\s\S]*?)```/g)) {
    const file = /\bfile=(\S+)/.exec(m[2]!)?.[1];
    if (file !== undefined) files.set(file, m[3]!);
    else if (m[1] === "bash") commands.push(...m[3]!.split("\n").filter((l) => l.trim() !== ""));
  }
  return { commands, files };
}

/** A shell as a fresh user has it: no npm lifecycle variables or .npmrc settings of this repository. */
function cleanEnv(xdg: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|INIT_CWD$|VITEST|NODE_OPTIONS$)/i.test(k)) env[k] = v;
  env.PATH = (process.env.PATH ?? "").split(":").filter((p) => !p.includes("node_modules")).join(":");
  return { ...env, XDG_RUNTIME_DIR: xdg, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
}

interface ShellResult {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

/** Runs one command line in bash; its whole process group is killed after `timeoutMs`. */
function sh(line: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<ShellResult> {
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn("bash", ["-c", line], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, output, ms: Math.round(performance.now() - t0) });
    });
  });
}

describe("npm pack, installed into a fresh project", () => {
  let tarball = "";
  let packed: { files: { path: string }[]; size: number; entryCount: number };

  beforeAll(async () => {
    // --ignore-scripts: packs the dist/ that `npm test` just built (its pretest). Letting `prepare` rebuild
    // dist/ here would rewrite files that tests running in parallel are loading.
    const r = await sh(`npm pack --json --ignore-scripts --pack-destination ${JSON.stringify(work)}`, root, { ...process.env, npm_config_update_notifier: "false" });
    expect(r.code, r.output).toBe(0);
    packed = (JSON.parse(r.output.slice(r.output.indexOf("[\n"))) as (typeof packed & { filename: string })[])[0]!;
    tarball = join(work, (packed as unknown as { filename: string }).filename);
    expect(existsSync(tarball)).toBe(true);
  }, 180_000);

  it("the tarball holds dist/, the native sources, the install script, docs and idl/*.nidl, and no tests, CI or golden files", () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ["dist/runtime/index.js", "dist/runtime/generated.d.ts", "dist/runtime/wire-layer.js", "dist/generator/index.js", "dist/bin/nova-gen.js", "native/binding.gyp", "native/src/addon.cc", "scripts/build-native.mjs", "idl/notifications.nidl", "idl/WIRE.md", "README.md"]) {
      expect(paths, p).toContain(p);
    }
    expect(paths.filter((p) => /^(test|dist\/test|dist\/examples|examples|\.ci)\/|golden|\.test\.|\.map$|^native\/build\//.test(p))).toEqual([]);
  });

  it("runs the README's 'Use it in your project' commands: generate, compile, then a client calls a server", async () => {
    const { commands, files } = readmeSection();
    expect([...files.keys()].sort()).toEqual(["calc.nidl", "client.ts", "server.ts"]);
    const project = join(work, "calc");
    const xdg = join(work, "xdg");
    mkdirSync(project);
    mkdirSync(xdg, { mode: 0o700 });
    for (const [name, text] of files) writeFileSync(join(project, name), text);
    const env = cleanEnv(xdg);
    const timings: string[] = [];
    let last: ShellResult | undefined;
    for (const command of commands) {
      let line = command;
      if (/^npm install .*\bnovade-ipc\b/.test(command)) {
        const trap = await sh("npm install node-gyp@7.1.2", project, env);
        expect(trap.code, trap.output).toBe(0);
        line = command.replace(/(?<=\s)novade-ipc(?=\s|$)/, JSON.stringify(tarball));
      }
      last = await sh(line, project, env);
      timings.push(`${last.ms} ms  ${line}`);
      expect(last.code, `${line}\n${last.output}`).toBe(0);
    }
    process.stdout.write(`pack-install timings:\n  ${timings.join("\n  ")}\n`);
    const version = (p: string): string => (JSON.parse(readFileSync(join(project, "node_modules", p, "package.json"), "utf8")) as { version: string }).version;
    expect(version("node-gyp")).toMatch(/^7\./);
    expect(version("novade-ipc/node_modules/node-gyp")).toMatch(/^12\./);
    expect(existsSync(join(project, "node_modules/novade-ipc/native/build/Release/nova_native.node"))).toBe(true);
    expect(readFileSync(join(project, "gen", "org.example.calc.ts"), "utf8")).toContain('from "novade-ipc/runtime/generated"');
    expect(last?.output).toContain("add(2, 3) = 5");
    expect(last?.output).toContain("divide(1, 0) threw DivisionByZero");
  }, 400_000);

  it("the installed package's D-Bus and Wayland entry points work: a private bus, a call, a server and a client", async () => {
    const project = join(work, "calc");
    expect(existsSync(join(project, "node_modules", "novade-ipc")), "the previous test installed the package").toBe(true);
    writeFileSync(
      join(project, "both-worlds.mjs"),
      `import { DbusConnection, startPrivateBus } from "novade-ipc/dbus";
import { WaylandClient, WaylandServer, addNovaGlobals } from "novade-ipc/wayland";
import { WlCompositor } from "novade-ipc/wayland/protocols/wayland";
const bus = await startPrivateBus();
try {
  const conn = await DbusConnection.connect({ address: bus.address });
  const reply = await conn.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "GetId" });
  console.log("dbus id length " + reply.body[0].length);
  await conn.close();
} finally {
  await bus.stop();
}
const server = await WaylandServer.listen({ display: "wayland-pack" });
addNovaGlobals(server);
const client = await WaylandClient.connect({ display: "wayland-pack" });
console.log("wayland " + client.globals().map((g) => g.interface).sort().join(" "));
client.bind(WlCompositor).createSurface().commit();
await client.roundtrip();
client.close();
await server.close();
`,
    );
    const xdg = join(work, "xdg");
    const r = await sh("node both-worlds.mjs", project, cleanEnv(xdg), 60_000);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("dbus id length 32");
    expect(r.output).toContain("wayland nova_shell_v1 wl_compositor wl_output wl_seat wl_shm");
  }, 120_000);
});
