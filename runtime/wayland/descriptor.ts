/**
 * Plain-data descriptions of Wayland interfaces, the TypeScript twin of
 * libwayland's `wl_interface` / `wl_message`. The wire codec is driven by
 * them (no per-interface code runs to encode or decode), and generated
 * bindings (runtime/wayland/protocols/) export one {@link WlInterface} per
 * protocol interface, built from the protocol XML through nova-gen.
 */

/** The argument types of the Wayland wire protocol. */
export type WlArgType = "int" | "uint" | "fixed" | "string" | "object" | "new_id" | "array" | "fd";

/**
 * One argument of a request or event.
 *
 * A `new_id` with no `interface` is the untyped form (`wl_registry.bind`): on
 * the wire it is a string (interface name), a uint (version) and the new id.
 */
export interface WlArg {
  readonly name: string;
  readonly type: WlArgType;
  /** The interface an `object` or `new_id` argument refers to (its name). */
  readonly interface?: string;
  /** `object`, `string` (and, in some protocols, `new_id`) arguments may be null (0 / length 0 on the wire). */
  readonly nullable?: boolean;
  /** The enum this `int`/`uint` holds, `"iface.name"` or `"name"` as in the XML (documentation and typing only). */
  readonly enum?: string;
}

/** One request or event; its opcode is its index in {@link WlInterface.requests} or {@link WlInterface.events}. */
export interface WlMessage {
  readonly name: string;
  /** The interface version that introduced the message (1 when the XML says nothing). */
  readonly since: number;
  /** A destructor: the object is destroyed once the message has been sent (or dispatched). */
  readonly destructor?: boolean;
  readonly args: readonly WlArg[];
}

/** One protocol interface. */
export interface WlInterface {
  readonly name: string;
  /** The highest version this description knows. */
  readonly version: number;
  readonly requests: readonly WlMessage[];
  readonly events: readonly WlMessage[];
}

/** The id of `wl_display`, the one object that exists before any message. */
export const WL_DISPLAY_ID = 1;
/** The highest id a client allocates. */
export const WL_CLIENT_ID_MAX = 0xfeffffff;
/** The first id a server allocates (for objects it creates, e.g. `wl_data_offer`). */
export const WL_SERVER_ID_START = 0xff000000;
/** The highest id a server allocates. */
export const WL_SERVER_ID_MAX = 0xffffffff;

/** `wl_display.error` codes a compositor uses for failures of the core protocol itself. */
export const WlDisplayErrorCode = {
  /** A message addressed an object that does not exist. */
  invalid_object: 0,
  /** A message was malformed or its opcode unknown. */
  invalid_method: 1,
  /** The server ran out of memory. */
  no_memory: 2,
  /** An implementation error in the compositor. */
  implementation: 3,
} as const;
