/**
 * Per-output-file bookkeeping, in the manner of protobuf-es's GeneratedFile:
 * emitters ask for symbols (a runtime export, a zod helper, a type of another
 * package) and the context records what the file must import or define, so
 * imports are exact, de-duplicated and printed in a fixed order.
 */
import type { Diagnostic } from "../../diagnostics.js";
import type { DeclRef, Model } from "../../model.js";
import { pascalCase, safeBinding } from "./names.js";
import type { ZodHelperName } from "./zod-helpers.js";
import type { Tsm } from "./tsm.js";
import type { RuntimeSymbol, RuntimeTypeSymbol } from "./runtime-symbols.js";

export type { RuntimeSymbol, RuntimeTypeSymbol } from "./runtime-symbols.js";

/** The state of one generated file. */
export interface FileContext {
  /** The lazily loaded ts-morph module (structure kinds, writers). */
  readonly tsm: Tsm;
  readonly model: Model;
  /** The package this file holds. */
  readonly packageName: string;
  readonly runtimeValues: Set<RuntimeSymbol>;
  readonly runtimeTypes: Set<RuntimeTypeSymbol>;
  readonly zodHelpers: Set<ZodHelperName>;
  /** Other packages referenced, by package name → namespace alias. */
  readonly packageImports: Map<string, string>;
  readonly diagnostics: Diagnostic[];
  /** True once anything uses `z`. */
  usesZod: boolean;
}

/** Creates the context of the file for `packageName`. */
export function createFileContext(tsm: Tsm, model: Model, packageName: string): FileContext {
  return {
    tsm,
    model,
    packageName,
    runtimeValues: new Set(),
    runtimeTypes: new Set(),
    zodHelpers: new Set(),
    packageImports: new Map(),
    diagnostics: [],
    usesZod: false,
  };
}

/** Uses a runtime value export; returns the name to print. */
export function runtime(ctx: FileContext, symbol: RuntimeSymbol): string {
  ctx.runtimeValues.add(symbol);
  return symbol;
}

/** Uses a runtime type export; returns the name to print. */
export function runtimeType(ctx: FileContext, symbol: RuntimeTypeSymbol): string {
  ctx.runtimeTypes.add(symbol);
  return symbol;
}

/** Uses `z` from zod. */
export function zod(ctx: FileContext): string {
  ctx.usesZod = true;
  return "z";
}

/** The TS name of a declaration: nested ones are prefixed with their interface (`WlOutputTransform`). */
export function declTsName(ref: { readonly name: string; readonly interface?: string | undefined }): string {
  if (ref.interface === undefined) return pascalCase(ref.name);
  const ifaceName = ref.interface.slice(ref.interface.lastIndexOf(".") + 1);
  return pascalCase(`${pascalCase(ifaceName)}_${ref.name}`);
}

/** The TS name of a constant (kept as declared, made safe). */
export function constTsName(ref: { readonly name: string; readonly interface?: string | undefined }): string {
  if (ref.interface === undefined) return safeBinding(ref.name);
  const ifaceName = ref.interface.slice(ref.interface.lastIndexOf(".") + 1);
  return safeBinding(`${pascalCase(ifaceName)}_${ref.name}`);
}

/** The module (relative to the output directory) holding a package's TypeScript. */
export function packageModulePath(packageName: string): string {
  return `${packageName}.ts`;
}

/** Prints a reference to a symbol `localName` exported by the file of `ref.package`. */
export function qualify(ctx: FileContext, packageName: string, localName: string): string {
  if (packageName === ctx.packageName) return localName;
  let alias = ctx.packageImports.get(packageName);
  if (alias === undefined) {
    alias = `$${packageName.replace(/[^A-Za-z0-9]/g, "_")}`;
    ctx.packageImports.set(packageName, alias);
  }
  return `${alias}.${localName}`;
}
