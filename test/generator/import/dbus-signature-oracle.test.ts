/**
 * D-Bus signatures against an independent oracle: GLib (through python3-gi) and libdbus decide which
 * signatures are one complete D-Bus type; see signature-oracle.py for which functions and why. Random valid
 * signatures (every basic dict key, variants, nested structs/arrays/dicts, up to the 32/32 nesting and
 * 255-byte limits) and near-valid mutations of them are generated with a fixed seed. Every signature the
 * oracle accepts must import (as an argument of a synthesized D-Bus interface), check, and generate
 * TypeScript, D-Bus XML (with the very same signature, accepted by gdbus-codegen and the validator) and
 * schema entries; every one it rejects must give a NIDL4004 diagnostic, never a crash.
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { compile, generate } from "../../../generator/index.js";
import { createAstBuilder } from "../../../generator/import/ast-builder.js";
import { importDbus } from "../../../generator/import/dbus.js";
import { readDbusXml } from "../../../generator/import/dbus-xml.js";
import { signatureToType } from "../../../generator/import/dbus-signature.js";
import { checkDbusXml } from "../support/real-tools.js";
import { freshTempDir, tscStrict, writeFiles, writeRuntimeShim } from "../ts/helpers/generate.js";

const ORACLE = join(dirname(fileURLToPath(import.meta.url)), "signature-oracle.py");
const SEED = 20261104;

const basic = fc.constantFrom(..."ybnqiuxtdsogh".split(""));
/** Complete types of modest size: the bulk of the valid cases. */
const complete: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", maxDepth: 5 },
    basic,
    fc.constant("v"),
    tie("t").map((t) => `a${t}`),
    fc.tuple(basic, tie("t")).map(([k, v]) => `a{${k}${v}}`),
    fc.array(tie("t"), { minLength: 1, maxLength: 4 }).map((ts) => `(${ts.join("")})`),
  ),
})).t;
/** Types near the nesting limits: 32 arrays and 32 structs are allowed, 33 of either are not. */
const deep = fc.tuple(fc.integer({ min: 0, max: 33 }), fc.integer({ min: 0, max: 33 }), complete, fc.boolean()).map(([arrays, structs, inner, interleave]) => {
  if (!interleave) return "a".repeat(arrays) + "(".repeat(structs) + inner + ")".repeat(structs);
  let t = inner;
  for (let i = 0; i < Math.max(arrays, structs); i++) t = `${i < arrays ? "a" : ""}${i < structs ? `(${t})` : t}`;
  return t;
});
/** Structs near the 255-byte limit. */
const long = fc.tuple(fc.integer({ min: 240, max: 262 }), basic).map(([length, k]) => `(a{${k}v}${"y".repeat(length - 8)})`);
const valid = fc.oneof({ arbitrary: complete, weight: 6 }, { arbitrary: deep, weight: 2 }, { arbitrary: long, weight: 1 });

/** One edit of a valid signature: most results are invalid, some stay valid by chance. */
const NOISE = "ybnqiuxtdsoghva{}()mr*?Z".split("");
const mutated = fc.tuple(valid, fc.constantFrom("delete", "insert", "replace", "duplicate", "append"), fc.nat(), fc.constantFrom(...NOISE)).map(([sig, kind, at, c]) => {
  const i = at % (sig.length + 1);
  if (kind === "delete") return sig.slice(0, i) + sig.slice(i + 1);
  if (kind === "insert") return sig.slice(0, i) + c + sig.slice(i);
  if (kind === "replace") return sig.slice(0, i) + c + sig.slice(i + 1);
  if (kind === "duplicate") return sig + sig;
  return sig + c;
});

/** Cases GVariant accepts but D-Bus does not, so that every way the two oracles differ is exercised. */
const FIXED = ["{sv}", "a{sv}{sv}", "()", "a()", "(s())", `${"a".repeat(33)}y`, `${"(".repeat(33)}y${")".repeat(33)}`, `(${"y".repeat(254)})`, "ms", "a{vs}", "a{(s)v}", "", "ss", "a{uv}", "a{uu}", "a{hv}", "a{bd}"];

const cases = [...new Set([...FIXED, ...fc.sample(valid, { seed: SEED, numRuns: 250 }), ...fc.sample(mutated, { seed: SEED + 1, numRuns: 250 })])];

interface Verdict {
  readonly glib: boolean;
  readonly libdbus: boolean;
}

/** Asks the oracle about every case in one python process. */
function askOracle(sigs: readonly string[]): Promise<Verdict[]> {
  return new Promise((done, fail) => {
    const child = execFile("/usr/bin/python3", [ORACLE], { encoding: "utf8", maxBuffer: 16 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err !== null) return fail(new Error(`signature oracle failed (needs python3-gi and libdbus-1-3): ${stderr || String(err)}`));
      const lines = stdout.split("\n").filter((l) => l.length > 0);
      done(lines.map((l) => ({ glib: l[0] === "1", libdbus: l[2] === "1" })));
    });
    child.stdin!.end(sigs.map((s) => `${s}\n`).join(""));
  });
}

/** The deepest nesting of arrays, of structs, and of both together along one path, of a well-formed type. */
function nesting(sig: string): { arrays: number; structs: number; total: number } {
  let pos = 0;
  const max = { arrays: 0, structs: 0, total: 0 };
  const one = (a: number, s: number): void => {
    max.arrays = Math.max(max.arrays, a);
    max.structs = Math.max(max.structs, s);
    max.total = Math.max(max.total, a + s);
    const c = sig[pos++];
    if (c === "a") one(a + 1, s);
    else if (c === "(" || c === "{") {
      while (pos < sig.length && sig[pos] !== ")" && sig[pos] !== "}") one(a, c === "(" ? s + 1 : s);
      pos++;
    }
  };
  one(0, 0);
  return max;
}

/** The ways GVariant is laxer than D-Bus that this signature shows (for one GLib accepts). */
function glibLaxity(sig: string): string[] {
  const why: string[] = [];
  if (sig.length > 255) why.push("longer than 255");
  if (sig.includes("()")) why.push("empty struct");
  if (/(^|[^a])\{/.test(sig)) why.push("dict entry outside an array");
  const n = nesting(sig);
  if (n.arrays > 32 || n.structs > 32) why.push("nested deeper than 32");
  return why;
}

/**
 * The generated TypeScript leans on zod's inferred types, and tsc gives up on those (TS2589, "instantiation is
 * excessively deep") somewhere past 16 nested containers, while D-Bus allows 32 arrays and 32 structs. Real
 * interfaces nest a handful of levels; the deeper signatures are still imported, checked and emitted to D-Bus
 * XML above, and only the TypeScript type check is limited to this depth (see docs/import-compat-fmt.md).
 */
const TS_CHECKED_NESTING = 16;

const xmlFor = (sigs: readonly string[]): string =>
  `<node><interface name="org.example.Sig">${sigs.map((s, i) => `<method name="M${i}"><arg name="a" type="${s}" direction="in"/><arg name="r" type="${s}" direction="out"/></method>`).join("")}</interface></node>`;

let verdicts: Verdict[] = [];
const accepted = (): string[] => cases.filter((_, i) => verdicts[i]!.glib && verdicts[i]!.libdbus);
const rejected = (): string[] => cases.filter((_, i) => !(verdicts[i]!.glib && verdicts[i]!.libdbus));

beforeAll(async () => {
  verdicts = await askOracle(cases);
  expect(verdicts).toHaveLength(cases.length);
}, 60_000);

describe("D-Bus signatures, checked against GLib and libdbus", () => {
  it("has a fair mix of cases, and GLib differs from libdbus only where GVariant is laxer than D-Bus", () => {
    expect(accepted().length).toBeGreaterThan(150);
    expect(rejected().length).toBeGreaterThan(150);
    cases.forEach((sig, i) => {
      const v = verdicts[i]!;
      // libdbus never accepts what GLib refuses, and each disagreement is one of the four documented ones.
      expect(v.libdbus && !v.glib, sig).toBe(false);
      if (v.glib && !v.libdbus) expect(glibLaxity(sig), sig).not.toEqual([]);
    });
    expect(cases.filter((_, i) => verdicts[i]!.glib && !verdicts[i]!.libdbus).length).toBeGreaterThanOrEqual(7);
  });

  it("rejects, with a NIDL4004 diagnostic and no output, every signature the oracle rejects", () => {
    const b = createAstBuilder("t.nidl");
    for (const sig of rejected()) {
      expect(signatureToType(b, sig).ok, sig).toBe(false);
      const r = importDbus([{ path: "bad.xml", text: xmlFor([sig]) }]);
      expect(r.files, sig).toEqual([]);
      expect(r.diagnostics.map((d) => d.code), sig).toContain("NIDL4004");
      expect(r.diagnostics.every((d) => d.code === "NIDL4004" && d.message.includes(`"${sig}"`)), sig).toBe(true);
    }
  });

  it("imports, checks and generates every signature the oracle accepts, and emits it unchanged", async () => {
    const sigs = accepted();
    const imported = importDbus([{ path: "sig.xml", text: xmlFor(sigs) }]);
    expect(imported.diagnostics).toEqual([]);
    const nidl = imported.files[0]!;
    const compiled = compile([{ path: nidl.path, text: nidl.text }]);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const out = await generate(compiled.model, ["ts", "dbus", "schema"], { runtimeImport: "./runtime-shim.js" });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const xml = out.files.find((f) => f.path.endsWith(".xml"))!;
    const methods = readDbusXml(xml.content).node!.interfaces[0]!.members;
    expect(methods.map((m) => (m.kind === "property" ? [] : m.args.map((a) => a.type)))).toEqual(sigs.map((s) => [s, s]));
    expect(out.files.filter((f) => f.path.startsWith("schema/")).length).toBeGreaterThan(0);

    // The generated XML passes the real D-Bus tools.
    const dir = freshTempDir("dbus-signature-oracle");
    writeFiles(dir, out.files);
    const runs = await checkDbusXml([join(dir, xml.path)]);
    for (const r of runs) expect(r.code, `${r.tool}: ${r.output}`).toBe(0);
    expect(sigs.filter((s) => nesting(s).total > 32).length).toBeGreaterThan(5);
  }, 120_000);

  it(`generates TypeScript that type-checks for every accepted signature nesting at most ${TS_CHECKED_NESTING} containers`, async () => {
    const sigs = accepted().filter((s) => nesting(s).total <= TS_CHECKED_NESTING);
    expect(sigs.length).toBeGreaterThan(150);
    const imported = importDbus([{ path: "sig.xml", text: xmlFor(sigs) }]);
    const compiled = compile([{ path: imported.files[0]!.path, text: imported.files[0]!.text }]);
    const out = await generate(compiled.model, ["ts"], { runtimeImport: "./runtime-shim.js" });
    const dir = freshTempDir("dbus-signature-oracle-ts");
    writeRuntimeShim(dir);
    writeFiles(dir, out.files);
    const tsc = await tscStrict(dir, out.files.map((f) => f.path));
    expect(tsc.output).toBe("");
    expect(tsc.ok).toBe(true);
  }, 120_000);

});
