/**
 * The runtime exports generated TypeScript imports by name (from
 * `options.runtimeImport`). Kept in one list because a NIDL declaration must
 * never take one of these names in a generated file: `names.ts` renames such
 * a declaration (`Callback` → `Callback_`), as it does for `Promise`.
 */

/** Runtime value exports generated code may use. */
export const RUNTIME_VALUE_SYMBOLS = [
  "IPCError", "DeclaredError", "PROPERTY_GET", "PROPERTY_SET", "PROPERTY_CHANGED", "callRemote", "callRemoteVoid",
  "settleCallback", "subscribeSignal", "observeProperty", "serveMethod", "serveProperties", "parsePayload",
  "emitTypedEvent", "onTypedEvent",
] as const;

/** Runtime exports that are types only (imported with `type`). */
export const RUNTIME_TYPE_SYMBOLS = [
  "RpcClientPort", "RpcServerPort", "CallOptions", "CallContext", "Callback", "Registration", "InvalidMessageHandler", "MethodEntry", "UnknownEnumValue",
  "EventPort", "EventReceipt", "Unlisten", "TypedEmitOptions", "TypedListenOptions", "TypedEventHandler",
] as const;

/** One runtime value export. */
export type RuntimeSymbol = (typeof RUNTIME_VALUE_SYMBOLS)[number];

/** One runtime type export. */
export type RuntimeTypeSymbol = (typeof RUNTIME_TYPE_SYMBOLS)[number];
