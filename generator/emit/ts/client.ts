/**
 * The client proxy of an interface: a class over an `RpcClientPort` whose
 * methods return Promises (plus a `...Callback` variant when opted in with
 * `@ts.callbacks`), whose signals are `onX(listener)` subscriptions and whose
 * properties are `getXProperty` / `setXProperty` / `observeXProperty`. Names
 * come from `targets/ts-names.ts` (the checker reads the same). Everything
 * received is validated by the descriptor's schemas.
 */
import type { ClassDeclarationStructure, MethodDeclarationStructure, OptionalKind } from "ts-morph";
import type { InterfaceModel, MethodModel, PropertyModel, SignalModel } from "../../model.js";
import { declTsName, qualify, runtime, runtimeType, type FileContext } from "./file-context.js";
import { descriptorName, resultType, uniqueNames } from "./interface-descriptor.js";
import { docsText, jsDocs } from "./docs.js";
import { propertyAccess } from "./names.js";
import { interfaceTsNames, type MethodTsNames, type PropertyTsNames } from "../../targets/ts-names.js";
import { tsType } from "./type-mapping.js";

/** Names generated code adds to a client method's parameters. */
const CLIENT_RESERVED = new Set(["options", "callback", "listener", "onInvalid", "value"]);

/** The client class name of an interface. */
export function clientName(iface: InterfaceModel): string {
  return interfaceTsNames(iface).client;
}

/** `X$.methods.key.result`, `X$.signals.key.args`, `X$.properties.key.value`. */
function memberPath(iface: InterfaceModel, group: "methods" | "signals" | "properties", name: string, part: string): string {
  return `${descriptorName(iface)}.${group}${propertyAccess(name)}.${part}`;
}

/** The client class of an interface. */
export function clientClass(ctx: FileContext, iface: InterfaceModel): ClassDeclarationStructure {
  const { StructureKind } = ctx.tsm;
  const names = interfaceTsNames(iface);
  const name = names.client;
  const methods: OptionalKind<MethodDeclarationStructure>[] = [];
  for (const method of iface.methods) methods.push(...methodMembers(ctx, iface, method, names.method(method)));
  for (const signal of iface.signals) methods.push(signalMember(ctx, iface, signal, names.signal(signal).on));
  for (const property of iface.properties) methods.push(...propertyMembers(ctx, iface, property, names.property(property)));
  const port = runtimeType(ctx, "RpcClientPort");
  return {
    kind: StructureKind.Class,
    isExported: true,
    name,
    docs: jsDocs(iface.docs, {
      since: iface.since,
      deprecated: iface.deprecated,
      note: `Client of \`${iface.qualifiedName}\` (version ${iface.version}) over any RPC transport.`,
    }),
    properties: [
      {
        name: "interfaceName",
        isStatic: true,
        isReadonly: true,
        docs: ["The qualified NIDL name of the interface."],
        initializer: `${descriptorName(iface)}.name`,
      },
      {
        name: "version",
        isStatic: true,
        isReadonly: true,
        docs: ["The interface version this client was generated from."],
        initializer: `${descriptorName(iface)}.version`,
      },
      // A client of an interface without members never uses its port (and strict configs reject unused privates).
      ...(methods.length > 0 ? [{ name: "#port", isReadonly: true, type: port }] : []),
    ],
    ctors: [
      {
        docs: ["Binds the client to a connection."],
        parameters: [{ name: methods.length > 0 ? "port" : "_port", type: port }],
        statements: methods.length > 0 ? ["this.#port = port;"] : [],
      },
    ],
    methods,
  };
}

function methodMembers(
  ctx: FileContext,
  iface: InterfaceModel,
  method: MethodModel,
  names: MethodTsNames,
): OptionalKind<MethodDeclarationStructure>[] {
  const name = names.method;
  const params = uniqueNames(method.inArgs, CLIENT_RESERVED);
  const parameters = method.inArgs.map((arg, index) => ({ name: params[index] as string, type: tsType(ctx, arg.type) }));
  const argList = `[${params.join(", ")}]`;
  const wire = `${descriptorName(iface)}.name, ${JSON.stringify(method.name)}`;
  const paramDocs = method.inArgs.map((arg, index) => ({ name: params[index] as string, text: docsText(arg.docs) }));
  const throws = method.throws.map((ref) => qualify(ctx, ref.package, declTsName(ref)));
  const docs = jsDocs(method.docs, {
    since: method.since,
    deprecated: method.deprecated,
    params: paramDocs,
    returns: method.outArgs.map((arg) => docsText(arg.docs)).filter((text) => text !== undefined).join(" ") || undefined,
    throws: throws.map((error) => `{@link ${error}} when the server reports it.`),
    note: method.idempotent ? "Idempotent: safe to retry." : undefined,
  });
  if (method.oneway) {
    return [
      {
        name,
        docs: jsDocs(method.docs, { since: method.since, deprecated: method.deprecated, params: paramDocs, note: "Fire-and-forget: no reply is awaited." }),
        parameters,
        returnType: "void",
        statements: [`this.#port.callOneway(${wire}, ${argList});`],
      },
    ];
  }
  const options = runtimeType(ctx, "CallOptions");
  const result = resultType(ctx, method);
  const errors = `[${throws.join(", ")}]`;
  const call =
    method.outArgs.length === 0
      ? `${runtime(ctx, "callRemoteVoid")}(this.#port, ${wire}, ${argList}, ${errors}, options)`
      : `${runtime(ctx, "callRemote")}(this.#port, ${wire}, ${argList}, ${memberPath(iface, "methods", method.name, "result")}, ${errors}, options)`;
  const promiseForm: OptionalKind<MethodDeclarationStructure> = {
    name,
    docs,
    parameters: [...parameters, { name: "options", type: options, hasQuestionToken: true }],
    returnType: `Promise<${result}>`,
    statements: [`return ${call};`],
  };
  if (names.callback === undefined) return [promiseForm];
  return [
    promiseForm,
    {
      name: names.callback,
      docs: jsDocs(undefined, { deprecated: method.deprecated, note: `Callback form of {@link ${clientName(iface)}.${name}}.` }),
      parameters: [
        ...parameters,
        { name: "callback", type: `${runtimeType(ctx, "Callback")}<${result}>` },
        { name: "options", type: options, hasQuestionToken: true },
      ],
      returnType: "void",
      statements: [`${runtime(ctx, "settleCallback")}(this.${name}(${[...params, "options"].join(", ")}), callback);`],
    },
  ];
}

function signalMember(
  ctx: FileContext,
  iface: InterfaceModel,
  signal: SignalModel,
  name: string,
): OptionalKind<MethodDeclarationStructure> {
  const params = uniqueNames(signal.args, new Set());
  const listenerType = `(${signal.args.map((arg, index) => `${params[index]}: ${tsType(ctx, arg.type)}`).join(", ")}) => void`;
  return {
    name,
    docs: jsDocs(signal.docs, {
      note: signal.topic === undefined ? undefined : `Event-bus topic: \`${signal.topic}\`.`,
      since: signal.since,
      deprecated: signal.deprecated,
      params: [
        { name: "listener", text: `called with the ${signal.keyword}'s arguments: ${params.join(", ") || "none"}` },
        { name: "onInvalid", text: `called instead when a ${signal.keyword} fails validation` },
      ],
      returns: "a function that unsubscribes",
    }),
    parameters: [
      { name: "listener", type: listenerType },
      { name: "onInvalid", type: runtimeType(ctx, "InvalidMessageHandler"), hasQuestionToken: true },
    ],
    returnType: "() => void",
    statements: [
      `return ${runtime(ctx, "subscribeSignal")}(this.#port, ${descriptorName(iface)}.name, ${JSON.stringify(signal.name)}, ${memberPath(iface, "signals", signal.name, "args")}, ${signal.args.length}, listener, onInvalid);`,
    ],
  };
}

function propertyMembers(
  ctx: FileContext,
  iface: InterfaceModel,
  property: PropertyModel,
  names: PropertyTsNames,
): OptionalKind<MethodDeclarationStructure>[] {
  const type = tsType(ctx, property.type);
  const options = { name: "options", type: runtimeType(ctx, "CallOptions"), hasQuestionToken: true };
  const schema = memberPath(iface, "properties", property.name, "value");
  const wireName = JSON.stringify(property.name);
  const out: OptionalKind<MethodDeclarationStructure>[] = [];
  if (names.get !== undefined) {
    out.push({
      name: names.get,
      docs: jsDocs(property.docs, { since: property.since, deprecated: property.deprecated, note: `Reads property \`${property.name}\`.` }),
      parameters: [options],
      returnType: `Promise<${type}>`,
      statements: [
        `return ${runtime(ctx, "callRemote")}(this.#port, ${descriptorName(iface)}.name, ${runtime(ctx, "PROPERTY_GET")}, [${wireName}], ${schema}, [], options);`,
      ],
    });
  }
  if (names.set !== undefined) {
    out.push({
      name: names.set,
      docs: jsDocs(property.docs, { since: property.since, deprecated: property.deprecated, note: `Writes property \`${property.name}\`.` }),
      parameters: [{ name: "value", type }, options],
      returnType: "Promise<void>",
      statements: [
        `return ${runtime(ctx, "callRemoteVoid")}(this.#port, ${descriptorName(iface)}.name, ${runtime(ctx, "PROPERTY_SET")}, [${wireName}, value], [], options);`,
      ],
    });
  }
  if (names.observe !== undefined) {
    out.push({
      name: names.observe,
      docs: jsDocs(property.docs, {
        deprecated: property.deprecated,
        note: `Calls \`listener\` with each new value of property \`${property.name}\`; returns a function that unsubscribes.`,
      }),
      parameters: [
        { name: "listener", type: `(value: ${type}) => void` },
        { name: "onInvalid", type: runtimeType(ctx, "InvalidMessageHandler"), hasQuestionToken: true },
      ],
      returnType: "() => void",
      statements: [
        `return ${runtime(ctx, "observeProperty")}(this.#port, ${descriptorName(iface)}.name, ${wireName}, ${schema}, listener, onInvalid);`,
      ],
    });
  }
  return out;
}
