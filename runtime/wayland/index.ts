/**
 * The Wayland runtime's public surface (`novade-ipc/wayland`): the client and
 * server runtimes, display sockets, the NovaDE globals, the connection and
 * its object model, the wire codec and the protocol handler. The generated
 * bindings of the core protocol, xdg-shell and the NovaDE shell are
 * `novade-ipc/wayland/protocols/<module>` (wayland, xdg_shell, nova_shell_v1).
 * See runtime/wayland/README.md.
 */
export { WaylandClient, nextEvent, type ConnectOptions, type GlobalInfo } from "./client.js";
export { WaylandServer, ServerClient, type ListenOptions } from "./server.js";
export {
  DEFAULT_DISPLAY,
  connectDisplay,
  displayPath,
  listenDisplay,
  resolveDisplayAddress,
  type DisplayAddress,
  type DisplaySocket,
  type ListenDisplayOptions,
} from "./display-socket.js";
export * from "./globals/index.js";
export { WlConnection, type WlConnectionOptions } from "./connection.js";
export { ObjectMap, WlZombie, type WlSide } from "./object-map.js";
export {
  WlObject,
  WlProxy,
  WlResource,
  camelName,
  lookupWlInterface,
  proxyClassFor,
  registerWlClasses,
  registerWlInterface,
  resourceClassFor,
  type WlClient,
  type WlImplementation,
  type WlListener,
  type WlObjectClass,
  type WlProxyClass,
  type WlResourceClass,
} from "./proxy.js";
export {
  WL_CLIENT_ID_MAX,
  WL_DISPLAY_ID,
  WL_SERVER_ID_MAX,
  WL_SERVER_ID_START,
  WlDisplayErrorCode,
  type WlArg,
  type WlArgType,
  type WlInterface,
  type WlMessage,
} from "./descriptor.js";
export { WL_DEFAULT_MAX_MESSAGE_SIZE, WL_HEADER_SIZE, WL_MAX_WIRE_MESSAGE_SIZE, type WlUntypedNewId } from "./wire.js";
export { WAYLAND_PROTOCOL, WAYLAND_PROTOCOL_VERSIONS, isWlWireMessage, waylandProtocolHandler, type WlWireMessage } from "./protocol-handler.js";
