/**
 * The formatter: canonical output, every comment kept, idempotent (fmt(fmt(x)) == fmt(x)) on every .nidl in
 * idl/, and `check` still passes on the formatted files. (The imported corpus files are covered in
 * test/generator/import/corpus-roundtrip.test.ts, which already has them in memory.)
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderCompact } from "../../../generator/diagnostics.js";
import { formatNidl } from "../../../generator/format/index.js";
import { parseNidl } from "../../../generator/parser/parse.js";
import { compile } from "../../../generator/index.js";
import { repoRoot } from "../../helpers/external-validators.js";

const MESSY = `// header comment
/// The package doc.
@version("1.0.0") package org.novade.demo; // trailing on package
import "other.nidl";
/* block
   comment */
/// A struct.
struct Rect { x: i32; y: i32;
  // inside struct
  w: u32; }
enum Color : u32 { red = 0x1; green = 2;  blue = 1 << 2; }
@dbus(name = "org.novade.Demo") @version(3)
interface Demo {
  /// Does it.
  method DoIt(a: u32, b: map<string, variant>) -> (r: (i32, string)); // trailing
  @oneway method Fire(\`disable-printing\`: bool);


  signal Changed(/// the value
    value: u32?, @enum(Color) c: i32);
  property Name: string { write; read; notify; }
  property Plain: u32;
  error Failed;
  // before close
}
// at end
`;

const CANONICAL = `// header comment
/// The package doc.
@version("1.0.0")
package org.novade.demo; // trailing on package

import "other.nidl";

/* block
   comment */
/// A struct.
struct Rect {
    x: i32;
    y: i32;
    // inside struct
    w: u32;
}

enum Color : u32 {
    red = 0x1;
    green = 2;
    blue = 1 << 2;
}

@dbus(name = "org.novade.Demo")
@version(3)
interface Demo {
    /// Does it.
    method DoIt(a: u32, b: map<string, variant>) -> (r: (i32, string)); // trailing
    @oneway
    method Fire(\`disable-printing\`: bool);

    signal Changed(
        /// the value
        value: u32?,
        @enum(Color) c: i32,
    );
    property Name: string { read; write; notify; }
    property Plain: u32;
    error Failed;
    // before close
}

// at end
`;

/** The AST without positions and layout (spans, comment placement, doc style, needless quoting): what the file means. */
function meaning(text: string): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== "object") return typeof v === "bigint" ? v.toString() : v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!["span", "comments", "style", "quoted"].includes(k)) out[k] = strip(x);
    // Property accessors are a set; fmt writes them in the order read, write, notify.
    if (Array.isArray(out.accessors)) out.accessors = (out.accessors as { accessor: string }[]).map((a) => a.accessor).sort();
    return out;
  };
  return strip(parseNidl(text, "x.nidl").file);
}

function nidlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...nidlFiles(p));
    else if (name.endsWith(".nidl")) out.push(p);
  }
  return out;
}

describe("fmt", () => {
  it("prints the canonical form and keeps every comment", () => {
    const r = formatNidl(MESSY, "messy.nidl");
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toBe(CANONICAL);
    for (const c of ["// header comment", "// trailing on package", "/* block", "// inside struct", "// trailing", "// before close", "// at end"]) {
      expect(r.text).toContain(c);
    }
    expect(formatNidl(CANONICAL, "messy.nidl").unchanged).toBe(true);
    expect(meaning(r.text!)).toEqual(meaning(MESSY));
  });

  it("lays out documented or long signatures one item per line, keeping comments inside", () => {
    const src = `package a.b;
interface X {
    method A(x: u32 /* why */, y: u32) -> (/// the result
        r: u32);
    method LongResultsOnly() -> (name: string, vendor: string, version: string, spec_version: string, more: u32);
    method B(a: u32) -> u32 throws E;
}
`;
    const want = `package a.b;

interface X {
    method A(
        x: u32,
        /* why */
        y: u32,
    ) -> (
        /// the result
        r: u32,
    );
    method LongResultsOnly() -> (
        name: string,
        vendor: string,
        version: string,
        spec_version: string,
        more: u32,
    );
    method B(a: u32) -> u32 throws E;
}
`;
    const r = formatNidl(src, "s.nidl");
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toBe(want);
    expect(formatNidl(want, "s.nidl").unchanged).toBe(true);
  });

  it("keeps a comment between annotations and the declaration before the declaration", () => {
    const src = "package a.b;\n\n@wayland // exported\n@version(2)\ninterface X {}\n";
    const want = "package a.b;\n\n@wayland @version(2)\n// exported\ninterface X {}\n";
    expect(formatNidl(src, "c.nidl").text).toBe(want);
    expect(formatNidl(want, "c.nidl").text).toBe(want);
  });

  it("keeps doc comments that document nothing where they were", () => {
    const src = "package a.b;\n\ninterface X {\n    method A();\n    /// orphan doc\n}\n\n/// trailing doc\n";
    const r = formatNidl(src, "d.nidl");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.text).toBe(src);
  });

  it("does not touch a file with syntax errors", () => {
    const r = formatNidl("package a.b;\ninterface X { method ( }\n", "bad.nidl");
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.some((d) => d.severity === "error")).toBe(true);
  });

  it("is idempotent under random re-spacing (property)", () => {
    const base = formatNidl(MESSY, "messy.nidl").text!;
    // Insert spaces after punctuation that is never inside a comment or string of this file.
    const spots = [...base.matchAll(/[,(:;{]/g)].map((m) => m.index!).filter((i) => !/\/\/|\/\*|`/.test(base.slice(base.lastIndexOf("\n", i) + 1, i + 1)));
    fc.assert(fc.property(fc.subarray(spots), (chosen) => {
      let text = base;
      for (const i of [...chosen].sort((a, b) => b - a)) text = text.slice(0, i + 1) + "   " + text.slice(i + 1);
      const once = formatNidl(text, "messy.nidl").text!;
      expect(once).toBe(base);
    }), { numRuns: 50 });
  });
});

describe("fmt on idl/", () => {
  it("is idempotent on every .nidl in idl/ and check still passes", () => {
    const files = nidlFiles(join(repoRoot(), "idl"));
    expect(files.length, "idl/ should hold the standard interfaces").toBeGreaterThan(0);
    const formatted = files.map((path) => {
      const once = formatNidl(readFileSync(path, "utf8"), path);
      expect(once.text, `${path}: ${renderCompact(once.diagnostics, () => undefined)}`).toBeDefined();
      expect(formatNidl(once.text!, path).text, path).toBe(once.text);
      expect(meaning(once.text!), `${path}: formatting must not change the AST`).toEqual(meaning(readFileSync(path, "utf8")));
      return { path, text: once.text! };
    });
    const after = compile(formatted);
    expect(renderCompact(after.diagnostics.filter((d) => d.severity === "error"), (p) => after.sources.get(p))).toBe("");
  });
});
