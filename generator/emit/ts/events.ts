/**
 * Typed bus events of an interface: `XEvents`, a class over an `EventPort` (the in-process event
 * bus through `inProcessEventPort`, or a `nova bus` connection) with, per signal that has an
 * event-bus topic, `emitY(args..., options?)` and `onY(handler, options?)`. Names come from
 * `targets/ts-names.ts` (the same `onY` / `emitY` as the RPC client and emitter, in their own
 * class). The data on the bus is an object keyed by the NIDL argument names; `onY` validates it
 * with the descriptor's `data` schema before the handler sees it (runtime/rpc/event-support.ts).
 *
 * Signals without a topic, and RPC delivery of every signal, are untouched: the client's
 * `onY(listener)` and the server's `XEmitter` work as before.
 */
import type { ClassDeclarationStructure, MethodDeclarationStructure, OptionalKind } from "ts-morph";
import type { InterfaceModel, SignalModel } from "../../model.js";
import { runtime, runtimeType, type FileContext } from "./file-context.js";
import { descriptorName, uniqueNames } from "./interface-descriptor.js";
import { docsText, jsDocs } from "./docs.js";
import { propertyAccess, propertyKey } from "./names.js";
import { interfaceTsNames } from "../../targets/ts-names.js";
import { tsType } from "./type-mapping.js";
import { eventDataKeys } from "../../resolve/event-topics.js";

/** Names the generated methods add beside the signal's parameters. */
const EVENTS_RESERVED = new Set(["options", "handler"]);

/** The TypeScript type of a signal's event data: `{ id: number; app_id: string }`. */
function dataType(ctx: FileContext, signal: SignalModel): string {
  const keys = eventDataKeys(signal.args);
  if (signal.args.length === 0) return "Record<string, never>";
  return `{ ${signal.args.map((arg, index) => `${propertyKey(keys[index] as string)}: ${tsType(ctx, arg.type)}`).join("; ")} }`;
}

/** `XEvents`, or undefined when no signal of the interface has a topic. */
export function eventsClass(ctx: FileContext, iface: InterfaceModel): ClassDeclarationStructure | undefined {
  const names = interfaceTsNames(iface);
  if (names.events === undefined) return undefined;
  const port = runtimeType(ctx, "EventPort");
  const d = descriptorName(iface);
  const methods: OptionalKind<MethodDeclarationStructure>[] = [];
  const topics: string[] = [];
  for (const signal of iface.signals) {
    const topic = signal.topic;
    if (topic === undefined) continue;
    const member = names.signal(signal);
    const params = uniqueNames(signal.args, EVENTS_RESERVED);
    const keys = eventDataKeys(signal.args);
    const type = dataType(ctx, signal);
    const fields = keys.map((key, index) => (propertyKey(key) === params[index] ? key : `${propertyKey(key)}: ${params[index]}`));
    const persisted = signal.persistent ? " Persistent: the event is written to the event log, and the emit resolves once it is durable (with its offset)." : "";
    topics.push(`${propertyKey(signal.name)}: ${JSON.stringify(topic)},`);
    methods.push({
      name: member.emit,
      docs: jsDocs(signal.docs, {
        since: signal.since,
        deprecated: signal.deprecated,
        note: `Publishes to topic \`${topic}\` with data \`{ ${keys.join(", ")} }\`.${persisted}`,
        params: [
          ...signal.args.map((arg, index) => ({ name: params[index] as string, text: docsText(arg.docs) })),
          { name: "options", text: "the event's priority" },
        ],
        returns: "the event's id (and log offset when persisted) once the port accepted it",
      }),
      parameters: [
        ...signal.args.map((arg, index) => ({ name: params[index] as string, type: tsType(ctx, arg.type) })),
        { name: "options", type: runtimeType(ctx, "TypedEmitOptions"), hasQuestionToken: true },
      ],
      returnType: `Promise<${runtimeType(ctx, "EventReceipt")}>`,
      statements: [`return ${runtime(ctx, "emitTypedEvent")}(this.#port, ${JSON.stringify(topic)}, { ${fields.join(", ")} }, ${signal.persistent}, options);`],
    });
    methods.push({
      name: member.on,
      docs: jsDocs(signal.docs, {
        deprecated: signal.deprecated,
        note: `Listens to topic \`${topic}\`. Data that does not match the declaration goes to \`options.onInvalid\` (IPCError \`MessageValidationFailed\`), never to \`handler\`.`,
        params: [
          { name: "handler", text: `called with the validated data ({ ${keys.join(", ")} }) and the bus event` },
          { name: "options", text: "priority, a filter over the data, and the invalid-data hook" },
        ],
        returns: "a function that stops listening, once the listener is registered",
      }),
      parameters: [
        { name: "handler", type: `${runtimeType(ctx, "TypedEventHandler")}<${type}>` },
        { name: "options", type: runtimeType(ctx, "TypedListenOptions"), hasQuestionToken: true },
      ],
      returnType: `Promise<${runtimeType(ctx, "Unlisten")}>`,
      statements: [
        `return ${runtime(ctx, "onTypedEvent")}(this.#port, ${d}.name, ${JSON.stringify(signal.name)}, ${JSON.stringify(topic)}, ${d}.signals${propertyAccess(signal.name)}.data, handler, options);`,
      ],
    });
  }
  const pattern = iface.topic === undefined ? "" : ` Topics derive from \`${iface.topic}\`.`;
  return {
    kind: ctx.tsm.StructureKind.Class,
    isExported: true,
    name: names.events,
    docs: [`Typed event-bus events of \`${iface.qualifiedName}\` over an {@link ${port}} (in-process bus or \`nova bus\`).${pattern}`],
    properties: [
      {
        name: "topics",
        isStatic: true,
        isReadonly: true,
        docs: ["The event-bus topic of each signal, by NIDL name."],
        initializer: `{\n${topics.map((line) => `  ${line}`).join("\n")}\n} as const`,
      },
      { name: "#port", isReadonly: true, type: port },
    ],
    ctors: [{ docs: ["Binds the events to a port."], parameters: [{ name: "port", type: port }], statements: ["this.#port = port;"] }],
    methods,
  };
}
