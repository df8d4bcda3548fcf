/**
 * `export const XDbus = { ... } as const`: the D-Bus descriptor of a `@dbus`
 * interface (runtime/dbus/descriptor.ts), computed by the D-Bus emitter's own
 * code (generator/emit/dbus/descriptor.ts) and printed here as a literal.
 *
 * A literal `as const` rather than a value typed with a runtime import: the
 * descriptor is plain data, generated files then need nothing new from the
 * runtime (any `--runtime-import` keeps working), and the D-Bus layer accepts
 * it structurally.
 */
import type { StatementStructures } from "ts-morph";
import type { InterfaceModel } from "../../model.js";
import { dbusDescriptor } from "../dbus/descriptor.js";
import { interfaceTsNames } from "../../targets/ts-names.js";
import type { FileContext } from "./file-context.js";
import { propertyKey } from "./names.js";

/** Objects down to this depth (the descriptor, its members) print one entry per line; deeper ones (args, type trees) on one. */
const MULTILINE_DEPTH = 2;

/** Prints plain data (strings, numbers, booleans, undefined, arrays, objects) as a TypeScript expression. */
function literal(value: unknown, depth: number): string {
  if (value === undefined) return "undefined";
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  const pad = "  ".repeat(depth + 1);
  const close = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => literal(v, depth + 1));
    const multiline = depth < MULTILINE_DEPTH && value.some((v) => typeof v === "object" && v !== null && !Array.isArray(v));
    return multiline ? `[\n${items.map((i) => `${pad}${i},`).join("\n")}\n${close}]` : `[${items.join(", ")}]`;
  }
  const entries = Object.entries(value).map(([k, v]) => `${propertyKey(k)}: ${literal(v, depth + 1)}`);
  if (entries.length === 0) return "{}";
  return depth <= MULTILINE_DEPTH ? `{\n${entries.map((e) => `${pad}${e},`).join("\n")}\n${close}}` : `{ ${entries.join(", ")} }`;
}

/** The descriptor statement of a `@dbus` interface; undefined for the others. */
export function dbusDescriptorStatement(ctx: FileContext, iface: InterfaceModel): StatementStructures | undefined {
  const name = interfaceTsNames(iface).dbus;
  if (name === undefined) return undefined;
  const { StructureKind, VariableDeclarationKind } = ctx.tsm;
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    isExported: true,
    docs: [
      `How \`${iface.qualifiedName}\` appears on D-Bus (names, signatures, conversion types, errors and its introspection XML): ` +
        "give it to the D-Bus export layer to serve this interface on a bus, or to the D-Bus proxy to call it (runtime/dbus/README.md).",
    ],
    declarations: [{ name, initializer: `${literal(dbusDescriptor(ctx.model, iface), 0)} as const` }],
  };
}
