/**
 * Per-output-file bookkeeping of the Wayland TypeScript emitter, in the manner
 * of protobuf-es's GeneratedFile: code asks for a symbol (a runtime export, a
 * class of another protocol's module) and the context records what the file
 * must import, so imports are exact and printed in a fixed order.
 *
 * How references leave the file: every interface belongs to a package, every
 * package to a Wayland protocol (`@wayland(protocol = ...)`, default the
 * package name with `.` → `_`), and each protocol is one module
 * `<protocol>.ts` in the same output folder. A reference to an interface of
 * another protocol becomes `$<protocol>.Name` with
 * `import * as $<protocol> from "./<protocol>.js"`. That holds for
 * `@external` interfaces too: idl/wayland-core.nidl declares `wl_surface` in
 * protocol `wayland`, so the shell module imports `./wayland.js`, the module
 * generated from the real wayland.xml, never the stub.
 */
import type { Diagnostic } from "../../diagnostics.js";
import type { DeclRef, InterfaceModel, Model, PackageModel } from "../../model.js";
import type { Tsm } from "../ts/tsm.js";

/** Values generated code imports from the Wayland runtime. */
export type WlRuntimeValue = "WlProxy" | "WlResource" | "registerWlClasses";
/** Types generated code imports from the Wayland runtime. */
export type WlRuntimeType = "WlInterface" | "WlProxyClass";

/** The state of one generated module. */
export interface WlFileContext {
  readonly tsm: Tsm;
  readonly model: Model;
  /** The protocol this module holds. */
  readonly protocol: string;
  readonly runtimeValues: Set<WlRuntimeValue>;
  readonly runtimeTypes: Set<WlRuntimeType>;
  /** Other protocols referenced: protocol name → namespace alias. */
  readonly protocolImports: Map<string, string>;
  readonly diagnostics: Diagnostic[];
  /** @external interfaces of this very protocol already warned about (one warning each). */
  readonly warnedExternals: Set<string>;
}

/** Creates the context of the module of `protocol`. */
export function createWlContext(tsm: Tsm, model: Model, protocol: string): WlFileContext {
  return { tsm, model, protocol, runtimeValues: new Set(), runtimeTypes: new Set(), protocolImports: new Map(), diagnostics: [], warnedExternals: new Set() };
}

/** Uses a runtime value; returns the name to print. */
export function rtValue(ctx: WlFileContext, name: WlRuntimeValue): string {
  ctx.runtimeValues.add(name);
  return name;
}

/** Uses a runtime type; returns the name to print. */
export function rtType(ctx: WlFileContext, name: WlRuntimeType): string {
  ctx.runtimeTypes.add(name);
  return name;
}

/** The module file of a protocol, relative to the output folder (beside its `.xml`). */
export function protocolModulePath(protocol: string): string {
  return `wayland/${protocol}.ts`;
}

/** The package that declares a reference. */
export function packageOf(model: Model, packageName: string): PackageModel | undefined {
  return model.packages.find((p) => p.name === packageName);
}

/** The interface a reference points to (the resolver guarantees it exists). */
export function interfaceOf(model: Model, ref: DeclRef): InterfaceModel | undefined {
  const decl = model.declarations.get(ref.qualifiedName);
  return decl?.kind === "interface" ? decl : undefined;
}

/** Prints `localName` exported by the module of `protocol`, importing that module when it is another one. */
export function fromProtocol(ctx: WlFileContext, protocol: string, localName: string): string {
  if (protocol === ctx.protocol) return localName;
  let alias = ctx.protocolImports.get(protocol);
  if (alias === undefined) {
    alias = `$${protocol.replace(/[^A-Za-z0-9]/g, "_")}`;
    ctx.protocolImports.set(protocol, alias);
  }
  return `${alias}.${localName}`;
}

/** The protocol (module) a declaration of `packageName` lives in. */
export function protocolOfPackage(ctx: WlFileContext, packageName: string): string {
  return packageOf(ctx.model, packageName)?.waylandProtocol ?? packageName.replace(/\./g, "_");
}
