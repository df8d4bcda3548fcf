/**
 * Assembles the module of one Wayland protocol (the `@wayland` interfaces of
 * one package that are not `@external`): preamble and copyright, imports
 * (exactly what the body used), then per interface its descriptor, enums,
 * event map, proxy class, handlers interface and resource class, and last the
 * `protocol` constant that lists every descriptor and class by interface name,
 * registered with the runtime on import (`registerWlClasses`), so it builds the
 * right class for a new_id in an event or a bind.
 */
import type { ImportDeclarationStructure, OptionalKind, SourceFileStructure, StatementStructures, WriterFunction } from "ts-morph";
import { propertyKey } from "../ts/names.js";
import type { InterfaceModel, Model, PackageModel } from "../../model.js";
import { preambleText } from "../preamble.js";
import { DEFAULT_WAYLAND_RUNTIME_IMPORT, type EmitOptions } from "../types.js";
import type { Tsm } from "../ts/tsm.js";
import { separated } from "../ts/package-file.js";
import { proxyClass, eventsInterface } from "./client.js";
import { createWlContext, protocolModulePath, rtValue, type WlFileContext } from "./context.js";
import { descriptorStatement } from "./descriptor.js";
import { enumStatements } from "./enums.js";
import { reportClashes } from "./clashes.js";
import { handlersInterface, resourceClass } from "./server.js";
import { wlInterfaceNames } from "./names.js";

/** The interfaces of a package this emitter writes. */
export function emittedInterfaces(pkg: PackageModel): InterfaceModel[] {
  return pkg.interfaces.filter((i) => i.exportedTo.includes("wayland") && !i.external);
}

function interfaceStatements(ctx: WlFileContext, iface: InterfaceModel): StatementStructures[] {
  const out: StatementStructures[] = [descriptorStatement(ctx, iface)];
  for (const e of iface.enums) out.push(...enumStatements(ctx, e, iface.targets.wayland.name));
  const events = eventsInterface(ctx, iface);
  if (events !== undefined) out.push(events);
  out.push(proxyClass(ctx, iface));
  const handlers = handlersInterface(ctx, iface);
  if (handlers !== undefined) out.push(handlers);
  out.push(resourceClass(ctx, iface));
  return out;
}

function protocolStatements(ctx: WlFileContext, pkg: PackageModel, ifaces: readonly InterfaceModel[]): { constant: StatementStructures; registration: string } {
  const { StructureKind, VariableDeclarationKind } = ctx.tsm;
  const names = ifaces.map((i) => ({ wire: i.targets.wayland.name, ...wlInterfaceNames(i) }));
  const initializer: WriterFunction = (writer) => {
    writer.write("{").newLine();
    writer.indent(() => {
      writer.writeLine(`name: ${JSON.stringify(pkg.waylandProtocol)},`);
      const list = (key: string, items: readonly string[], open: string, close: string): void => {
        writer.writeLine(`${key}: ${open}`);
        writer.indent(() => items.forEach((item) => writer.writeLine(`${item},`)));
        writer.writeLine(`${close},`);
      };
      list("interfaces", names.map((n) => n.descriptor), "[", "]");
      list("proxies", names.map((n) => `${propertyKey(n.wire)}: ${n.proxy}`), "{", "}");
      list("resources", names.map((n) => `${propertyKey(n.wire)}: ${n.resource}`), "{", "}");
    });
    writer.write("}");
  };
  const register = rtValue(ctx, "registerWlClasses");
  return {
    constant: {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      isExported: true,
      docs: [`The protocol \`${pkg.waylandProtocol}\`: its descriptors, and its proxy and resource classes by interface name.`],
      declarations: [{ name: "protocol", initializer }],
    },
    registration: [
      "\n// Importing this module registers its classes: the runtime builds them for a new_id it decodes (events, bind).",
      ...names.map((n) => `${register}(${n.proxy}, ${n.resource});`),
    ].join("\n"),
  };
}

/** The module of one package's protocol, or undefined when it has no interface to emit. */
export function protocolFile(tsm: Tsm, model: Model, pkg: PackageModel, options: EmitOptions): { path: string; structure: SourceFileStructure | undefined; ctx: WlFileContext } {
  const ctx = createWlContext(tsm, model, pkg.waylandProtocol);
  const path = protocolModulePath(pkg.waylandProtocol);
  const ifaces = emittedInterfaces(pkg);
  if (ifaces.length === 0) return { path, structure: undefined, ctx };
  const { constant, registration } = protocolStatements(ctx, pkg, ifaces);
  const outputs = ifaces.map((iface) => ({ iface, statements: interfaceStatements(ctx, iface) }));
  reportClashes(ctx, outputs);
  const body = [...outputs.flatMap((o) => o.statements), constant];
  const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const runtimeNames = [
    ...[...ctx.runtimeValues].map((name) => ({ name })),
    ...[...ctx.runtimeTypes].map((name) => ({ name, isTypeOnly: true })),
  ].sort(byName);
  const imports: OptionalKind<ImportDeclarationStructure>[] = [{ moduleSpecifier: options.waylandRuntimeImport ?? DEFAULT_WAYLAND_RUNTIME_IMPORT, namedImports: runtimeNames }];
  for (const [protocol, alias] of [...ctx.protocolImports.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    imports.push({ moduleSpecifier: `./${protocol}.js`, namespaceImport: alias });
  }
  const header = [`// ${preambleText(pkg.files, options)}`, `// Wayland protocol ${pkg.waylandProtocol} (NIDL package ${pkg.name}): TypeScript bindings.`];
  if (pkg.copyright !== undefined) {
    header.push("//", ...pkg.copyright.replace(/^\n+|\s+$/g, "").split("\n").map((line) => (line.trim() === "" ? "//" : `// ${line.trimEnd()}`)));
  }
  return {
    path,
    ctx,
    structure: {
      kind: tsm.StructureKind.SourceFile,
      leadingTrivia: `${header.join("\n")}\n\n`,
      statements: [...separated(tsm, [...imports.map((s) => ({ ...s, kind: tsm.StructureKind.ImportDeclaration }) as StatementStructures), ...body]), registration],
    },
  };
}
