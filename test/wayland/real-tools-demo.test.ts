/**
 * `npm run demo:wayland` (examples/wayland-demo): the one-shot demo exits 0 after every shell
 * request was answered; `--serve --display NAME` serves real clients (wayland-info) until SIGTERM,
 * then removes its socket and lock file and exits 0.
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Proc } from "../cli/processes.js";
import { privateRuntimeDir, waylandInfo } from "../helpers/weston.js";
import { ensureBuilt } from "../transport/helpers.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function startDemo(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const script = ensureBuilt("examples/wayland-demo/run-demo.js");
  return new Proc(spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] }), "demo:wayland");
}

describe("npm run demo:wayland", () => {
  it("runs our server on a private display and our client through the shell protocol, exit 0", async () => {
    const demo = startDemo([]);
    cleanups.push(() => demo.stop("SIGKILL"));
    const done = await demo.exited;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/configure: 1920x32 \(serial \d+\), acknowledged/);
    expect(done.stdout).toMatch(/frame callback done, buffer released/);
    expect(done.stdout).toMatch(/apps: Terminal \(org\.novade\.Terminal\), Files \(org\.novade\.Files\), Settings \(org\.novade\.Settings\)/);
    expect(done.stdout).toMatch(/launched org\.novade\.Terminal as pid [1-9]\d*/);
    expect(done.stdout).toContain("3. done");
  }, 120_000);

  it("--serve --display NAME serves wayland-info until SIGTERM, then cleans up and exits 0", async () => {
    const dir = privateRuntimeDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const demo = startDemo(["--serve", "--display", "wayland-demo-test"], { ...process.env, XDG_RUNTIME_DIR: dir });
    cleanups.push(() => (demo.running ? demo.stop("SIGKILL") : undefined));
    const line = await demo.outLine(1);
    const path = join(dir, "wayland-demo-test");
    expect(line).toBe(`WAYLAND_DISPLAY=${path}`);
    expect(existsSync(`${path}.lock`)).toBe(true);
    const info = await waylandInfo(path);
    expect(info.code, info.output).toBe(0);
    expect(info.globals.map((g) => `${g.interface} ${g.version}`)).toContain("nova_shell_v1 2");
    const end = await demo.stop("SIGTERM");
    expect(end.code, end.stderr).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.lock`)).toBe(false);
  }, 120_000);
});
