/**
 * Our server never crashes on what a client sends: a client binds every global, then sends
 * random messages (random target among its objects, random opcode, random argument words, fds
 * missing) — the server answers or disconnects that client with a protocol error, and keeps
 * serving: wayland-info still lists every global afterwards.
 */
import { createConnection, type Socket } from "node:net";
import { rmSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addNovaGlobals } from "../../runtime/wayland/globals/index.js";
import { WaylandServer } from "../../runtime/wayland/server.js";
import { privateRuntimeDir, waylandInfo } from "../helpers/weston.js";

let dir = "";
let server: WaylandServer;

beforeAll(async () => {
  dir = privateRuntimeDir();
  server = await WaylandServer.listen({ display: "wayland-fuzz", env: { XDG_RUNTIME_DIR: dir } });
  addNovaGlobals(server, { apps: [{ appId: "a", name: "A", icon: "", categories: "", flags: 0 }], launch: () => 1 });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One wire message: header (object, size << 16 | opcode) and 32-bit words. */
function message(object: number, opcode: number, words: readonly number[]): Buffer {
  const b = Buffer.alloc(8 + 4 * words.length);
  b.writeUInt32LE(object >>> 0, 0);
  b.writeUInt32LE(((b.length << 16) | opcode) >>> 0, 4);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, 8 + 4 * i));
  return b;
}

/** A wire string argument as words (length with NUL, bytes, padding). */
function stringWords(s: string): number[] {
  const bytes = Buffer.alloc(Math.ceil((s.length + 1) / 4) * 4);
  bytes.write(s, "latin1");
  const words = [s.length + 1];
  for (let i = 0; i < bytes.length; i += 4) words.push(bytes.readUInt32LE(i));
  return words;
}

/** get_registry as 2, then bind globals 1..5 as objects 3..7. */
function bindAll(): Buffer {
  const parts = [message(1, 1, [2])];
  server.globals().forEach((g, i) => parts.push(message(2, 0, [g.name, ...stringWords(g.interface), g.version, 3 + i])));
  return Buffer.concat(parts);
}

/** Sends `bytes`, waits until the server hangs up or 200 ms of quiet pass, and closes. */
function exchange(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s: Socket = createConnection(dirPath(), () => s.write(bytes));
    let timer = setTimeout(() => s.destroy(), 200);
    s.on("data", () => {
      clearTimeout(timer);
      timer = setTimeout(() => s.destroy(), 200);
    });
    s.on("error", () => undefined);
    s.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function dirPath(): string {
  return server.socket!.path;
}

const randomMessage = fc.record({
  object: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(0xff000000)),
  opcode: fc.integer({ min: 0, max: 12 }),
  words: fc.array(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 0xffffffff })), { maxLength: 8 }),
});

describe("a fuzzing client", () => {
  it("never brings our server down; the server keeps serving wayland-info", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(randomMessage, { minLength: 1, maxLength: 12 }), async (msgs) => {
        await exchange(Buffer.concat([bindAll(), ...msgs.map((m) => message(m.object, m.opcode, m.words))]));
      }),
      { numRuns: 100 },
    );
    const info = await waylandInfo(dirPath());
    expect(info.code, info.output).toBe(0);
    expect(info.globals.map((g) => g.interface)).toEqual(["wl_compositor", "wl_shm", "wl_output", "wl_seat", "nova_shell_v1"]);
  }, 120_000);
});
