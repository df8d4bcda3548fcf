/**
 * Assembles the TypeScript file of one package: preamble, imports (exactly
 * what the body used), zod helpers, then the package's declarations and, per
 * interface, its nested types, client, server skeleton, emitter, typed bus events
 * and, for `@dbus` interfaces, the D-Bus descriptor.
 *
 * Interfaces exported to Wayland and not to D-Bus get their types only: a
 * Wayland interface lives in a per-connection object space (object ids,
 * new_id, destructors) that the name-addressed RPC ports cannot express, so a
 * client/server pair over `RpcClientPort` would be wrong, not merely unusual.
 * The Wayland runtime binds them instead; a note diagnostic says so.
 * `@external` interfaces (declared only to be referred to) get their nested
 * types and nothing else.
 */
import type { ImportDeclarationStructure, OptionalKind, SourceFileStructure, StatementStructures, StructureKind } from "ts-morph";
import { createDiagnostic } from "../../diagnostics.js";
import type { ConstModel, EnumModel, ErrorModel, InterfaceModel, Model, PackageModel, StructModel, TypedefModel } from "../../model.js";
import { preambleText } from "../preamble.js";
import type { EmitOptions } from "../types.js";
import { clientClass } from "./client.js";
import { constStatement, enumStatements, errorStatements, structStatements, typedefStatements } from "./declarations.js";
import { docsText } from "./docs.js";
import { createFileContext, packageModulePath, type FileContext } from "./file-context.js";
import { descriptorStatement } from "./interface-descriptor.js";
import { dbusDescriptorStatement } from "./dbus-descriptor.js";
import { eventsClass } from "./events.js";
import { emitterClass, implInterface, registerFunction } from "./server.js";
import type { Tsm } from "./tsm.js";
import { zodHelperStatements } from "./zod-helpers.js";
import { isWaylandOnly } from "../../targets/ts-names.js";

/** What one package becomes: the file structure (undefined when it declares nothing to emit) and its context (diagnostics). */
export interface PackageFileResult {
  readonly path: string;
  readonly structure: SourceFileStructure | undefined;
  readonly context: FileContext;
}

interface Declarations {
  readonly constants: readonly ConstModel[];
  readonly enums: readonly EnumModel[];
  readonly structs: readonly StructModel[];
  readonly typedefs: readonly TypedefModel[];
  readonly errors: readonly ErrorModel[];
}

function declarationStatements(ctx: FileContext, decls: Declarations): StatementStructures[] {
  return [
    ...decls.constants.map((decl) => constStatement(ctx, decl)),
    ...decls.enums.flatMap((decl) => enumStatements(ctx, decl)),
    ...decls.structs.flatMap((decl) => structStatements(ctx, decl)),
    ...decls.typedefs.flatMap((decl) => typedefStatements(ctx, decl)),
    ...decls.errors.flatMap((decl) => errorStatements(ctx, decl)),
  ];
}

function interfaceStatements(ctx: FileContext, iface: InterfaceModel): StatementStructures[] {
  const statements = declarationStatements(ctx, iface);
  // An @external interface is declared elsewhere; only its nested types are needed here.
  if (iface.external) return statements;
  if (isWaylandOnly(iface)) {
    ctx.diagnostics.push(
      createDiagnostic(
        "NIDL3009",
        "note",
        `interface ${iface.qualifiedName} is Wayland-only: TypeScript gets its types, not an RPC client/server`,
        iface.span,
      ),
    );
    return statements;
  }
  statements.push(descriptorStatement(ctx, iface), clientClass(ctx, iface), implInterface(ctx, iface), registerFunction(ctx, iface));
  const emitter = emitterClass(ctx, iface);
  if (emitter !== undefined) statements.push(emitter);
  const events = eventsClass(ctx, iface);
  if (events !== undefined) statements.push(events);
  const dbus = dbusDescriptorStatement(ctx, iface);
  if (dbus !== undefined) statements.push(dbus);
  return statements;
}

/** Builds the file structure of one package. */
export function packageFile(tsm: Tsm, model: Model, pkg: PackageModel, options: EmitOptions): PackageFileResult {
  const ctx = createFileContext(tsm, model, pkg.name);
  const body = [...declarationStatements(ctx, pkg), ...pkg.interfaces.flatMap((iface) => interfaceStatements(ctx, iface))];
  // A package of nothing but @external interfaces has no TypeScript; nothing can import from it either.
  if (body.length === 0) return { path: packageModulePath(pkg.name), context: ctx, structure: undefined };
  const imports: OptionalKind<ImportDeclarationStructure>[] = [];
  if (ctx.usesZod || ctx.zodHelpers.size > 0) imports.push({ moduleSpecifier: "zod", namedImports: ["z"] });
  const runtimeNames = [
    ...[...ctx.runtimeValues].map((name) => ({ name, isTypeOnly: false, sort: name })),
    ...[...ctx.runtimeTypes].map((name) => ({ name, isTypeOnly: true, sort: name })),
  ].sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
  if (runtimeNames.length > 0) {
    imports.push({
      moduleSpecifier: options.runtimeImport,
      namedImports: runtimeNames.map(({ name, isTypeOnly }) => (isTypeOnly ? { name, isTypeOnly } : { name })),
    });
  }
  for (const [packageName, alias] of [...ctx.packageImports.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    imports.push({ moduleSpecifier: `./${packageModulePath(packageName).replace(/\.ts$/, ".js")}`, namespaceImport: alias });
  }
  const importStatements = imports.map((structure) => ({ ...structure, kind: tsm.StructureKind.ImportDeclaration }) as StatementStructures);
  const header = [`// ${preambleText(pkg.files, options)}`];
  const packageDoc = docsText(pkg.docs);
  header.push(`// Package ${pkg.name}, version ${pkg.version}.`);
  if (packageDoc !== undefined) header.push(...packageDoc.split("\n").map((line) => (line === "" ? "//" : `// ${line}`)));
  return {
    path: packageModulePath(pkg.name),
    context: ctx,
    structure: {
      kind: tsm.StructureKind.SourceFile,
      leadingTrivia: `${header.join("\n")}\n\n`,
      statements: separated(tsm, [...importStatements, ...zodHelperStatements(tsm, ctx.zodHelpers), ...body]),
    },
  };
}

/**
 * ts-morph separates block-like statements (classes, functions, interfaces)
 * by a blank line but not consecutive variables and type aliases; add one so
 * every top-level declaration stands apart.
 */
export function separated(tsm: Tsm, statements: StatementStructures[]): StatementStructures[] {
  const { StructureKind } = tsm;
  const compact = new Set<StructureKind>([StructureKind.VariableStatement, StructureKind.TypeAlias]);
  const previousCompact = new Set<StructureKind>([...compact, StructureKind.ImportDeclaration]);
  return statements.map((statement, index) => {
    const previous = statements[index - 1];
    if (previous === undefined || !compact.has(statement.kind) || !previousCompact.has(previous.kind)) return statement;
    if (previous.kind === StructureKind.ImportDeclaration && statement.kind !== StructureKind.VariableStatement) return statement;
    return { ...statement, leadingTrivia: "\n" };
  });
}
