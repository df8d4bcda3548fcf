/**
 * The server skeleton of an interface: `XImpl`, the TypeScript interface an
 * implementation satisfies (methods with typed arguments returning a value or
 * a Promise; properties as `getXProperty` / `setXProperty` methods so they can
 * be async too), `registerX(port, impl)`, which validates every incoming call
 * before the implementation sees it, and `XEmitter`, with a typed `emitY` per
 * signal and `emitXPropertyChanged` per notifying property. Names come from
 * `targets/ts-names.ts`.
 */
import type { ClassDeclarationStructure, FunctionDeclarationStructure, InterfaceDeclarationStructure, MethodSignatureStructure, OptionalKind, WriterFunction } from "ts-morph";
import type { InterfaceModel, MethodModel, PropertyModel } from "../../model.js";
import { declTsName, runtime, runtimeType, type FileContext } from "./file-context.js";
import { descriptorName, resultNames, resultType, uniqueNames } from "./interface-descriptor.js";
import { docsText, jsDocs } from "./docs.js";
import { propertyAccess, propertyKey } from "./names.js";
import { interfaceTsNames } from "../../targets/ts-names.js";
import { tsType } from "./type-mapping.js";

const SERVER_RESERVED = new Set(["context", "value"]);

/** The implementation interface name. */
export function implName(iface: InterfaceModel): string {
  return interfaceTsNames(iface).impl;
}

/** The interface a server implementation satisfies. */
export function implInterface(ctx: FileContext, iface: InterfaceModel): InterfaceDeclarationStructure {
  const names = interfaceTsNames(iface);
  const name = names.impl;
  const context = { name: "context", type: runtimeType(ctx, "CallContext") };
  const methods: OptionalKind<MethodSignatureStructure>[] = [];
  for (const method of iface.methods) {
    const params = uniqueNames(method.inArgs, SERVER_RESERVED);
    const result = resultType(ctx, method);
    methods.push({
      name: names.method(method).method,
      docs: jsDocs(method.docs, {
        since: method.since,
        deprecated: method.deprecated,
        params: method.inArgs.map((arg, index) => ({ name: params[index] as string, text: docsText(arg.docs) })),
        note: method.oneway ? "Oneway: the caller gets no reply, so the result is discarded." : undefined,
      }),
      parameters: [...method.inArgs.map((arg, index) => ({ name: params[index] as string, type: tsType(ctx, arg.type) })), context],
      returnType: result === "void" ? "void | Promise<void>" : `${result} | Promise<${result}>`,
    });
  }
  for (const property of iface.properties) {
    const type = tsType(ctx, property.type);
    const { get, set } = names.property(property);
    if (get !== undefined) {
      methods.push({
        name: get,
        docs: jsDocs(property.docs, { since: property.since, deprecated: property.deprecated, note: `Reads property \`${property.name}\`.` }),
        parameters: [context],
        returnType: `${type} | Promise<${type}>`,
      });
    }
    if (set !== undefined) {
      methods.push({
        name: set,
        docs: jsDocs(property.docs, { since: property.since, deprecated: property.deprecated, note: `Writes property \`${property.name}\` (the value is validated first).` }),
        parameters: [{ name: "value", type }, context],
        returnType: "void | Promise<void>",
      });
    }
  }
  return {
    kind: ctx.tsm.StructureKind.Interface,
    isExported: true,
    name,
    docs: jsDocs(iface.docs, { deprecated: iface.deprecated, note: `What a server of \`${iface.qualifiedName}\` implements; serve it with {@link ${names.register}}.` }),
    methods,
  };
}

/** `registerX(port, impl)`. */
export function registerFunction(ctx: FileContext, iface: InterfaceModel): FunctionDeclarationStructure {
  const name = interfaceTsNames(iface).register;
  const d = descriptorName(iface);
  // Every string is built before printing: building is what records the runtime imports.
  const methodLines = iface.methods.map((method) => `${propertyKey(method.name)}: ${servedMethod(ctx, iface, method)},`);
  const propertyLines = iface.properties.map((property) => `${propertyKey(property.name)}: ${servedProperty(ctx, iface, property)},`);
  if (iface.properties.length > 0) {
    methodLines.push(`[${runtime(ctx, "PROPERTY_GET")}]: properties.get,`, `[${runtime(ctx, "PROPERTY_SET")}]: properties.set,`);
  }
  const serveProps = iface.properties.length > 0 ? runtime(ctx, "serveProperties") : "";
  const used = iface.methods.length + iface.properties.length > 0;
  const body: WriterFunction = (writer) => {
    if (propertyLines.length > 0) {
      writer.write(`const properties = ${serveProps}(${d}.name, `).inlineBlock(() => {
        for (const line of propertyLines) writer.writeLine(line);
      });
      writer.write(");").newLine();
    }
    writer.write(`return port.register(`).inlineBlock(() => {
      writer.writeLine(`iface: ${d}.name,`);
      writer.writeLine(`version: ${d}.version,`);
      writer.write("methods: ").inlineBlock(() => {
        for (const line of methodLines) writer.writeLine(line);
      });
      writer.write(",").newLine();
    });
    writer.write(");");
  };
  return {
    kind: ctx.tsm.StructureKind.Function,
    isExported: true,
    name,
    docs: jsDocs(undefined, {
      note: `Serves \`${iface.qualifiedName}\` on \`port\` with \`impl\`. Arguments are validated before \`impl\` sees them; a call that fails validation is answered with IPCError \`MessageValidationFailed\`.`,
      returns: "the registration; `unregister()` stops serving",
    }),
    parameters: [
      { name: "port", type: runtimeType(ctx, "RpcServerPort") },
      // Nothing to serve means nothing to call: `_impl` keeps noUnusedParameters quiet.
      { name: used ? "impl" : "_impl", type: implName(iface) },
    ],
    returnType: runtimeType(ctx, "Registration"),
    statements: [body],
  };
}

/** `X$.methods.key` / `X$.properties.key`: the descriptor's validators of one member. */
function memberAccess(iface: InterfaceModel, group: "methods" | "properties", name: string): string {
  return `${descriptorName(iface)}.${group}${propertyAccess(name)}`;
}

function servedMethod(ctx: FileContext, iface: InterfaceModel, method: MethodModel): string {
  const serve = runtime(ctx, "serveMethod");
  const call = `impl.${interfaceTsNames(iface).method(method).method}(...args, context)`;
  let run: string;
  if (method.outArgs.length > 1) {
    const names = resultNames(method).map((name) => `result${propertyAccess(name)}`);
    run = `async (args, context) => {\n  const result = await ${call};\n  return [${names.join(", ")}];\n}`;
  } else {
    run = `(args, context) => ${call}`;
  }
  const oneway = method.oneway ? ", true" : "";
  return `${serve}(${descriptorName(iface)}.name, ${JSON.stringify(method.name)}, ${memberAccess(iface, "methods", method.name)}.params, ${method.inArgs.length}, ${run}${oneway})`;
}

function servedProperty(ctx: FileContext, iface: InterfaceModel, property: PropertyModel): string {
  const parts: string[] = [];
  const { get, set } = interfaceTsNames(iface).property(property);
  if (get !== undefined) parts.push(`get: (context) => impl.${get}(context)`);
  if (set !== undefined) {
    const parse = runtime(ctx, "parsePayload");
    parts.push(
      `set: (value, context) => impl.${set}(${parse}(${memberAccess(iface, "properties", property.name)}.value, value, ${descriptorName(iface)}.name, ${JSON.stringify(property.name)}, "property"), context)`,
    );
  }
  return `{ ${parts.join(", ")} }`;
}

/** `XEmitter`, or undefined when the interface emits nothing. */
export function emitterClass(ctx: FileContext, iface: InterfaceModel): ClassDeclarationStructure | undefined {
  const names = interfaceTsNames(iface);
  const name = names.emitter;
  if (name === undefined) return undefined;
  const notifying = iface.properties.filter((property) => property.notify);
  const { StructureKind } = ctx.tsm;
  const d = descriptorName(iface);
  const port = runtimeType(ctx, "RpcServerPort");
  const methods: ClassDeclarationStructure["methods"] = [];
  for (const signal of iface.signals) {
    const params = uniqueNames(signal.args, new Set());
    methods.push({
      name: names.signal(signal).emit,
      docs: jsDocs(signal.docs, {
        since: signal.since,
        deprecated: signal.deprecated,
        params: signal.args.map((arg, index) => ({ name: params[index] as string, text: docsText(arg.docs) })),
      }),
      parameters: signal.args.map((arg, index) => ({ name: params[index] as string, type: tsType(ctx, arg.type) })),
      returnType: "void",
      statements: [`this.#port.emit(${d}.name, ${JSON.stringify(signal.name)}, [${params.join(", ")}]);`],
    });
  }
  for (const property of notifying) {
    methods.push({
      name: names.property(property).emitChanged as string, // notifying: always set
      docs: [`Announces a new value of property \`${property.name}\` to observers.`],
      parameters: [{ name: "value", type: tsType(ctx, property.type) }],
      returnType: "void",
      statements: [`this.#port.emit(${d}.name, ${runtime(ctx, "PROPERTY_CHANGED")}, [${JSON.stringify(property.name)}, value]);`],
    });
  }
  return {
    kind: StructureKind.Class,
    isExported: true,
    name,
    docs: [`Emits the signals of \`${iface.qualifiedName}\` through a server port.`],
    properties: [{ name: "#port", isReadonly: true, type: port }],
    ctors: [{ docs: ["Binds the emitter to a server port."], parameters: [{ name: "port", type: port }], statements: ["this.#port = port;"] }],
    methods,
  };
}
