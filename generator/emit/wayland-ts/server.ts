/**
 * The server side of an interface: a resource class with one `sendX` method
 * per event, and the handlers interface the server code implements for its
 * requests (keys are the requests' wire names, like the event names of the
 * client's `on`; each handler gets the resource first, then the arguments:
 * objects as resources, a typed new_id as the resource the runtime created
 * for it, the untyped new_id of `wl_registry.bind` in its raw form). The
 * resource's `implementation` is typed `Partial<Handlers>`, so a handler
 * object gets its parameter types from context. An event that creates an
 * object (`wl_data_device.data_offer`) returns the new resource, which the
 * runtime allocates among the server's ids.
 */
import type { ClassDeclarationStructure, InterfaceDeclarationStructure, MethodDeclarationStructure, OptionalKind, PropertyDeclarationStructure } from "ts-morph";
import { createDiagnostic } from "../../diagnostics.js";
import type { InterfaceModel, MethodModel, SignalModel } from "../../model.js";
import { jsDocs } from "../ts/docs.js";
import { propertyKey } from "../ts/names.js";
import { argTsType, isTypedNewId, isUntypedNewId, objectClass } from "./arg-types.js";
import { rtType, rtValue, type WlFileContext } from "./context.js";
import { eventMethodName, paramNames, wlInterfaceNames } from "./names.js";

/** `export interface WlSurfaceHandlers { attach(resource, buffer, x, y): void; ... }`, or undefined without requests. */
export function handlersInterface(ctx: WlFileContext, iface: InterfaceModel): InterfaceDeclarationStructure | undefined {
  const requests = iface.members.filter((m): m is MethodModel => m.kind === "method");
  if (requests.length === 0) return undefined;
  const n = wlInterfaceNames(iface);
  return {
    kind: ctx.tsm.StructureKind.Interface,
    isExported: true,
    name: n.handlers,
    docs: [`What a server does on the requests of \`${iface.targets.wayland.name}\`, by wire name; every handler gets the resource first.`],
    methods: requests.map((m) => {
      const names = paramNames(m.inArgs, ["resource"]);
      return {
        name: propertyKey(m.targets.wayland.name),
        docs: jsDocs(m.docs, {
          since: m.since,
          deprecated: m.deprecated,
          params: m.inArgs.map((a, i) => ({ name: names[i] as string, text: a.docs.summary })),
          note: m.destructor ? "Destructor: the runtime destroys the resource after this handler returns." : undefined,
        }),
        parameters: [{ name: "resource", type: n.resource }, ...m.inArgs.map((a, i) => ({ name: names[i] as string, type: argTsType(ctx, a, "resource") }))],
        returnType: "void",
      };
    }),
  };
}

function eventMethod(ctx: WlFileContext, s: SignalModel, opcode: number): OptionalKind<MethodDeclarationStructure> {
  const newIds = s.args.filter((a) => isTypedNewId(ctx, a) || isUntypedNewId(ctx, a));
  const newId = newIds[0];
  if (newIds.length > 1 || (newId !== undefined && isUntypedNewId(ctx, newId))) {
    ctx.diagnostics.push(createDiagnostic("NIDL3003", "error", `event "${s.name}": the TypeScript bindings support one typed new_id per event`, s.span));
  }
  const names = paramNames(s.args);
  const kept = s.args.map((a, i) => ({ a, name: names[i] as string })).filter(({ a }) => a !== newId);
  const wire = `[${s.args.map((a, i) => (a === newId ? "null" : names[i])).join(", ")}]`;
  const base = {
    name: eventMethodName(s),
    docs: jsDocs(s.docs, {
      since: s.since,
      deprecated: s.deprecated,
      params: kept.map(({ a, name }) => ({ name, text: a.docs.summary })),
      returns: newId === undefined ? undefined : newId.docs.summary ?? "the new resource",
      note: s.destructor ? "Destructor: the resource is destroyed after this event is sent." : undefined,
    }),
    parameters: kept.map(({ a, name }) => ({ name, type: argTsType(ctx, a, "resource") })),
  };
  if (newId === undefined) return { ...base, returnType: "void", statements: [`this._event(${opcode}, ${wire});`] };
  // A server-created object (id >= 0xFF000000, e.g. wl_data_device.data_offer): created and returned.
  const cls = objectClass(ctx, newId, "resource");
  return { ...base, returnType: cls, statements: [`return this._eventNew(${opcode}, ${wire}, ${cls});`] };
}

/** The resource class of an interface. */
export function resourceClass(ctx: WlFileContext, iface: InterfaceModel): ClassDeclarationStructure {
  const n = wlInterfaceNames(iface);
  const events = iface.members.filter((m): m is SignalModel => m.kind === "signal");
  const hasRequests = iface.members.some((m) => m.kind === "method");
  const properties: OptionalKind<PropertyDeclarationStructure>[] = [
    { name: "interface", isStatic: true, isReadonly: true, type: rtType(ctx, "WlInterface"), initializer: n.descriptor },
  ];
  if (hasRequests) {
    properties.push({
      name: "implementation",
      hasDeclareKeyword: true,
      docs: [`The handlers of this resource's requests (typed; a request without a handler is ignored, a destructor still destroys).`],
      type: `Partial<${n.handlers}> | undefined`,
    });
  }
  return {
    kind: ctx.tsm.StructureKind.Class,
    isExported: true,
    name: n.resource,
    extends: rtValue(ctx, "WlResource"),
    docs: [`Server resource of \`${iface.targets.wayland.name}\` (version ${iface.version}): one \`send\` method per event.`],
    properties,
    methods: events.map((s, opcode) => eventMethod(ctx, s, opcode)),
  };
}
