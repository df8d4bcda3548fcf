/**
 * The kitchen-sink fixture really covers every construct: every AST node
 * kind, every known annotation, every type form and primitive, every member
 * spelling, property access and EmitsChangedSignal value appear in it.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { KNOWN_ANNOTATIONS } from "../../../generator/resolve/annotations.js";
import { PRIMITIVES } from "../../../generator/resolve/resolve-type.js";
import { compileFixture } from "../support/golden-io.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "kitchen-sink");
const compiled = compileFixture(dir, "input.nidl");

function walk(value: unknown, visit: (o: Record<string, unknown>) => void, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) {
    for (const v of value.values()) walk(v, visit, seen);
    return;
  }
  if (!Array.isArray(value)) visit(value as Record<string, unknown>);
  for (const v of Object.values(value)) walk(v, visit, seen);
}

describe("kitchen-sink coverage", () => {
  it("uses every AST node kind", () => {
    const kinds = new Set<string>();
    walk(compiled.files, (o) => {
      if (typeof o.kind === "string" && o.span !== undefined) kinds.add(o.kind);
    });
    const all = [
      "File", "Package", "Import", "Interface", "Struct", "Enum", "Error", "Typedef", "Const", "Method", "Signal",
      "Property", "PropertyAccessor", "Field", "EnumEntry", "Param", "NamedType", "TupleType", "OptionalType",
      "IntegerLiteral", "FloatLiteral", "StringLiteral", "BoolLiteral", "NameExpr", "UnaryExpr", "BinaryExpr", "ParenExpr",
      "Annotation", "AnnotationArg", "Ident", "QualifiedName", "Comment", "DocComment",
    ];
    expect(all.filter((k) => !kinds.has(k))).toEqual([]);
  });

  it("uses every known annotation", () => {
    const used = new Set<string>();
    walk(compiled.files, (o) => {
      if (o.kind === "Annotation") used.add((o.name as { text: string }).text);
    });
    expect(KNOWN_ANNOTATIONS.filter((a) => !used.has(a))).toEqual([]);
  });

  it("uses every type form and every primitive", () => {
    const forms = new Set<string>();
    const prims = new Set<string>();
    walk(compiled.model.packages, (o) => {
      if (o.kind === "primitive" && typeof o.name === "string") prims.add(o.name);
      if (["list", "map", "optional", "tuple", "struct", "enum", "object", "new_id", "primitive"].includes(String(o.kind)) && ("name" in o || "element" in o || "key" in o || "inner" in o || "elements" in o || "ref" in o || "interface" in o)) {
        forms.add(String(o.kind));
      }
    });
    expect([...PRIMITIVES].filter((p) => !prims.has(p))).toEqual([]);
    expect(["list", "map", "optional", "tuple", "struct", "enum", "object", "new_id"].filter((k) => !forms.has(k))).toEqual([]);
  });

  it("uses every member spelling, property access and EmitsChangedSignal form", () => {
    const seen = new Set<string>();
    for (const p of compiled.model.packages) {
      for (const i of p.interfaces) {
        for (const m of i.members) {
          if (m.kind === "property") {
            seen.add(`access:${m.access}`);
            seen.add(`emits:${m.emitsChanged ?? "none"}`);
          } else seen.add(`keyword:${m.keyword}`);
          if (m.kind !== "property" && m.destructor) seen.add(`destructor:${m.kind}`);
        }
        if (i.external) seen.add("external");
        for (const e of i.enums) seen.add(e.bitfield ? "flags" : "enum");
      }
      if (p.copyright !== undefined) seen.add("copyright");
    }
    const wanted = [
      "access:read", "access:write", "access:readwrite", "emits:true", "emits:invalidates", "emits:none",
      "keyword:method", "keyword:request", "keyword:signal", "keyword:event", "destructor:method", "destructor:signal",
      "external", "flags", "enum", "copyright",
    ];
    expect(wanted.filter((w) => !seen.has(w))).toEqual([]);
  });
});
