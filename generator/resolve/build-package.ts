/**
 * Assembles the model: one {@link PackageModel} per package name (files of a
 * package merged in path order), declarations in declaration order.
 */
import type * as A from "../ast.js";
import type * as M from "../model.js";
import { error } from "../diagnostics.js";
import { readAnnotations, type AnnotationFacts } from "./annotations.js";
import { toDocs } from "./docs.js";
import { targetInfo, type BuildContext } from "./context.js";
import { packageOf } from "./symbols.js";
import { buildInterface, registerNested, type DeclLists } from "./build-interface.js";

function packageFacts(ctx: BuildContext, files: readonly A.NidlFile[]): { facts: AnnotationFacts; decl: A.PackageDecl | undefined } {
  let chosen: { facts: AnnotationFacts; decl: A.PackageDecl } | undefined;
  for (const f of files) {
    const decl = f.package;
    if (decl === undefined) continue;
    const facts = readAnnotations(decl.annotations, "package", ctx.diagnostics);
    if (chosen === undefined) {
      chosen = { facts, decl };
      continue;
    }
    const a = chosen.facts.version?.value;
    const b = facts.version?.value;
    if (a !== undefined && b !== undefined && a !== b) {
      ctx.diagnostics.push(
        error("NIDL2017", `package "${decl.name.text}" is given version ${String(b)} here but ${String(a)} elsewhere`, facts.version!.span, [
          { message: "the other version", span: chosen.facts.version!.span },
        ]),
      );
    }
    if (chosen.facts.version === undefined && facts.version !== undefined) chosen.facts.version = facts.version;
    if (chosen.decl.doc === undefined && decl.doc !== undefined) chosen = { facts: { ...chosen.facts }, decl };
  }
  return chosen ?? { facts: readAnnotations([], "package", ctx.diagnostics), decl: undefined };
}

function buildPackage(ctx: BuildContext, name: string, files: readonly A.NidlFile[]): M.PackageModel {
  const { facts, decl } = packageFacts(ctx, files);
  const interfaces: M.InterfaceModel[] = [];
  const lists: DeclLists = { enums: [], structs: [], errors: [], typedefs: [], constants: [] };
  for (const file of files) {
    for (const d of file.declarations) {
      const qualified = name === "" ? d.name.name : `${name}.${d.name.name}`;
      const entry = ctx.table.entries.get(qualified);
      if (entry === undefined || entry.decl !== d) continue; // duplicate: reported by the symbol table
      if (d.kind === "Interface") interfaces.push(buildInterface(ctx, d, file, name, facts.external));
      else registerNested(ctx, d, { file, pkg: name, iface: undefined }, lists, entry);
    }
  }
  return {
    name,
    version: facts.version === undefined ? "0.0.0" : String(facts.version.value),
    docs: toDocs(decl?.doc, facts.summary),
    copyright: facts.copyright,
    files: files.map((f) => f.path),
    waylandProtocol: facts.wayland.protocol ?? name.replace(/\./g, "_"),
    dbusNode: facts.dbus.node,
    targets: targetInfo(facts, name, facts.wayland.protocol ?? name.replace(/\./g, "_")),
    interfaces,
    ...lists,
  };
}

/** Builds the whole model from parsed files (sorted by path). */
export function buildModel(ctx: BuildContext, files: readonly A.NidlFile[]): M.Model {
  const byPackage = new Map<string, A.NidlFile[]>();
  for (const f of files) {
    if (f.package === undefined) continue;
    const list = byPackage.get(packageOf(f)) ?? [];
    list.push(f);
    byPackage.set(packageOf(f), list);
  }
  const names = [...byPackage.keys()].sort();
  const packages = names.map((n) => buildPackage(ctx, n, byPackage.get(n)!));
  return { packages, declarations: ctx.declarations, files: files.map((f) => f.path) };
}
