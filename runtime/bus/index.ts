/**
 * The bus daemon and its client (issue 12 item 3): cross-process pub/sub with
 * patterns and filters evaluated in the daemon, well-known names, RPC routed
 * by name, and the persistent event log behind it. README.md in this folder;
 * the protocol is idl/WIRE.md §12.
 */
export { BusDaemon, type BusDaemonOptions, type BusStats } from "./daemon.js";
export { BusClient, connectBus, type BusClientOptions, type BusHandlerOptions } from "./client.js";
export { isWellKnownName, uniqueName, type NameFlags, type RequestNameResult, type ReleaseNameResult } from "./names.js";
export type { SlowSubscriberPolicy } from "./daemon-conn.js";
export {
  BUS_IFACE,
  BUS_PROTOCOL_VERSION,
  BUS_SOCKET_ENV,
  TOPIC_NAME_OWNER_CHANGED,
  TOPIC_REJECTED,
  TOPIC_DROPPED,
  defaultBusSocket,
} from "./protocol.js";
