/**
 * `nova call` against a real server process: results as JSON, exit code 1
 * with the IPCError code on stderr, exit code 2 on bad usage.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, endpointIn, makeTempDir, removeDir, spawnPeer, type Peer } from "../transport/helpers.js";

const run = promisify(execFile);

async function nova(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = ensureBuilt("bin/nova.js");
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("nova call", () => {
  let dir: string;
  let unixPeer: Peer;
  let pipePeer: Peer;
  let sock: string;
  let fifo: string;

  beforeAll(async () => {
    dir = makeTempDir();
    sock = endpointIn(dir, "unix", "call");
    fifo = endpointIn(dir, "pipe", "call");
    [unixPeer, pipePeer] = await Promise.all([spawnPeer("test/bench/rpc-peer.js", ["unix", sock]), spawnPeer("test/bench/rpc-peer.js", ["pipe", fifo])]);
  });
  afterAll(async () => {
    await unixPeer?.kill();
    await pipePeer?.kill();
    removeDir(dir);
  });

  it("prints the result as JSON, with tagged bigints and bytes", async () => {
    const r = await nova(["call", sock, "nova.bench.Echo.echo", '[{"n": {"$n": "18446744073709551615"}, "b": {"$b": "AAEC"}, "s": "x"}]']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ n: { $n: "18446744073709551615" }, b: { $b: "AAEC" }, s: "x" });
  });

  it("works over the pipe transport", async () => {
    const r = await nova(["call", "--transport", "pipe", fifo, "nova.bench.Echo.echo", '["via pipe"]']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toBe("via pipe");
  });

  it("exits 1 with the IPCError code on stderr when the call fails", async () => {
    const failed = await nova(["call", sock, "nova.bench.Echo.fail", "[1]"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error\[InvalidArgument\]: fail\(1\)/);
    const missing = await nova(["call", sock, "nova.bench.Echo.nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error\[MethodNotFound\]/);
    const timeout = await nova(["call", "--timeout", "100", sock, "nova.bench.Echo.hang"]);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toMatch(/^error\[TimeoutExpired\]/);
    const unreachable = await nova(["call", endpointIn(dir, "unix", "nobody"), "a.B.c"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error\[EndpointUnreachable\]/);
    const badJson = await nova(["call", sock, "nova.bench.Echo.echo", "[oops"]);
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toMatch(/^error\[InvalidArgument\]/);
  });

  it("exits 2 on bad usage", async () => {
    expect((await nova(["call", sock])).code).toBe(2);
    expect((await nova(["call", "--timeout", "soon", sock, "a.B.c"])).code).toBe(2);
  });
});
