/**
 * The demo (issue 5): its committed generated code is exactly what nova-gen
 * produces today, and `run-demo` drives a server and a client process over a
 * Unix socket to a clean exit.
 */
import { execFile } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, ensureBuilt, makeTempDir, removeDir } from "../transport/helpers.js";

const run = promisify(execFile);

describe("examples/demo", () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir();
  });
  afterAll(() => removeDir(dir));

  it("commits exactly the code nova-gen generates from demo.nidl", async () => {
    const gen = ensureBuilt("bin/nova-gen.js");
    await run(
      process.execPath,
      [gen, "generate", "examples/demo/demo.nidl", "--out", dir, "--target", "ts", "--runtime-import", "../../../runtime/rpc/index.js"],
      { cwd: ROOT },
    );
    const committed = join(ROOT, "examples", "demo", "generated");
    const fresh = readdirSync(dir).sort();
    expect(readdirSync(committed).sort()).toEqual(fresh);
    for (const name of fresh) expect(readFileSync(join(committed, name), "utf8"), name).toBe(readFileSync(join(dir, name), "utf8"));
  });

  it("runs a server and a client process and exits 0", async () => {
    const demo = ensureBuilt("examples/demo/run-demo.js");
    ensureBuilt("examples/demo/client.js");
    ensureBuilt("examples/demo/server.js");
    const { stdout } = await run(process.execPath, [demo], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toContain("add(2, 3)                            = 5");
    expect(stdout).toMatch(/divide\(7, 0\)  \[declared error\]\s+threw DivisionByZero \{ dividend: 7 \}/);
    expect(stdout).toMatch(/slow\(3000\), timeout 200 ms\s+IPCError\[TimeoutExpired\]/);
    expect(stdout).toContain("computed  [signal, received]         add=5, add=42, divide=0.25");
    expect(stdout).toContain("error[RemoteError]: cannot divide 1 by zero");
    expect(stdout).toContain("demo finished: every step behaved as expected");
  }, 60_000);
});
