/**
 * Wayland enum values written as C integer constant expressions (`1 << 0`, `(1 << 2) | 0x1`): read, evaluated
 * for the checks (range, duplicates, bitfield masks), kept as written through XML → NIDL → XML, accepted by
 * wayland-scanner and gcc; anything else is a NIDL4006 diagnostic, never a crash. gcc is the oracle for what
 * the expressions are worth.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, generate } from "../../../generator/index.js";
import { importWayland } from "../../../generator/import/wayland.js";
import { readWaylandXml } from "../../../generator/import/wayland-xml.js";
import { parseWaylandValue, waylandValueText } from "../../../generator/targets/wayland-enum-value.js";
import { checkWaylandXml, failures } from "../support/real-tools.js";
import { freshTempDir } from "../ts/helpers/generate.js";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A protocol with one enum per list of values. */
function protocol(enums: Record<string, { bitfield?: boolean; values: readonly string[] }>): string {
  const body = Object.entries(enums)
    .map(([name, e]) => `<enum name="${name}"${e.bitfield ? ' bitfield="true"' : ""}>${e.values.map((v, i) => `<entry name="e${i}" value="${esc(v)}"/>`).join("")}</enum>`)
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<protocol name="exprs">\n<interface name="exprs_thing" version="1">\n<request name="go"/>\n${body}\n</interface>\n</protocol>\n`;
}

/** The `value` attributes of every enum entry of a Wayland XML text, in order. */
function entryValues(xml: string): string[] {
  return readWaylandXml(xml).protocol!.interfaces.flatMap((i) => i.members.flatMap((m) => (m.kind === "enum" ? m.entries.map((x) => x.value) : [])));
}

const REAL_FORMS = ["0", "1 << 0", "1 << 31", "0x10", "0X1f", "(1 << 2) | 0x1", "0x10 | 1 << 4", "((1 << 3))", "2 | 4 | 8", "4294967295", "0xffffffff"];

describe("Wayland enum values as C constant expressions", () => {
  it("imports, checks and emits them as written; wayland-scanner and gcc accept the output", async () => {
    const xml = protocol({ caps: { bitfield: true, values: REAL_FORMS.slice(1) }, plain: { values: ["0", "1 << 1", "(3)", "0x4 | 1"] } });
    const r = importWayland([{ path: "exprs.xml", text: xml }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.files[0]!.text).toContain("e1 = 1 << 31;");
    expect(r.files[0]!.text).toContain("e4 = (1 << 2) | 0x1;");
    const c = compile([{ path: r.files[0]!.path, text: r.files[0]!.text }]);
    expect(c.diagnostics).toEqual([]);
    const caps = c.model.declarations.get("exprs.exprs_thing.caps");
    expect(caps?.kind === "enum" ? caps.entries.map((x) => x.value) : []).toEqual([1n, 2n ** 31n, 16n, 31n, 5n, 16n, 8n, 14n, 2n ** 32n - 1n, 2n ** 32n - 1n]);
    const out = await generate(c.model, ["wayland", "ts"], { runtimeImport: "x" });
    const emitted = out.files.find((f) => f.path.endsWith(".xml"))!;
    expect(entryValues(emitted.content)).toEqual(entryValues(xml));
    // The bitfield's TypeScript constants are the evaluated values (the flags are open, so no mask).
    const ts = out.files.find((f) => f.path.endsWith(".ts"))!.content;
    for (const entry of ["e1: 2147483648,", "e3: 31,", "e4: 5,", "e7: 14,", "e8: 4294967295,"]) expect(ts).toContain(entry);
    const dir = freshTempDir("wayland-enum-values");
    writeFileSync(join(dir, "exprs.xml"), emitted.content);
    expect(failures(await checkWaylandXml([join(dir, "exprs.xml")]))).toEqual([]);
  }, 60_000);

  it("normalises only the spacing: one space around << and |, none inside parentheses", async () => {
    const r = importWayland([{ path: "s.xml", text: protocol({ e: { bitfield: true, values: [" 1<<0", "( 1 <<  2 )|1 "] } }) }]);
    expect(r.diagnostics).toEqual([]);
    const out = await generate(compile([{ path: "s.nidl", text: r.files[0]!.text }]).model, ["wayland"], { runtimeImport: "x" });
    expect(entryValues(out.files[0]!.content)).toEqual(["1 << 0", "(1 << 2) | 1"]);
  });

  it("checks the evaluated values: u32 range, duplicates in an enum, none in flags", () => {
    const diagnostics = (enums: Parameters<typeof protocol>[0]) => {
      const r = importWayland([{ path: "c.xml", text: protocol(enums) }]);
      expect(r.diagnostics).toEqual([]);
      return compile([{ path: "c.nidl", text: r.files[0]!.text }]).diagnostics.map((d) => `${d.code} ${d.message}`);
    };
    expect(diagnostics({ e: { values: ["0xffffffff | 1 << 31", "0x100000000 | 1"] } })).toEqual(['NIDL2014 value 4294967297 of "e1" does not fit u32']);
    expect(diagnostics({ e: { values: ["1 << 2", "4", "(1 << 1) | 2"] } })).toEqual(['NIDL2021 "e1" has the same value (4) as "e0"']);
    expect(diagnostics({ f: { bitfield: true, values: ["1 << 0", "1", "1 << 0 | 1 << 1"] } })).toEqual([]);
  });

  it("reports values it cannot read with NIDL4006 and writes no file", () => {
    const bad = ["1 <<", "abc", "1 + 2", "~0", "((1)", "1 << 32", "010", "1u", "0x", "", "1 | | 2", "- -1", "1 << -1", "(".repeat(40) + "1" + ")".repeat(40), "0x1g", "1e3", "WL_FOO"];
    for (const value of bad) {
      const r = importWayland([{ path: "b.xml", text: protocol({ e: { values: ["0", value] } }) }]);
      expect(r.files, value).toEqual([]);
      expect(r.diagnostics.map((d) => [d.code, d.severity]), value).toEqual([["NIDL4006", "error"]]);
      expect(r.diagnostics[0]!.message, value).toContain(`enum entry e1 has value "${value}"`);
    }
  });

  it("writes back a NIDL entry's expression only when C reads it the same way", async () => {
    const text = "package p;\n@wayland @version(1) interface p_i {\n    request go();\n    flags f { a = 1 << 3; b = a | 4; c = 0o17; d = 010; e = 1_0; g = (0x2); h = ~0 & 0xff; }\n}\n";
    const c = compile([{ path: "p.nidl", text }]);
    expect(c.diagnostics).toEqual([]);
    const out = await generate(c.model, ["wayland"], { runtimeImport: "x" });
    // Names of other entries, octal/binary/underscored literals and other operators become the number.
    expect(entryValues(out.files[0]!.content)).toEqual(["1 << 3", "12", "15", "10", "10", "(0x2)", "255"]);
  });

  it("reads a value written as a string (Wayland's notation, kept verbatim) with the same reader", async () => {
    const ok = compile([{ path: "s.nidl", text: 'package p;\n@wayland @version(1) interface p_i {\n    request go();\n    flags f { a = "(1<<2) | 1"; b = "0x10"; }\n}\n' }]);
    expect(ok.diagnostics).toEqual([]);
    const f = ok.model.declarations.get("p.p_i.f");
    expect(f?.kind === "enum" ? f.entries.map((x) => x.value) : []).toEqual([5n, 16n]);
    const out = await generate(ok.model, ["wayland"], { runtimeImport: "x" });
    expect(entryValues(out.files[0]!.content)).toEqual(["(1<<2) | 1", "0x10"]);
    const bad = compile([{ path: "b.nidl", text: 'package p;\n@wayland @version(1) interface p_i {\n    request go();\n    flags f { a = "1 + 2"; }\n}\n' }]);
    expect(bad.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([expect.stringMatching(/^NIDL2020 cannot read an integer from "1 \+ 2": unexpected "\+"/)]);
  });
});

/** Random values in the C subset, with their text in canonical spacing and their value. */
type Gen = { text: string; value: bigint };
const literal: fc.Arbitrary<Gen> = fc.tuple(fc.nat({ max: 0xffff }), fc.boolean()).map(([n, hex]) => ({ text: hex ? `0x${n.toString(16)}` : String(n), value: BigInt(n) }));
const value: fc.Arbitrary<Gen> = fc.letrec<{ v: Gen; atom: Gen }>((tie) => ({
  // A shifted literal stays below 2^31, so C's int arithmetic has no overflow to disagree about.
  atom: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    literal,
    fc.tuple(literal, fc.integer({ min: 0, max: 15 })).map(([l, s]) => ({ text: `${l.text} << ${s}`, value: l.value << BigInt(s) })),
    tie("v").map((v) => ({ text: `(${v.text})`, value: v.value })),
  ),
  v: fc.array(tie("atom"), { minLength: 1, maxLength: 3 }).map((atoms) => ({ text: atoms.map((a) => a.text).join(" | "), value: atoms.reduce((acc, a) => acc | a.value, 0n) })),
})).v;

describe("Wayland value reader (properties)", () => {
  const cases = fc.sample(value, { seed: 4242, numRuns: 300 });

  it("reads every generated value back to its text and value, and gcc agrees on the value", async () => {
    for (const c of cases) {
      const r = parseWaylandValue(c.text);
      expect(r.ok, c.text).toBe(true);
      if (!r.ok) continue;
      expect(r.value, c.text).toBe(c.value);
      expect(waylandValueText(r.expr)).toBe(c.text);
    }
    const dir = freshTempDir("wayland-value-gcc");
    const src = join(dir, "values.c");
    writeFileSync(src, cases.map((c, i) => `_Static_assert((unsigned long long)(${c.text}) == ${c.value}ull, "case ${i}");`).join("\n") + "\n");
    const gcc = await new Promise<string>((done) => execFile("gcc", ["-std=c11", "-fsyntax-only", src], (err, stdout, stderr) => done(err === null ? "" : `${stdout}${stderr}`)));
    expect(gcc).toBe("");
  }, 60_000);

  it("never throws on random text and rejects what is not in the subset", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30, unit: fc.constantFrom(..."0123456789xXabfgu()|<>-+~ \t".split("")) }), (text) => {
        const r = parseWaylandValue(text);
        if (r.ok) expect(parseWaylandValue(waylandValueText(r.expr))).toEqual(r);
        else expect(r.reason.length).toBeGreaterThan(0);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
