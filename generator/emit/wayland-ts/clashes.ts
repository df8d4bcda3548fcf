/**
 * Name clashes in one protocol module, reported as NIDL3008 instead of printing a module that does not
 * compile: two interfaces or enums whose generated names meet (an enum `wl_foo.events` beside the
 * listener map `WlFooEvents`, an interface `wl_foo_resource` beside `WlFoo`'s resource class), or two
 * requests / events of one class with one method name (`set_x` and `setX`). A const and a type alias of
 * one name are the enum pattern (value plus type) and fine; a class is both a value and a type.
 */
import type { ClassDeclarationStructure, StatementStructures } from "ts-morph";
import { createDiagnostic } from "../../diagnostics.js";
import type { InterfaceModel } from "../../model.js";
import type { WlFileContext } from "./context.js";

/** One interface's statements, as emitted. */
export interface InterfaceOutput {
  readonly iface: InterfaceModel;
  readonly statements: readonly StatementStructures[];
}

function declared(ctx: WlFileContext, s: StatementStructures): { values: string[]; types: string[] } {
  const { StructureKind } = ctx.tsm;
  switch (s.kind) {
    case StructureKind.VariableStatement: return { values: s.declarations.map((d) => d.name), types: [] };
    case StructureKind.Class: return { values: [s.name ?? ""], types: [s.name ?? ""] };
    case StructureKind.Interface:
    case StructureKind.TypeAlias: return { values: [], types: [s.name] };
    default: return { values: [], types: [] };
  }
}

function clash(ctx: WlFileContext, iface: InterfaceModel, what: string, first: InterfaceModel): void {
  ctx.diagnostics.push(
    createDiagnostic("NIDL3008", "error", `${what} of interface ${iface.name} is already generated for ${first === iface ? "another member of it" : `interface ${first.name}`} (wayland-ts)`, iface.span),
  );
}

/** Reports every clash among the modules' exported names and among each class's methods. */
export function reportClashes(ctx: WlFileContext, outputs: readonly InterfaceOutput[]): void {
  const values = new Map<string, InterfaceModel>();
  const types = new Map<string, InterfaceModel>();
  for (const { iface, statements } of outputs) {
    for (const s of statements) {
      const names = declared(ctx, s);
      const clashing = new Map<string, InterfaceModel>();
      for (const [space, list] of [[values, names.values], [types, names.types]] as const) {
        for (const name of list) {
          const first = space.get(name);
          if (first !== undefined) clashing.set(name, first);
          else space.set(name, iface);
        }
      }
      // A class is in both spaces: one report per name.
      for (const [name, first] of clashing) clash(ctx, iface, `the name ${name}`, first);
      if (s.kind === ctx.tsm.StructureKind.Class) {
        const seen = new Set<string>();
        for (const m of (s as ClassDeclarationStructure).methods ?? []) {
          if (seen.has(m.name)) clash(ctx, iface, `the method ${m.name}`, iface);
          seen.add(m.name);
        }
      }
    }
  }
}
