/**
 * The server side of an interface: a resource class with one `sendX` method
 * per event, and the handlers interface the server code implements for its
 * requests (keys are the requests' wire names, like the event names of the
 * client's `on`; each handler gets the resource first, then the arguments:
 * objects as resources, a typed new_id as the resource the runtime created
 * for it, the untyped new_id of `wl_registry.bind` in its raw form).
 */
import type { ClassDeclarationStructure, InterfaceDeclarationStructure } from "ts-morph";
import type { InterfaceModel, MethodModel, SignalModel } from "../../model.js";
import { jsDocs } from "../ts/docs.js";
import { propertyKey } from "../ts/names.js";
import { argTsType } from "./arg-types.js";
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

/** The resource class of an interface. */
export function resourceClass(ctx: WlFileContext, iface: InterfaceModel): ClassDeclarationStructure {
  const n = wlInterfaceNames(iface);
  const events = iface.members.filter((m): m is SignalModel => m.kind === "signal");
  return {
    kind: ctx.tsm.StructureKind.Class,
    isExported: true,
    name: n.resource,
    extends: rtValue(ctx, "WlResource"),
    docs: [`Server resource of \`${iface.targets.wayland.name}\` (version ${iface.version}): one \`send\` method per event.`],
    properties: [{ name: "interface", isStatic: true, isReadonly: true, hasOverrideKeyword: true, type: rtType(ctx, "WlInterface"), initializer: n.descriptor }],
    methods: events.map((s, opcode) => {
      const names = paramNames(s.args);
      return {
        name: eventMethodName(s),
        docs: jsDocs(s.docs, {
          since: s.since,
          deprecated: s.deprecated,
          params: s.args.map((a, i) => ({ name: names[i] as string, text: a.docs.summary })),
          note: s.destructor ? "Destructor: the resource is destroyed after this event is sent." : undefined,
        }),
        parameters: s.args.map((a, i) => ({ name: names[i] as string, type: argTsType(ctx, a, "resource") })),
        returnType: "void",
        statements: [`this._event(${opcode}, [${names.join(", ")}]);`],
      };
    }),
  };
}
