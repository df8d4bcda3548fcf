/**
 * The TypeScript names of the Wayland bindings. Type names come from the NIDL
 * names (as the `ts` target prints them: `wl_surface` → `WlSurface`, an enum
 * `wl_output.transform` → `WlOutputTransform`); the strings the runtime
 * matches (event names given to `on`, request names of a handler object) are
 * the Wayland wire names, so a listener or handler key is exactly what
 * `wayland.xml` says.
 */
import type { ArgModel, InterfaceModel, MethodModel, SignalModel } from "../../model.js";
import { camelCase, memberName, pascalCase, pascalWords } from "../ts/names.js";

/**
 * Members of the runtime base classes (WlObject, WlProxy, WlResource): a
 * request or event whose camelCase name is one of these gets a trailing `_`
 * so it cannot shadow the runtime.
 */
const BASE_MEMBERS: ReadonlySet<string> = new Set([
  "id", "version", "iface", "connection", "destroyed", "dispatch", "addDestroyListener", "toString",
  "on", "off", "destroyProxy", "client", "implementation", "postError", "destroyResource",
  "constructor", "__proto__",
]);

/** The names generated for one interface. */
export interface WlInterfaceNames {
  /** The client proxy class, `WlSurface`. */
  readonly proxy: string;
  /** The server resource class, `WlSurfaceResource`. */
  readonly resource: string;
  /** The map of event listeners of the proxy, `WlSurfaceEvents`. */
  readonly events: string;
  /** The request handlers a server implements, `WlSurfaceHandlers`. */
  readonly handlers: string;
  /** The descriptor constant, `wl_surface_interface` (libwayland's C name). */
  readonly descriptor: string;
}

/** The names of an interface's generated declarations. */
export function wlInterfaceNames(iface: InterfaceModel): WlInterfaceNames {
  const proxy = pascalCase(iface.name);
  return {
    proxy,
    resource: `${proxy}Resource`,
    events: `${proxy}Events`,
    handlers: `${proxy}Handlers`,
    descriptor: `${iface.targets.wayland.name}_interface`,
  };
}

function clearOfBase(name: string): string {
  return BASE_MEMBERS.has(name) ? `${name}_` : name;
}

/** A request's method on the proxy: camelCase of `@ts.name` or the NIDL name (`set_buffer_scale` → `setBufferScale`). */
export function requestMethodName(m: MethodModel): string {
  return clearOfBase(memberName(m.targets.ts.name ?? m.name));
}

/** An event's method on the resource: `sendEnter`, `sendGlobalRemove`. */
export function eventMethodName(s: SignalModel): string {
  return `send${pascalWords(s.targets.ts.name ?? s.name)}`;
}

/** Parameter names: camelCase, unique, clear of `taken` (e.g. the handler's `resource`). */
export function paramNames(args: readonly ArgModel[], taken: readonly string[] = []): string[] {
  const used = new Set(taken);
  return args.map((a, i) => {
    let name = a.name === undefined ? `arg${i}` : camelCase(a.name);
    while (used.has(name)) name = `${name}_`;
    used.add(name);
    return name;
  });
}
