/**
 * The runtime surface that generated Wayland bindings (`nova-gen generate --target wayland-ts`) import:
 * the base classes, the class registry and the descriptor type, and nothing else. Kept as its own
 * module (the package entry `novade-ipc/runtime/wayland-bindings`, and `../bindings-support.js` for the
 * checked-in bindings of runtime/wayland/protocols/) so that generated code names one import and never
 * depends on where the runtime keeps each piece.
 */
export { WlProxy, WlResource, registerWlClasses, type WlProxyClass, type WlResourceClass } from "./proxy.js";
export type { WlInterface } from "./descriptor.js";
