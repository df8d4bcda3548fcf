/**
 * The demo (issue 5): `run-demo` regenerates the example's code with nova-gen
 * (recompiling if that changed it), then drives a server and a client process
 * over a Unix socket to a clean exit.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT, ensureBuilt } from "../transport/helpers.js";

const run = promisify(execFile);

describe("examples/demo", () => {
  it("runs a server and a client process and exits 0", async () => {
    const demo = ensureBuilt("examples/demo/run-demo.js");
    ensureBuilt("examples/demo/client.js");
    ensureBuilt("examples/demo/server.js");
    const { stdout } = await run(process.execPath, [demo], { cwd: ROOT, timeout: 170_000 });
    // run-demo regenerates examples/demo/generated first; the committed files are
    // current (generated-current.test.ts), so nothing changes and nothing recompiles.
    expect(stdout).toContain("generated code unchanged");
    expect(stdout).toContain("add(2, 3)                            = 5");
    expect(stdout).toMatch(/divide\(7, 0\)  \[declared error\]\s+threw DivisionByZero \{ dividend: 7 \}/);
    expect(stdout).toMatch(/slow\(3000\), timeout 200 ms\s+IPCError\[TimeoutExpired\]/);
    expect(stdout).toContain("computed  [signal, received]         add=5, add=42, divide=0.25");
    expect(stdout).toContain("error[RemoteError]: cannot divide 1 by zero");
    expect(stdout).toContain("demo finished: every step behaved as expected");
  }, 180_000);
});
