/**
 * The schema-registry emitter: one entry per type and interface, in the
 * format the runtime registry loads, with content-hash ids that change exactly
 * when a payload's shape changes.
 */
import { describe, expect, it } from "vitest";
import { buildSchemaEntries, emitSchema, schemaEntrySchema } from "../../../generator/emit/schema/index.js";
import { SchemaRegistry } from "../../../runtime/registry/index.js";
import { compileOrThrow, listNidl, readSources } from "../ts/helpers/generate.js";

const BASE = `
@version("1.0.0")
package org.novade.ids;

/// A point.
struct Point { x: i32; y: i32; }
struct Line { from: Point; to: Point; }
enum Kind : u8 { a; b; }

/// Draws things.
interface Canvas {
  /// Draws a line.
  method draw(line: Line, kind: Kind) -> (id: u64);
  signal drawn(id: u64);
  property color: string { read; write; notify; }
}
`;

async function idsOf(text: string): Promise<Map<string, string>> {
  const model = compileOrThrow([{ path: "ids.nidl", text }]);
  const { entries } = buildSchemaEntries(model, {});
  return new Map(entries.map((entry) => [entry.name, entry.id]));
}

describe("schema emitter", () => {
  it("writes one valid, loadable entry per type and interface of idl/ and the fixtures", async () => {
    for (const files of [listNidl("idl"), listNidl("test/generator/ts/fixtures"), ["test/generator/ts/example/example.nidl"]]) {
      const model = compileOrThrow(readSources(files));
      const { files: out, diagnostics } = await emitSchema(model, { runtimeImport: "unused" });
      expect(diagnostics).toEqual([]);
      const declared = model.packages.flatMap((pkg) => [
        ...[pkg, ...pkg.interfaces].flatMap((holder) => [...holder.structs, ...holder.errors, ...holder.enums, ...holder.typedefs]),
        ...pkg.interfaces.filter((iface) => !iface.external),
      ]);
      expect(out.map((file) => file.path).sort()).toEqual(declared.map((decl) => `schema/${decl.qualifiedName}.json`).sort());
      const documents = out.map((file) => {
        expect(file.content.startsWith('{\n  "@generated": "by nova-gen from ')).toBe(true);
        expect(file.content.endsWith("}\n")).toBe(true);
        const parsed: unknown = JSON.parse(file.content);
        expect(schemaEntrySchema.safeParse(parsed).success).toBe(true);
        return parsed;
      });
      // Loading verifies every id against its content and every reference.
      expect(SchemaRegistry.fromEntries(documents).entries().length).toBe(out.length);
    }
  });

  it("keeps ids when only docs or the package version change", async () => {
    const before = await idsOf(BASE);
    const after = await idsOf(BASE.replace("/// A point.", "/// A point in space.").replace('"1.0.0"', '"1.1.0"'));
    expect(after).toEqual(before);
  });

  it("changes the id of a changed type and of everything that reaches it, and nothing else", async () => {
    const before = await idsOf(BASE);
    const after = await idsOf(BASE.replace("struct Point { x: i32; y: i32; }", "struct Point { x: i64; y: i32; }"));
    const changed = [...before.keys()].filter((name) => before.get(name) !== after.get(name)).sort();
    expect(changed).toEqual(["org.novade.ids.Canvas", "org.novade.ids.Line", "org.novade.ids.Point"]);
    const enumChanged = await idsOf(BASE.replace("enum Kind : u8 { a; b; }", "enum Kind : u8 { a; b; c; }"));
    expect([...before.keys()].filter((name) => before.get(name) !== enumChanged.get(name)).sort()).toEqual([
      "org.novade.ids.Canvas",
      "org.novade.ids.Kind",
    ]);
  });

  it("handles recursive types and is deterministic", async () => {
    const text = `package org.novade.rec;\nstruct Node { name: string; children: list<Node>; next: Node?; }\n`;
    const first = await emitSchema(compileOrThrow([{ path: "rec.nidl", text }]), { runtimeImport: "x" });
    const second = await emitSchema(compileOrThrow([{ path: "rec.nidl", text }]), { runtimeImport: "x" });
    expect(second.files).toEqual(first.files);
    const documents = first.files.map((file) => JSON.parse(file.content) as unknown);
    const registry = SchemaRegistry.fromEntries(documents);
    expect(registry.check("org.novade.rec.Node", { name: "a", children: [{ name: "b", children: [], next: null }], next: null })).toBeNull();
    expect(registry.check("org.novade.rec.Node", { name: "a", children: [{ name: 1, children: [] }] })?.path).toEqual(["children", 0, "name"]);
  });
});
