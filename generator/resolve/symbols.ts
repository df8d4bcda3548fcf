/**
 * The symbol table: every named declaration of the program by qualified name,
 * and name lookup from a place (file + optional enclosing interface) following
 * NIDL's scoping: enclosing interface, own package, imported packages, then
 * fully qualified names of visible packages.
 */
import type * as A from "../ast.js";
import type { DeclRef } from "../model.js";
import { error, type Diagnostic } from "../diagnostics.js";

/** A declaration the table knows. */
export interface SymbolEntry {
  readonly ref: DeclRef;
  readonly decl: A.InterfaceDecl | A.NestedDecl;
  readonly file: A.NidlFile;
}

/** A place names are looked up from. */
export interface Scope {
  readonly file: A.NidlFile;
  readonly pkg: string;
  /** The enclosing interface's name, if any. */
  readonly iface: string | undefined;
}

/** Outcome of a lookup. */
export type LookupResult =
  | { ok: true; entry: SymbolEntry }
  | { ok: false; reason: "unknown" | "ambiguous"; candidates: SymbolEntry[] };

/** The program's symbols and how files see each other. */
export interface SymbolTable {
  readonly entries: ReadonlyMap<string, SymbolEntry>;
  lookup(name: string, scope: Scope): LookupResult;
  /** Packages visible from a file (its own, then imported ones, sorted). */
  visiblePackages(file: A.NidlFile): readonly string[];
}

const KIND: Record<A.NestedDecl["kind"] | "Interface", DeclRef["kind"]> = {
  Interface: "interface",
  Struct: "struct",
  Enum: "enum",
  Error: "error",
  Typedef: "typedef",
  Const: "const",
};

/** Package name of a file ("" for a file without a package; it was already reported). */
export function packageOf(file: A.NidlFile): string {
  return file.package?.name.text ?? "";
}

/** Builds the table; reports duplicate declarations (NIDL2002). `imports` maps a file path to the paths it imports. */
export function buildSymbolTable(
  files: readonly A.NidlFile[],
  imports: ReadonlyMap<string, readonly string[]>,
  diagnostics: Diagnostic[],
): SymbolTable {
  const entries = new Map<string, SymbolEntry>();
  const add = (file: A.NidlFile, decl: A.InterfaceDecl | A.NestedDecl, iface: string | undefined): void => {
    const pkg = packageOf(file);
    const local = iface === undefined ? decl.name.name : `${iface}.${decl.name.name}`;
    const qualifiedName = pkg === "" ? local : `${pkg}.${local}`;
    const prev = entries.get(qualifiedName);
    if (prev !== undefined) {
      const where = iface === undefined ? `package "${pkg}"` : `interface "${iface}"`;
      diagnostics.push(
        error("NIDL2002", `duplicate declaration "${decl.name.name}" in ${where}`, decl.name.span, [
          { message: `"${decl.name.name}" was first declared here`, span: prev.decl.name.span },
        ]),
      );
      return;
    }
    entries.set(qualifiedName, {
      ref: { kind: KIND[decl.kind], qualifiedName, package: pkg, interface: iface, name: decl.name.name },
      decl,
      file,
    });
  };
  for (const file of files) {
    for (const d of file.declarations) {
      add(file, d, undefined);
      if (d.kind === "Interface") {
        for (const m of d.members) {
          if (m.kind !== "Method" && m.kind !== "Signal" && m.kind !== "Property") add(file, m, d.name.name);
        }
      }
    }
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const visible = new Map<string, string[]>();
  const visiblePackages = (file: A.NidlFile): readonly string[] => {
    let v = visible.get(file.path);
    if (v === undefined) {
      const others = new Set<string>();
      for (const p of imports.get(file.path) ?? []) {
        const f = byPath.get(p);
        if (f && packageOf(f) !== packageOf(file)) others.add(packageOf(f));
      }
      v = [packageOf(file), ...[...others].sort()];
      visible.set(file.path, v);
    }
    return v;
  };
  const lookup = (name: string, scope: Scope): LookupResult => {
    const pkgs = visiblePackages(scope.file);
    if (scope.iface !== undefined) {
      const e = entries.get(join(scope.pkg, `${scope.iface}.${name}`));
      if (e) return { ok: true, entry: e };
    }
    const own = entries.get(join(scope.pkg, name));
    if (own) return { ok: true, entry: own };
    const found: SymbolEntry[] = [];
    for (const p of pkgs.slice(1)) {
      const e = entries.get(join(p, name));
      if (e) found.push(e);
    }
    if (found.length === 1) return { ok: true, entry: found[0] };
    if (found.length > 1) return { ok: false, reason: "ambiguous", candidates: found };
    const full = entries.get(name);
    if (full && pkgs.includes(full.ref.package)) return { ok: true, entry: full };
    return { ok: false, reason: "unknown", candidates: full ? [full] : [] };
  };
  return { entries, lookup, visiblePackages };
}

function join(pkg: string, name: string): string {
  return pkg === "" ? name : `${pkg}.${name}`;
}
