/**
 * Mutation fuzzing of real inputs: slices of the kitchen sink and of idl/
 * are deleted, duplicated or replaced, and the whole compiler (parser,
 * resolver, checks) must answer with diagnostics only. Where the mutant still
 * compiles cleanly, the D-Bus and Wayland emitters must run on it too.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/index.js";
import { hasErrors } from "../../../generator/diagnostics.js";
import { emitDbusXml } from "../../../generator/emit/dbus/index.js";
import { emitWaylandXml } from "../../../generator/emit/wayland/index.js";
import { repoRoot } from "../support/real-tools.js";

const root = repoRoot();
const sinkDir = join(root, "test/generator/golden/kitchen-sink");
const seeds = [
  { dir: sinkDir, name: "input.nidl" },
  ...readdirSync(join(root, "idl")).filter((f) => f.endsWith(".nidl")).map((name) => ({ dir: join(root, "idl"), name })),
].map((s) => ({ ...s, text: readFileSync(join(s.dir, s.name), "utf8") }));

const SNIPPETS = ["", ";", "}", "{", "@since(9)", "u64", "map<string, variant>", "`x`", "?", "->", "interface", "\n/// doc\n", "0x"];

const mutant = fc
  .record({
    seed: fc.nat(seeds.length - 1),
    edits: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(40), put: fc.constantFrom(...SNIPPETS), dup: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ seed, edits }) => {
    const s = seeds[seed];
    let text = s.text;
    for (const e of edits) {
      const at = Math.floor(e.at * text.length);
      const cut = text.slice(at, at + e.len);
      text = text.slice(0, at) + (e.dup ? cut + cut : e.put) + text.slice(at + e.len);
    }
    return { ...s, text };
  });

describe("mutation fuzzing of real inputs", () => {
  it("compiles mutants to diagnostics (and emits clean ones) without ever throwing", async () => {
    await fc.assert(
      fc.asyncProperty(mutant, async ({ dir, name, text }) => {
        const host = { readFile: (p: string) => (p === name ? text : (() => { try { return readFileSync(join(dir, p), "utf8"); } catch { return undefined; } })()) };
        const r = compile([{ path: name, text }], { host });
        for (const d of r.diagnostics) expect(d.code).toMatch(/^NIDL\d{4}$/);
        if (!hasErrors(r.diagnostics)) {
          await emitDbusXml(r.model, { runtimeImport: "x" });
          await emitWaylandXml(r.model, { runtimeImport: "x" });
        }
      }),
      { numRuns: 250 },
    );
  }, 120_000);
});
