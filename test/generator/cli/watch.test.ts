/**
 * `--watch` machinery: a change to a .nidl file under a watched folder re-runs
 * generation (debounced), other files are ignored, and aborting stops it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { watchInputs } from "../../../generator/cli/watch.js";
import { runGenerate } from "../../../generator/cli/generate-command.js";

const quiet = { out: () => undefined, err: () => undefined };

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for the watcher");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("nova-gen generate --watch", () => {
  it("regenerates after a .nidl change and stops when aborted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "b1-watch-"));
    try {
      const src = join(dir, "w.nidl");
      const out = join(dir, "out");
      writeFileSync(src, "package w.one;\n@dbus interface Api { method a(); }\n");
      const opts = { inputs: [src], out, target: "dbus" };
      expect(await runGenerate(opts, quiet)).toBe(0);
      expect(readFileSync(join(out, "dbus/w.one.xml"), "utf8")).toContain('<method name="a"/>');
      let runs = 0;
      const stop = new AbortController();
      const watching = watchInputs([src], async () => {
        runs++;
        await runGenerate(opts, quiet);
      }, quiet, { stop: stop.signal, debounceMs: 50 });
      writeFileSync(join(dir, "notes.txt"), "ignored\n");
      writeFileSync(src, "package w.one;\n@dbus interface Api { method a(); method b(); }\n");
      await waitFor(() => existsSync(join(out, "dbus/w.one.xml")) && readFileSync(join(out, "dbus/w.one.xml"), "utf8").includes('<method name="b"/>'));
      expect(runs).toBeGreaterThanOrEqual(1);
      stop.abort();
      await watching;
      const after = runs;
      writeFileSync(src, "package w.one;\n@dbus interface Api { method c(); }\n");
      await new Promise((r) => setTimeout(r, 300));
      expect(runs).toBe(after);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
