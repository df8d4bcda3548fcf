/**
 * The public D-Bus API of the runtime (runtime/dbus/README.md), re-exported by `novade-ipc/runtime`:
 * connections and addresses, serving a generated skeleton (`exportService`), calling a service
 * (`dbusProxy`), ObjectManager on both sides, monitoring, the `dbus` protocol handler, and a
 * private bus for tests (`startPrivateBus`). Names that would clash with the rest of the
 * runtime (call and proxy options, the `nova bus` name flags) carry a `Dbus` prefix here.
 */
export {
  DbusConnection,
  type ConnectOptions as DbusConnectOptions,
  type CallOptions as DbusCallOptions,
  type CallMessage as DbusCallMessage,
  type Replier as DbusReplier,
  type MethodCallHandler as DbusMethodCallHandler,
  type MatchRule,
} from "./connection.js";
export { escapeValue, parseAddresses, sessionBusAddress, socketTarget, systemBusAddress, type DbusAddress, type SocketTarget } from "./address.js";
export { NameFlags as DbusNameFlags, type ReleaseNameResult as DbusReleaseNameResult, type RequestNameResult as DbusRequestNameResult } from "./bus-names.js";
export { exportService, type DbusServerPort, type ExportOptions as DbusExportOptions, type NameState, type ServedInterface } from "./export.js";
export { dbusProxy, type DbusClientPort, type ProxyOptions as DbusProxyOptions } from "./proxy.js";
export { ObjectTree, objectTree, OBJECT_MANAGER, type InterfacesAndProperties } from "./object-manager.js";
export { objectManagerProxy, type ObjectManagerProxy, type ObjectManagerProxyOptions } from "./object-manager-proxy.js";
export { DbusMonitor, type MonitorOptions as DbusMonitorOptions } from "./monitor.js";
export { DbusErrorNames } from "./dbus-errors.js";
export { DBUS_PROTOCOL, DBUS_PROTOCOL_VERSIONS, dbusProtocolHandler, isDbusMessage } from "./protocol-handler.js";
export { MessageFlags, Variant, type DbusMessage, type DbusMessageType } from "./wire/index.js";
export { startPrivateBus, type PrivateBus, type PrivateBusOptions } from "./private-bus.js";
