/**
 * Issue 4 acceptance on the real corpus: every file imports without errors, every imported .nidl passes
 * check, and every round trip (import → generate dbus|wayland) is semantically equal to the original and
 * accepted by wayland-scanner -s, or by gdbus-codegen plus shared/tools/dbus-xml-validate.py.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCompact } from "../../../generator/diagnostics.js";
import { formatNidl } from "../../../generator/format/index.js";
import { generate, type GeneratedFile } from "../../../generator/index.js";
import { readDbusXml, allInterfaces } from "../../../generator/import/dbus-xml.js";
import { readWaylandXml } from "../../../generator/import/wayland-xml.js";
import { importCorpus, type ImportedCorpus } from "../../helpers/corpus-import.js";
import { compareDbusInterfaces, compareWaylandProtocols } from "../../helpers/semantic-xml.js";
import { dbusToolFailures, waylandScannerFailures } from "../../helpers/external-validators.js";

let corpus: ImportedCorpus;
let emitted: GeneratedFile[];
let dir: string;

beforeAll(async () => {
  corpus = importCorpus();
  const gen = await generate(corpus.compiled.model, ["dbus", "wayland"], { runtimeImport: "novade-ipc/runtime" });
  expect(gen.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  emitted = gen.files;
  dir = mkdtempSync(join(tmpdir(), "nova-corpus-"));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const render = (c: ImportedCorpus, ds: Parameters<typeof renderCompact>[0]): string => {
  const texts = new Map<string, string>([...c.waylandXml, ...c.dbusXml].map((s) => [s.path, s.text]));
  for (const [p, t] of c.compiled.sources) texts.set(p, t);
  return renderCompact(ds, (p) => texts.get(p));
};

describe("corpus import", () => {
  it("imports every file with no errors and no warnings (nothing lost)", () => {
    expect(corpus.wayland.length).toBe(corpus.waylandXml.length);
    expect(corpus.dbus.length).toBe(corpus.dbusXml.length);
    expect(render(corpus, corpus.importDiagnostics)).toBe("");
  });

  it("every imported .nidl passes check", () => {
    const errors = corpus.compiled.diagnostics.filter((d) => d.severity === "error");
    expect(render(corpus, errors)).toBe("");
  });

  it("imports and checks the whole corpus in under 10 s", () => {
    const wall = corpus.importMs + corpus.checkMs;
    console.log(
      `speed: ${corpus.waylandXml.length + corpus.dbusXml.length} files: read+import ${corpus.importMs.toFixed(0)} ms, ` +
        `check ${corpus.checkMs.toFixed(0)} ms, wall ${wall.toFixed(0)} ms, cpu ${corpus.cpuMs.toFixed(0)} ms`,
    );
    // The issue's bound is on CPU time, which other engineers' processes on this shared 2-core machine do
    // not inflate; wall time gets a generous bound so that a loaded machine does not fail the suite.
    expect(corpus.cpuMs).toBeLessThan(10_000);
    expect(wall).toBeLessThan(60_000);
  });

  it("fmt is idempotent on every imported file, which is already canonical (so check still passes)", () => {
    for (const f of [...corpus.wayland, ...corpus.dbus]) {
      const once = formatNidl(f.text, f.path);
      // fmt(x) == x for the importer's output, hence fmt(fmt(x)) == fmt(x), and the formatted files are
      // byte for byte the ones the "passes check" test above compiled.
      expect(once.text, `${f.path}: the importer prints canonical NIDL`).toBe(f.text);
    }
  });

  it("round trips are semantically equal (docs included) and accepted by the real tools", async () => {
    const wlOut = emitted.filter((f) => f.path.startsWith("wayland/"));
    const dbusOut = emitted.filter((f) => f.path.startsWith("dbus/"));
    const diffs: string[] = [];

    // Wayland: match by protocol name.
    const byProtocol = new Map(wlOut.map((f) => [readWaylandXml(f.content).protocol?.name, f]));
    const wlFiles: string[] = [];
    for (const src of corpus.waylandXml) {
      const orig = readWaylandXml(src.text).protocol!;
      const out = byProtocol.get(orig.name);
      if (out === undefined) {
        diffs.push(`${src.path}: no generated protocol "${orig.name}"`);
        continue;
      }
      const back = readWaylandXml(out.content);
      expect(back.problems, out.path).toEqual([]);
      diffs.push(...compareWaylandProtocols(orig, back.protocol!, { docs: true }).map((d) => `${src.path}: ${d}`));
      const file = join(dir, `${orig.name}.xml`);
      writeFileSync(file, out.content);
      wlFiles.push(file);
    }

    // D-Bus: one package per file; match by the interfaces it holds.
    const byIface = new Map<string, GeneratedFile>();
    for (const f of dbusOut) for (const i of allInterfaces(readDbusXml(f.content).node!)) byIface.set(i.name, f);
    const dbusFiles: string[] = [];
    for (const src of corpus.dbusXml) {
      const orig = allInterfaces(readDbusXml(src.text).node!);
      const out = byIface.get(orig[0]!.name);
      if (out === undefined) {
        diffs.push(`${src.path}: no generated interface ${orig[0]!.name}`);
        continue;
      }
      const back = readDbusXml(out.content);
      expect(back.problems.filter((p) => p.severity === "error"), out.path).toEqual([]);
      diffs.push(...compareDbusInterfaces(orig, allInterfaces(back.node!), { docs: true }).map((d) => `${src.path}: ${d}`));
      const file = join(dir, out.path.replace("/", "_"));
      writeFileSync(file, out.content);
      dbusFiles.push(file);
    }
    expect(diffs.slice(0, 40)).toEqual([]);

    const t0 = performance.now();
    const [scanner, dbusTools] = await Promise.all([waylandScannerFailures(wlFiles, 2), dbusToolFailures(dbusFiles)]);
    const toolMs = performance.now() - t0;
    expect(scanner.map((f) => `${f.file}: ${f.tool}: ${f.output}`)).toEqual([]);
    expect(dbusTools.map((f) => `${f.file}: ${f.tool}: ${f.output}`)).toEqual([]);

    const ifaces = corpus.compiled.model.packages.reduce((n, p) => n + p.interfaces.length, 0);
    console.log(
      `corpus: ${corpus.waylandXml.length} Wayland + ${corpus.dbusXml.length} D-Bus files imported (${ifaces} interfaces), ` +
        `${corpus.wayland.length + corpus.dbus.length} .nidl checked, ${wlFiles.length} + ${dbusFiles.length} round trips semantically equal, ` +
        `${wlFiles.length * 3} wayland-scanner -s runs + gdbus-codegen/validator on ${dbusFiles.length} files passed; ` +
        `import ${corpus.importMs.toFixed(0)} ms, check ${corpus.checkMs.toFixed(0)} ms, tools ${toolMs.toFixed(0)} ms`,
    );
  }, 120_000);
});
