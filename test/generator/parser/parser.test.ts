/**
 * Front-end details the goldens do not show directly: spans, doc attachment,
 * kept comments, soft keywords, quoted identifiers, literals as written.
 */
import { describe, expect, it } from "vitest";
import { parseNidl } from "../../../generator/parser/parse.js";
import type { Ident, InterfaceDecl, MethodDecl, EnumDecl, ConstDecl, StructDecl } from "../../../generator/ast.js";

const text = `// leading comment
/// Package doc.
package a.b; // trailing comment

/* block */
/// Iface doc
///
/// more
@dbus @version(2)
interface interface {
    /// m doc
    @oneway method event(error: u32, \`disable-printing\`: string?) -> u32;
    enum e : u32 { \`90\` = 0x5A; b = 1 << 4; }
}

struct S { /// field doc
  f: map<string, list<u32>>; }
const RAW: string = """
    indented
      more
    """;
`;

describe("parser", () => {
  const { file, diagnostics } = parseNidl(text, "t.nidl");

  it("parses without diagnostics", () => {
    expect(diagnostics).toEqual([]);
  });

  it("keeps every plain comment with its span", () => {
    expect(file.comments.map((c) => c.text)).toEqual(["// leading comment", "// trailing comment", "/* block */"]);
    for (const c of file.comments) expect(text.slice(c.span.start, c.span.end)).toBe(c.text);
  });

  it("attaches docs to the following declaration, across annotations", () => {
    expect(file.package?.doc?.lines).toEqual(["Package doc."]);
    const itf = file.declarations[0] as InterfaceDecl;
    expect(itf.doc?.lines).toEqual(["Iface doc", "", "more"]);
    expect((itf.members[0] as MethodDecl).doc?.lines).toEqual(["m doc"]);
    expect((file.declarations[1] as StructDecl).fields[0].doc?.lines).toEqual(["field doc"]);
    expect(file.danglingDocs).toEqual([]);
  });

  it("accepts keywords and quoted identifiers as names", () => {
    const itf = file.declarations[0] as InterfaceDecl;
    expect(itf.name.name).toBe("interface");
    const m = itf.members[0] as MethodDecl;
    expect(m.name.name).toBe("event");
    expect(m.params.map((p) => [p.name?.name, p.name?.quoted])).toEqual([["error", false], ["disable-printing", true]]);
    expect(m.bareResult).toBe(true);
    expect((itf.members[1] as EnumDecl).entries.map((e) => e.name.name)).toEqual(["90", "b"]);
  });

  it("keeps literals as written and decodes them", () => {
    const e = (file.declarations[0] as InterfaceDecl).members[1] as EnumDecl;
    const v = e.entries[0].value;
    expect(v?.kind === "IntegerLiteral" && [v.raw, v.value]).toEqual(["0x5A", 90n]);
    expect(e.entries[1].value?.kind).toBe("BinaryExpr");
    const raw = (file.declarations[2] as ConstDecl).value;
    expect(raw.kind === "StringLiteral" && raw.value).toBe("indented\n  more");
  });

  it("gives every identifier a span that covers its text", () => {
    const idents: Ident[] = [];
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== "object") return;
      if ((v as { kind?: string }).kind === "Ident") idents.push(v as Ident);
      for (const x of Object.values(v)) walk(x);
    };
    walk(file);
    expect(idents.length).toBeGreaterThan(20);
    for (const i of idents) expect(text.slice(i.span.start, i.span.end)).toBe(i.quoted ? `\`${i.name}\`` : i.name);
  });

  it("closes nested generics without a space (>> is two tokens)", () => {
    const s = file.declarations[1] as StructDecl;
    const t = s.fields[0].type;
    expect(t.kind === "NamedType" && t.args[1].kind === "NamedType" && t.args[1].name.text).toBe("list");
  });
});
