/**
 * A real crash: a child process appends persistent events and prints each
 * acknowledged offset; it is killed with SIGKILL at a random moment, several
 * times in a row on the same log. After each kill the log reopens with every
 * acknowledged event exactly once, in order, and no corruption.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { CorruptionReport } from "../../../runtime/events/log/index.js";
import { collect, openLog, tempDir } from "./helpers.js";

const CHILD = fileURLToPath(new URL("./crash-child.mjs", import.meta.url));
const DIST = fileURLToPath(new URL("../../../dist/runtime/events/log/index.js", import.meta.url));

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

interface Ack {
  offset: number;
  run: number;
  i: number;
}

/** Runs the child until it has acknowledged `killAfter` events (or 3 s passed), then SIGKILLs it. */
function runChild(dir: string, run: number, killAfter: number, policy: string): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(run), policy], { stdio: ["ignore", "pipe", "pipe"] });
    const acks: Ack[] = [];
    let text = "";
    let stderr = "";
    const kill = (): void => {
      child.kill("SIGKILL");
    };
    const timer = setTimeout(kill, 3000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      text += chunk;
      let nl: number;
      while ((nl = text.indexOf("\n")) >= 0) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        const m = /^ack (\d+) (\d+) (\d+)$/.exec(line);
        if (m !== null) acks.push({ offset: Number(m[1]), run: Number(m[2]), i: Number(m[3]) });
        if (acks.length >= killAfter) kill();
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve(acks); // a line cut by the kill is not an acknowledgement
    });
  });
}

describe("event log crash test", () => {
  it.each(["group", "always"])("SIGKILL at random moments (%s): every acknowledged event survives exactly once, in order", async (policy) => {
    expect(existsSync(DIST), "run `npm run build` first").toBe(true);
    const t = await tempDir();
    cleanup = t.cleanup;
    const all: Ack[] = [];
    const runs = policy === "group" ? 6 : 3;
    for (let run = 0; run < runs; run++) {
      const killAfter = 1 + Math.floor(Math.random() * (policy === "group" ? 3000 : 300));
      const acks = await runChild(t.dir, run, killAfter, policy);
      all.push(...acks);
      const reports: CorruptionReport[] = [];
      const log = await openLog(t.dir, { onCorruption: (r) => reports.push(r) });
      const replayed = await collect(log, { onCorruption: (r) => reports.push(r) });
      await log.close();
      expect(reports).toEqual([]);
      const offsets = replayed.map((r) => r.offset);
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, k) => k));
      const byOffset = new Map(replayed.map((r) => [r.offset, r.event]));
      for (const a of all) {
        const e = byOffset.get(a.offset);
        expect(e, `acknowledged offset ${a.offset} missing`).toBeDefined();
        expect(e!.body.data).toMatchObject({ run: a.run, i: a.i });
      }
      // Every acknowledged (run, i) appears exactly once.
      const seen = new Set(replayed.map((r) => `${(r.event.body.data as Ack).run}/${(r.event.body.data as Ack).i}`));
      expect(seen.size).toBe(replayed.length);
    }
    expect(all.length).toBeGreaterThan(0);
  }, 60_000);
});
