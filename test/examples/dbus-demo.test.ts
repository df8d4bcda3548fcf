/**
 * `npm run demo:dbus` (examples/dbus-demo): the demo Calculator on a private dbus-daemon the demo
 * starts and stops itself, called by gdbus, nova dbus and the generated proxy; and `--serve`, which
 * serves on $DBUS_SESSION_BUS_ADDRESS (here a private daemon of the test) until SIGTERM.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startDbusDaemon } from "../helpers/dbus-daemon.js";
import { runTool } from "../helpers/system-deps.js";
import { ROOT, ensureBuilt } from "../transport/helpers.js";

const run = promisify(execFile);

describe("examples/dbus-demo", () => {
  it("serves the Calculator on its own private bus, calls it three ways, stops the bus and exits 0", async () => {
    const demo = ensureBuilt("examples/dbus-demo/run-demo.js");
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith("nova-demo-dbus-")));
    const { stdout } = await run(process.execPath, [demo], { cwd: ROOT, timeout: 120_000 });
    expect(stdout).toMatch(/gdbus call add 2 3 +\(5\.0,\)\n/);
    expect(stdout).toMatch(/gdbus call divide 7 0 +\[declared error\] +.*GDBus\.Error:org\.novade\.demo\.Error\.DivisionByZero/);
    expect(stdout).toMatch(/nova dbus call add dd 40 2 +\(42\.0,\)\n/);
    expect(stdout).toMatch(/divide\(7, 0\) +\[declared error\] +threw DivisionByZero \{"dividend":7\}\n/);
    expect(stdout).toMatch(/computed +\[signal, received\] +add=42, divide=0\.25\n/);
    const pid = Number(/\(pid (\d+)\)/.exec(stdout)?.[1]);
    expect(stdout).toContain(`dbus-daemon ${pid} stopped`);
    expect(() => process.kill(pid, 0)).toThrow(); // the daemon is gone
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith("nova-demo-dbus-") && !before.has(n))).toEqual([]);
    expect(stdout).toContain("demo finished: every step behaved as expected");
  }, 150_000);

  it("--serve serves on $DBUS_SESSION_BUS_ADDRESS until SIGTERM, and needs it set", async () => {
    const demo = ensureBuilt("examples/dbus-demo/run-demo.js");
    const unset = { ...process.env };
    delete unset.DBUS_SESSION_BUS_ADDRESS;
    const refused = await run(process.execPath, [demo, "--serve"], { env: unset }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error\[InvalidArgument\]: --serve needs a session bus: DBUS_SESSION_BUS_ADDRESS is not set/);

    const bus = await startDbusDaemon({ prefix: "nova-demo-serve-" });
    const child = spawn(process.execPath, [demo, "--serve"], { env: bus.env, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      for (let waited = 0; !out.includes("serving "); waited += 25) {
        if (waited > 30_000 || child.exitCode !== null) throw new Error(`--serve did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(out).toContain(`serving org.novade.demo.Calculator at /org/novade/demo/Calculator on ${bus.address}`);
      const call = await runTool("gdbus", ["call", "--session", "--dest", "org.novade.demo.Calculator", "--object-path", "/org/novade/demo/Calculator", "--method", "org.novade.demo.Calculator.add", "20", "22"], { env: bus.env, timeout: 20_000 });
      expect(call.output.trim()).toBe("(42.0,)");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(out).toContain("stopped by SIGTERM");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
      await bus.stop();
    }
    expect(existsSync(bus.dir)).toBe(false);
  }, 90_000);
});
