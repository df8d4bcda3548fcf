/**
 * A segment is plain NOVA frames: the real `nova wire decode` reads a
 * one-record segment file as is, and every record cut out of a larger one
 * at the lengths its headers give.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ev, openLog, tempDir } from "./helpers.js";

const CLI = fileURLToPath(new URL("../../../dist/bin/nova.js", import.meta.url));

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function decode(bytes: Uint8Array): { type: string; correlationId: string; body: { eventType: string; data: unknown } } {
  const r = spawnSync(process.execPath, [CLI, "wire", "decode"], { input: bytes, timeout: 20_000 });
  expect(r.status, r.stderr.toString()).toBe(0);
  return JSON.parse(r.stdout.toString());
}

describe("segments are readable with nova wire decode", () => {
  it("decodes a one-record segment file and each record of a larger segment", async () => {
    expect(existsSync(CLI), "run `npm run build` first").toBe(true);
    const t = await tempDir();
    cleanup = t.cleanup;
    const log = await openLog(t.dir);
    await log.append(ev(0, "window.opened"));
    await log.close();
    const seg = join(t.dir, "00000000000000000000.seg");
    const one = decode(await readFile(seg));
    expect(one).toMatchObject({ type: "event", correlationId: "0", body: { eventType: "window.opened", data: { i: 0 } } });

    const again = await openLog(t.dir);
    for (let i = 1; i < 4; i++) await again.append(ev(i, `topic.n${i}`));
    await again.close();
    const bytes = await readFile(seg);
    const seen: string[] = [];
    for (let p = 0; p < bytes.length; ) {
      const end = p + 40 + bytes.readUInt32LE(p + 32);
      const j = decode(bytes.subarray(p, end));
      seen.push(`${j.correlationId}:${j.body.eventType}`);
      p = end;
    }
    expect(seen).toEqual(["0:window.opened", "1:topic.n1", "2:topic.n2", "3:topic.n3"]);
  });
});
