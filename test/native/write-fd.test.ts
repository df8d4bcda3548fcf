/**
 * The addon's writeFd on the two kinds of descriptor it is given: sockets
 * (send with MSG_NOSIGNAL, so a vanished peer never raises SIGPIPE) and FIFOs
 * (write(2), as send() says ENOTSOCK; Node's default SIGPIPE disposition,
 * ignore, makes a vanished reader -EPIPE).
 */
import { spawn } from "node:child_process";
import { closeSync, constants as fsConstants, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkfifo, nativeWrites } from "../../native/index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const writes = nativeWrites();

/** Runs an ES-module script in a fresh Node process and parses its stdout as JSON. */
async function runScript(script: string): Promise<unknown> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once("exit", done));
  if (code !== 0) throw new Error(`script exited with ${code}: ${out}`);
  return JSON.parse(out) as unknown;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nova-writefd-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("native writeFd", () => {
  it("is available (npm install builds the addon)", () => {
    expect(writes).toBeDefined();
  });

  it("returns -EPIPE for a socket whose peer is gone, without raising SIGPIPE", async () => {
    // In a child: its process.on("SIGPIPE") handler (which makes the signal
    // deliverable instead of ignored) must never run. With write(2) it would.
    const script = `
      const { nativeWrites } = await import(${JSON.stringify(join(ROOT, "dist", "native", "index.js"))});
      const net = await import("node:net");
      let signals = 0;
      process.on("SIGPIPE", () => { signals++; });
      const server = net.createServer();
      await new Promise((r) => server.listen(${JSON.stringify(join(dir, "s.sock"))}, r));
      const accepted = new Promise((r) => server.once("connection", r));
      const client = net.connect({ path: ${JSON.stringify(join(dir, "s.sock"))}, allowHalfOpen: true });
      await new Promise((r) => client.once("connect", r));
      (await accepted).destroy();
      await new Promise((r) => setTimeout(r, 50));
      const fd = client._handle.fd;
      const results = [0, 1, 2].map(() => nativeWrites().writeFd(fd, new Uint8Array(16), 0, 16));
      await new Promise((r) => setTimeout(r, 100));
      process.stdout.write(JSON.stringify({ results, signals }));
      process.exit(0);`;
    expect(await runScript(script)).toEqual({ results: [-constants.errno.EPIPE, -constants.errno.EPIPE, -constants.errno.EPIPE], signals: 0 });
  });

  it("writes to a FIFO through write(2), and a FIFO without reader is -EPIPE", () => {
    const path = join(dir, "f");
    mkfifo(path, 0o600);
    let reader: number | undefined = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const writer = openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    try {
      const data = Uint8Array.from({ length: 64 }, (_, i) => i);
      expect(writes!.writeFd(writer, data, 8, 40)).toBe(32);
      const got = Buffer.alloc(64);
      expect(readSync(reader, got)).toBe(32);
      expect([...got.subarray(0, 32)]).toEqual([...data.subarray(8, 40)]);
      closeSync(reader);
      reader = undefined;
      // This test process keeps Node's default SIGPIPE disposition (ignore), so it survives.
      expect(writes!.writeFd(writer, data, 0, 8)).toBe(-constants.errno.EPIPE);
    } finally {
      closeSync(writer);
      if (reader !== undefined) closeSync(reader);
    }
  });

  it("writes to a descriptor that is neither socket nor FIFO through write(2)", () => {
    const devNull = openSync("/dev/null", "w");
    try {
      expect(writes!.writeFd(devNull, new Uint8Array(10), 0, 10)).toBe(10);
    } finally {
      closeSync(devNull);
    }
  });
});
