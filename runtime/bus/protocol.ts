/**
 * The bus protocol's constants and the few byte-level operations the daemon
 * does on frames it forwards without decoding them (idl/WIRE.md §12, "The bus
 * protocol"): reading an Event's topic or a Request's method name from the
 * fixed fields, stamping ids into the header and resealing the CRC.
 */
import { join } from "node:path";
import { readU16, readU32, writeU32 } from "../wire/bytes.js";
import { HEADER_SIZE, Offset } from "../wire/constants.js";
import { frameCrc32 } from "../wire/crc32.js";
import { runtimeDirectory } from "../transport/endpoint.js";

/** The interface of the daemon's own requests: `@bus.subscribe`, `@bus.emit`, ... */
export const BUS_IFACE = "@bus";
/** Separates the destination bus name from the method in a routed Request's method name: `org.nova.Clock/org.nova.Clock.now`. */
export const ROUTE_SEPARATOR = "/";
/** Topics under this prefix are the daemon's own (publishers cannot use them). */
export const BUS_TOPIC_PREFIX = "nova.bus.";
/** Broadcast whenever a well-known name changes owner: `{name, oldOwner, newOwner}` ("" = none). */
export const TOPIC_NAME_OWNER_CHANGED = "nova.bus.nameOwnerChanged";
/** Sent to one connection only: an event or request of it was refused and could not be answered otherwise. */
export const TOPIC_REJECTED = "nova.bus.rejected";
/** Sent to one subscriber only: events were dropped for it because it read too slowly (`{dropped, total}`). */
export const TOPIC_DROPPED = "nova.bus.dropped";

/** The protocol version `@bus.hello` reports. */
export const BUS_PROTOCOL_VERSION = 1;

/** Environment variable naming the bus socket (overrides the default path). */
export const BUS_SOCKET_ENV = "NOVA_BUS_SOCKET";

/** The default socket: `$NOVA_BUS_SOCKET`, else `$XDG_RUNTIME_DIR/nova/bus.sock`. */
export function defaultBusSocket(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[BUS_SOCKET_ENV];
  if (explicit !== undefined && explicit !== "") return explicit;
  return join(runtimeDirectory(env), "bus.sock");
}

/** Where the Event body's fixed fields start. */
const BODY = HEADER_SIZE;

/** The topic bytes of the Event frame at `b[p]`: `[start, end)`. */
export function eventTopicRange(b: Uint8Array, p: number): [number, number] {
  const n = readU16(b, p + BODY + 10);
  return [p + BODY + 12, p + BODY + 12 + n];
}

/** The method name bytes of the Request frame at `b[p]`: `[start, end)`. */
export function requestMethodRange(b: Uint8Array, p: number): [number, number] {
  const n = readU16(b, p + BODY + 8);
  return [p + BODY + 10, p + BODY + 10 + n];
}

/** The Request flags (body offset 4) of the Request frame at `b[p]`. */
export function requestFlags(b: Uint8Array, p: number): number {
  return readU32(b, p + BODY + 4);
}

/** The Request timeout in ms (body offset 0) of the Request frame at `b[p]`. */
export function requestTimeoutMs(b: Uint8Array, p: number): number {
  return readU32(b, p + BODY);
}

/** Reads a u64 header field as a number when it fits in 53 bits, else -1. */
export function readIdField(b: Uint8Array, o: number): number {
  const lo = readU32(b, o);
  const hi = readU32(b, o + 4);
  return hi < 0x20_0000 ? hi * 0x1_0000_0000 + lo : -1;
}

/** Writes a non-negative integer (< 2^53) into a u64 field. */
export function writeIdField(b: Uint8Array, o: number, v: number): void {
  writeU32(b, o, v >>> 0);
  writeU32(b, o + 4, Math.floor(v / 0x1_0000_0000));
}

/** Recomputes and stores the CRC of the frame at `b[p]` after its header or body was patched. */
export function resealFrame(b: Uint8Array, p: number): void {
  const len = readU32(b, p + Offset.payloadLength);
  writeU32(b, p + Offset.crc, frameCrc32(b, p, len));
}

/** The Event body's source id (body offset 0). */
export const EVENT_SOURCE_OFFSET = BODY;
