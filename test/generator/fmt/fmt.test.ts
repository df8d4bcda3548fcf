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
      return { path, text: once.text! };
    });
    const after = compile(formatted);
    expect(renderCompact(after.diagnostics.filter((d) => d.severity === "error"), (p) => after.sources.get(p))).toBe("");
  });
});
