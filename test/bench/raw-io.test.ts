/**
 * The raw baseline's socket I/O (raw-io.ts) and its peer: records survive any
 * cut of the byte stream, reads come through `onread` and writes through the
 * addon's writeFd (the path of our transport), and the peer refuses to run
 * without that path rather than measure a slower one.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nativeWrites } from "../../native/index.js";
import { connectRecords, listenRecords, recordReader, writeRecords } from "./raw-io.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PEER = join(ROOT, "dist", "test", "bench", "rpc-raw-peer.js");

/** A length-prefixed record with `body`. */
function record(body: Uint8Array): Uint8Array {
  const r = new Uint8Array(4 + body.length);
  new DataView(r.buffer).setUint32(0, body.length, true);
  r.set(body, 4);
  return r;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nova-raw-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("raw baseline I/O", () => {
  it("hands over every record, in order and intact, however the stream is cut into reads", () => {
    const bodies = fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(bodies, fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), (bs, cuts) => {
        const stream = Buffer.concat(bs.map(record));
        const got: Uint8Array[] = [];
        const onread = recordReader((bytes, start, end, count) => {
          let n = 0;
          for (let p = start; p < end; n++) {
            const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(p, true);
            got.push(bytes.slice(p + 4, p + 4 + len));
            p += 4 + len;
          }
          expect(n).toBe(count);
        });
        const buffer = onread.buffer as Uint8Array;
        // As Node does: each read lands at the start of the one reused buffer.
        for (let off = 0, i = 0; off < stream.length; i++) {
          const n = Math.min(cuts[i % cuts.length], stream.length - off, buffer.length);
          buffer.set(stream.subarray(off, off + n));
          off += n;
          onread.callback(n, buffer);
          buffer.fill(0xee); // a record kept across reads must have been copied
        }
        expect(got.map((g) => Buffer.from(g).toString("hex"))).toEqual(bs.map((b) => Buffer.from(b).toString("hex")));
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips records with writes through the addon's writeFd", async () => {
    const writes = nativeWrites()!;
    const original = writes.writeFd;
    let calls = 0;
    writes.writeFd = (...args) => {
      calls++;
      return original(...args);
    };
    const path = join(dir, "echo.sock");
    const server = await new Promise<ReturnType<typeof listenRecords>>((ready) => {
      const s = listenRecords(path, (socket) => (bytes, start, end) => void writeRecords(socket, bytes, start, end), () => ready(s));
    });
    try {
      let answer: Buffer | undefined;
      let done!: () => void;
      const arrived = new Promise<void>((r) => (done = r));
      const client = await connectRecords(path, (bytes, start, end) => {
        answer = Buffer.from(bytes.subarray(start, end));
        done();
      });
      const sent = record(Buffer.from("0123456789abcdef".repeat(4)));
      expect(writeRecords(client, sent, 0, sent.length)).toBe(true);
      await arrived;
      expect(answer?.equals(sent)).toBe(true);
      // One write each way, both direct: nothing went through the Writable stream.
      expect(calls).toBe(2);
      expect(client.bytesWritten).toBe(0);
      client.destroy();
    } finally {
      writes.writeFd = original;
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("the baseline peer refuses to run without the addon's direct write instead of measuring a slower path", async () => {
    expect(existsSync(PEER), "dist/ is built by `npm run build`").toBe(true);
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; out: string; err: string }>((done) => {
        const child = spawn(process.execPath, [PEER, "echo", join(dir, `p${Object.keys(env).length}.sock`)], { env: { ...process.env, ...env } });
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          if (out.includes("ready")) child.kill("SIGKILL");
        });
        child.stderr.on("data", (c: Buffer) => (err += c.toString()));
        child.once("exit", (code) => done({ code, out, err }));
      });
    const refused = await run({ NOVA_NO_NATIVE_WRITE: "1" });
    expect(refused.code).not.toBe(0);
    expect(refused.out).not.toContain("ready");
    expect(refused.err).toContain("the raw baseline needs the native addon");
    expect((await run({})).out).toMatch(/^ready \d+/);
  });
});
