/**
 * Property tests of the front end: random bytes and random token soup fed
 * to the parser (and the whole compiler) only ever produce diagnostics —
 * never a throw — and every diagnostic points inside its file.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseNidl } from "../../../generator/parser/parse.js";
import { compile } from "../../../generator/index.js";
import type { Diagnostic } from "../../../generator/diagnostics.js";

const TOKENS = [
  "package", "import", "interface", "method", "request", "signal", "event", "property", "struct", "enum", "flags",
  "error", "typedef", "const", "throws", "read", "write", "notify", "true", "false",
  "list", "map", "object", "new_id", "u32", "string", "variant", "bytes", "fd", "fixed",
  "a", "b.c", "org.novade.x", "`quoted`", "`90`", "`open",
  "{", "}", "(", ")", "<", ">", "<<", ">>", ",", ";", ":", ".", "=", "?", "@", "|", "&", "+", "-", "*", "~", "->",
  "0", "42", "0x1F", "0x", "1_000", "1.5", "2e3", '"str"', '"esc\\n"', '"bad\\q"', '"open', '"""raw"""',
  "/// doc", "// line", "/* block */", "/** doc */", "/* open",
  "@since(2)", "@dbus", "@wayland", "@version(3)", "@dbus.annotation(\"a.b\", \"c\")", "@deprecated(since = 2)",
];

const soup = fc.array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(" ", "\n", "", "\t", "\n\n")), { maxLength: 80 }).map((parts) =>
  parts.map(([t, sep]) => t + sep).join(""),
);

/** A valid prefix makes the soup reach the resolver and checkers, not just the parser. */
const prefixedSoup = soup.map((s) => `package fuzz.x;\n@dbus @wayland @version(2)\ninterface wl_fuzz {\n${s}\n}\n${s}`);

function assertInBounds(diags: readonly Diagnostic[], text: string, file: string): void {
  for (const d of diags) {
    expect(d.code).toMatch(/^NIDL\d{4}$/);
    if (d.span === undefined) continue;
    expect(d.span.file).toBe(file);
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeLessThanOrEqual(text.length + 1);
    expect(d.span.start).toBeLessThanOrEqual(d.span.end);
  }
}

describe("parser fuzzing", () => {
  it("random bytes (as latin1 and as UTF-8) give diagnostics, never a throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        for (const text of [Buffer.from(bytes).toString("latin1"), Buffer.from(bytes).toString("utf8")]) {
          const r = parseNidl(text, "fuzz.nidl");
          assertInBounds(r.diagnostics, text, "fuzz.nidl");
          if (text.trim() !== "" && !/^\s*package\s/.test(text)) expect(r.diagnostics.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it("random unicode strings give diagnostics, never a throw", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        assertInBounds(parseNidl(text, "u.nidl").diagnostics, text, "u.nidl");
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it("token soup gives diagnostics, never a throw", () => {
    fc.assert(
      fc.property(soup, (text) => {
        const r = parseNidl(text, "soup.nidl");
        assertInBounds(r.diagnostics, text, "soup.nidl");
        expect(r.file.kind).toBe("File");
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it("token soup through the whole compiler (resolve + checks) never throws", () => {
    fc.assert(
      fc.property(prefixedSoup, (text) => {
        const r = compile([{ path: "soup.nidl", text }]);
        assertInBounds(r.diagnostics, text, "soup.nidl");
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
