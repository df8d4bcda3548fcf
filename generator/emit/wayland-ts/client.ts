/**
 * The client side of an interface: a proxy class with one method per request
 * and a map of typed event listeners.
 *
 * - A request whose new_id names an interface returns the new proxy of that
 *   interface (`surface.frame()` → `WlCallback`); the new_id's place in the
 *   argument list is passed to the runtime as `null`.
 * - The untyped new_id of `wl_registry.bind` becomes a proxy class and a
 *   version: `registry.bind(name, WlCompositor, 4)` → `WlCompositor`.
 * - A destructor request goes through `_destroyAfter`, which sends it and
 *   then retires the proxy (zombie rules live in the runtime).
 * - `on("event", listener)` (and `off`) is typed per event: object arguments arrive as
 *   proxies, a new_id as the proxy the runtime created for it.
 */
import type { ClassDeclarationStructure, InterfaceDeclarationStructure, MethodDeclarationStructure, OptionalKind } from "ts-morph";
import type { ArgModel, InterfaceModel, MethodModel, SignalModel } from "../../model.js";
import { jsDocs } from "../ts/docs.js";
import { propertyKey } from "../ts/names.js";
import { argTsType, isTypedNewId, isUntypedNewId, objectClass } from "./arg-types.js";
import { createDiagnostic } from "../../diagnostics.js";
import { rtType, rtValue, type WlFileContext } from "./context.js";
import { paramNames, requestMethodName, wlInterfaceNames } from "./names.js";

function paramDocs(args: readonly ArgModel[], names: readonly string[]): { name: string; text: string | undefined }[] {
  return args.map((a, i) => ({ name: names[i] as string, text: a.docs.summary }));
}

function requestMethod(ctx: WlFileContext, m: MethodModel, opcode: number): OptionalKind<MethodDeclarationStructure> {
  const names = paramNames(m.inArgs, ["proxyClass", "version"]);
  const newIds = m.inArgs.filter((a) => isTypedNewId(ctx, a) || isUntypedNewId(ctx, a));
  if (newIds.length > 1) {
    ctx.diagnostics.push(createDiagnostic("NIDL3003", "error", `request "${m.name}" has ${newIds.length} new_id arguments; the TypeScript bindings (like libwayland's stubs) support one per request`, m.span));
  }
  const newId = newIds[0];
  const params: { name: string; type: string }[] = [];
  const wire: string[] = [];
  m.inArgs.forEach((a, i) => {
    if (a === newId) {
      wire.push("null");
      if (isUntypedNewId(ctx, a)) params.push({ name: "proxyClass", type: `${rtType(ctx, "WlProxyClass")}<P>` }, { name: "version", type: "number" });
      return;
    }
    params.push({ name: names[i] as string, type: argTsType(ctx, a, "proxy") });
    wire.push(names[i] as string);
  });
  const argList = `[${wire.join(", ")}]`;
  const docs = jsDocs(m.docs, {
    since: m.since,
    deprecated: m.deprecated,
    params: paramDocs(m.inArgs.filter((a) => a !== newId), names.filter((_, i) => m.inArgs[i] !== newId)),
    returns: newId === undefined ? undefined : newId.docs.summary ?? "the new object",
    note: m.destructor ? "Destructor: the proxy is destroyed after this request is sent." : undefined,
  });
  const base = { name: requestMethodName(m), docs, parameters: params };
  if (newId === undefined) {
    const call = m.destructor ? "_destroyAfter" : "_request";
    return { ...base, returnType: "void", statements: [`this.${call}(${opcode}, ${argList});`] };
  }
  if (isUntypedNewId(ctx, newId)) {
    return {
      ...base,
      typeParameters: [{ name: "P", constraint: rtValue(ctx, "WlProxy") }],
      returnType: "P",
      statements: [`return this._requestNew(${opcode}, ${argList}, proxyClass, version);`],
    };
  }
  const cls = objectClass(ctx, newId, "proxy");
  return { ...base, returnType: cls, statements: [`return this._requestNew(${opcode}, ${argList}, ${cls});`] };
}

/** `export interface WlSurfaceEvents { enter: (output: WlOutput) => void; ... }`, or undefined without events. */
export function eventsInterface(ctx: WlFileContext, iface: InterfaceModel): InterfaceDeclarationStructure | undefined {
  const events = iface.members.filter((m): m is SignalModel => m.kind === "signal");
  if (events.length === 0) return undefined;
  const n = wlInterfaceNames(iface);
  return {
    kind: ctx.tsm.StructureKind.Interface,
    isExported: true,
    name: n.events,
    docs: [`The events of \`${iface.targets.wayland.name}\` with their listener types, by wire name (for \`${n.proxy}.on\`).`],
    properties: events.map((s) => {
      const names = paramNames(s.args);
      const params = s.args.map((a, i) => `${names[i]}: ${argTsType(ctx, a, "proxy")}`).join(", ");
      return {
        name: propertyKey(s.targets.wayland.name),
        type: `(${params}) => void`,
        docs: jsDocs(s.docs, { since: s.since, deprecated: s.deprecated, params: paramDocs(s.args, names) }),
      };
    }),
  };
}

/** The proxy class of an interface. */
export function proxyClass(ctx: WlFileContext, iface: InterfaceModel): ClassDeclarationStructure {
  const n = wlInterfaceNames(iface);
  const requests = iface.members.filter((m): m is MethodModel => m.kind === "method");
  const hasEvents = iface.members.some((m) => m.kind === "signal");
  const methods: OptionalKind<MethodDeclarationStructure>[] = requests.map((m, opcode) => requestMethod(ctx, m, opcode));
  if (hasEvents) {
    methods.push({
      name: "on",
      hasOverrideKeyword: true,
      docs: ["Adds a listener for an event (by its wire name); the arguments are typed per event."],
      typeParameters: [{ name: "K", constraint: `keyof ${n.events}` }],
      parameters: [{ name: "event", type: "K" }, { name: "listener", type: `${n.events}[K]` }],
      returnType: "this",
      statements: ["return super.on(event, listener);"],
    });
    methods.push({
      name: "off",
      hasOverrideKeyword: true,
      docs: ["Removes a listener added with `on`."],
      typeParameters: [{ name: "K", constraint: `keyof ${n.events}` }],
      parameters: [{ name: "event", type: "K" }, { name: "listener", type: `${n.events}[K]` }],
      returnType: "this",
      statements: ["return super.off(event, listener);"],
    });
  }
  return {
    kind: ctx.tsm.StructureKind.Class,
    isExported: true,
    name: n.proxy,
    extends: rtValue(ctx, "WlProxy"),
    docs: jsDocs(iface.docs, { deprecated: iface.deprecated, note: `Client proxy of \`${iface.targets.wayland.name}\` (version ${iface.version}).` }),
    properties: [{ name: "interface", isStatic: true, isReadonly: true, type: rtType(ctx, "WlInterface"), initializer: n.descriptor }],
    methods,
  };
}
