/**
 * State shared by the model builders of one compilation.
 */
import type { Diagnostic } from "../diagnostics.js";
import type { ConstValue, DeclModel, TargetInfo } from "../model.js";
import type { AnnotationFacts } from "./annotations.js";
import type { SymbolTable } from "./symbols.js";
import type { TypeResolver } from "./resolve-type.js";

/** What every builder needs. */
export interface BuildContext {
  readonly table: SymbolTable;
  readonly types: TypeResolver;
  readonly diagnostics: Diagnostic[];
  /** Built declarations by qualified name (filled as the builders go). */
  readonly declarations: Map<string, DeclModel>;
  /** Constant values by qualified name, evaluated on demand (undefined = failed). */
  readonly constValues: Map<string, ConstValue | undefined>;
}

/** Per-target facts from annotations, with the given default names. */
export function targetInfo(facts: AnnotationFacts, dbusDefault: string, waylandDefault: string): TargetInfo {
  return {
    dbus: { name: facts.dbus.name ?? dbusDefault, annotations: facts.dbus.annotations },
    wayland: { name: facts.wayland.name ?? waylandDefault },
    ts: { name: facts.ts.name },
    other: facts.other,
  };
}
