/**
 * The per-interface descriptor a generated file keeps private: the wire name,
 * the version and one zod validator per member (method params/result, signal
 * args, property value; for a signal with an event-bus topic also the topic and
 * the validator of its event data). Client and server both read it, so what one side
 * sends and the other validates come from the same place.
 */
import type { StatementStructures } from "ts-morph";
import type { ArgModel, InterfaceModel, MethodModel } from "../../model.js";
import { declTsName, zod, type FileContext } from "./file-context.js";
import { camelCase, propertyKey } from "./names.js";
import { tsType, zodSchema } from "./type-mapping.js";
import { eventDataKeys } from "../../resolve/event-topics.js";

/** The descriptor's variable name (`$` keeps it apart from every exported name). */
export function descriptorName(iface: InterfaceModel): string {
  return `${declTsName(iface)}$`;
}

/** The names under which a method's results are returned when it has several. */
export function resultNames(method: MethodModel): string[] {
  return uniqueNames(method.outArgs, new Set());
}

/** Runtime helpers a generated method body calls: a parameter must not shadow them. */
const BODY_NAMES = [
  "callRemote", "callRemoteVoid", "settleCallback", "subscribeSignal", "observeProperty",
  "serveMethod", "serveProperties", "parsePayload", "PROPERTY_GET", "PROPERTY_SET", "PROPERTY_CHANGED",
  "emitTypedEvent", "onTypedEvent",
];

/** Parameter names for arguments: camelCase, unique, clear of the names generated code adds. */
export function uniqueNames(args: readonly ArgModel[], taken: ReadonlySet<string>): string[] {
  const used = new Set([...taken, ...BODY_NAMES]);
  return args.map((arg, index) => {
    let name = arg.name === undefined ? `arg${index}` : camelCase(arg.name);
    while (used.has(name)) name = `${name}_`;
    used.add(name);
    return name;
  });
}

/** The TypeScript type a method resolves with. */
export function resultType(ctx: FileContext, method: MethodModel): string {
  if (method.outArgs.length === 0) return "void";
  if (method.outArgs.length === 1) return tsType(ctx, (method.outArgs[0] as ArgModel).type);
  const names = resultNames(method);
  return `{ ${method.outArgs.map((arg, index) => `${propertyKey(names[index] as string)}: ${tsType(ctx, arg.type)}`).join("; ")} }`;
}

/** The zod object schema of a bus event's data; unknown keys (a newer version's arguments) are dropped. */
function eventDataSchema(ctx: FileContext, args: readonly ArgModel[]): string {
  const keys = eventDataKeys(args);
  return `${zod(ctx)}.object({ ${args.map((arg, index) => `${propertyKey(keys[index] as string)}: ${zodSchema(ctx, arg.type)}`).join(", ")} })`;
}

function tupleSchema(ctx: FileContext, args: readonly ArgModel[]): string {
  return `${zod(ctx)}.tuple([${args.map((arg) => zodSchema(ctx, arg.type)).join(", ")}])`;
}

function resultSchema(ctx: FileContext, method: MethodModel): string | undefined {
  if (method.outArgs.length === 0) return undefined;
  if (method.outArgs.length === 1) return zodSchema(ctx, (method.outArgs[0] as ArgModel).type);
  const names = resultNames(method);
  const fields = names.map((name, index) => `${propertyKey(name)}: r[${index}]`).join(", ");
  return `${tupleSchema(ctx, method.outArgs)}.transform((r) => ({ ${fields} }))`;
}

/** The descriptor statement of an interface. */
export function descriptorStatement(ctx: FileContext, iface: InterfaceModel): StatementStructures {
  const { StructureKind, VariableDeclarationKind } = ctx.tsm;
  // One group per kind: a method and a signal may share a name (NetworkManager's CheckPermissions).
  const groups = { methods: [] as string[], signals: [] as string[], properties: [] as string[] };
  for (const member of iface.members) {
    const key = propertyKey(member.name);
    if (member.kind === "method") {
      const result = resultSchema(ctx, member);
      groups.methods.push(`    ${key}: {`, `      params: ${indent(tupleSchema(ctx, member.inArgs), 6)},`);
      if (result !== undefined) groups.methods.push(`      result: ${indent(result, 6)},`);
      groups.methods.push("    },");
    } else if (member.kind === "signal") {
      if (member.topic === undefined) groups.signals.push(`    ${key}: { args: ${indent(tupleSchema(ctx, member.args), 4)} },`);
      else {
        // A bus event's data: an object keyed by argument name (resolve/event-topics.ts).
        groups.signals.push(
          `    ${key}: {`,
          `      args: ${indent(tupleSchema(ctx, member.args), 6)},`,
          `      topic: ${JSON.stringify(member.topic)},`,
          `      data: ${indent(eventDataSchema(ctx, member.args), 6)},`,
          "    },",
        );
      }
    } else {
      groups.properties.push(`    ${key}: { value: ${indent(zodSchema(ctx, member.type), 4)} },`);
    }
  }
  const initializer = [
    "{",
    `  name: ${JSON.stringify(iface.qualifiedName)},`,
    `  version: ${iface.version},`,
    ...Object.entries(groups).flatMap(([group, lines]) => (lines.length === 0 ? [] : [`  ${group}: {\n${lines.join("\n")}\n  },`])),
    "}",
  ].join("\n");
  return {
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    docs: [`Wire name, version and member validators of \`${iface.qualifiedName}\`.`],
    declarations: [{ name: descriptorName(iface), initializer }],
  };
}

function indent(text: string, by: number): string {
  return text.replace(/\n/g, `\n${" ".repeat(by)}`);
}
