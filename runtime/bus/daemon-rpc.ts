/**
 * Routing an RPC Request addressed to a bus name (idl/WIRE.md §12.5): the
 * method name is `DESTINATION/METHOD`, DESTINATION a well-known name or a
 * unique name `:N`. The owner receives the Request with method `METHOD`.
 */
import { IPCError } from "../errors.js";
import { FLAG_ONEWAY } from "../rpc/rpc-protocol.js";
import { readU32, readU64 } from "../wire/bytes.js";
import { Flag, Offset } from "../wire/constants.js";
import type { DaemonConnection } from "./daemon-conn.js";
import { replyError } from "./daemon-replies.js";
import { parseUniqueName } from "./names.js";
import { requestFlags, requestTimeoutMs } from "./protocol.js";
import { forwardedRequest, type RoutedCalls } from "./routed-calls.js";

/** What routing needs from the daemon. */
export interface RpcRouteHost {
  readonly calls: RoutedCalls;
  readonly conns: ReadonlyMap<number, DaemonConnection>;
  readonly names: { owner(name: string): number | undefined };
  readonly limits: { readonly defaultCallTimeoutMs: number };
  readonly counters: { callsRouted: number };
  reject(conn: DaemonConnection, error: IPCError, messageId: number, what: string): void;
}

const SLASH = 0x2f;

/** Routes the Request frame `b[p]` of `from`, whose method name is `b[s, e)`. Never throws. */
export function routeRequest(host: RpcRouteHost, from: DaemonConnection, b: Uint8Array, p: number, s: number, e: number): void {
  const messageId = readU64(b, p + Offset.messageId);
  const format = b[p + Offset.flags] & Flag.formatMask;
  const flags = requestFlags(b, p);
  const oneway = (flags & FLAG_ONEWAY) !== 0;
  const fail = (error: IPCError): void => {
    if (oneway) host.reject(from, error, Number(messageId), method());
    else replyError(from, messageId, format, error, flags);
  };
  const method = (): string => Buffer.from(b.buffer, b.byteOffset + s, e - s).toString("utf8");
  if (messageId === 0n) {
    // Its Response could not be told from "not a response" (idl/WIRE.md §7): the peer's ids are broken.
    void from.channel.close(false).catch(() => undefined);
    return;
  }
  let slash = -1;
  for (let i = s; i < e; i++) {
    if (b[i] === SLASH) {
      slash = i;
      break;
    }
  }
  if (slash <= s || slash === e - 1) {
    fail(new IPCError("MethodNotFound", `the bus serves no method ${JSON.stringify(method())}: address a bus name, as NAME/interface.member`, { context: { method: method() } }));
    return;
  }
  const dest = Buffer.from(b.buffer, b.byteOffset + s, slash - s).toString("utf8");
  const ownerId = dest.startsWith(":") ? parseUniqueName(dest) : host.names.owner(dest);
  const target = ownerId === undefined ? undefined : host.conns.get(ownerId);
  if (target === undefined || target.closed) {
    fail(new IPCError("EndpointUnreachable", `no connection owns the bus name ${JSON.stringify(dest)}`, { context: { name: dest, method: method() } }));
    return;
  }
  const rest = b.slice(slash + 1, e);
  const id = host.calls.allocate();
  const out = forwardedRequest(b, p, rest, id);
  host.counters.callsRouted++;
  if (!oneway) {
    const timeout = requestTimeoutMs(b, p);
    host.calls.add({
      id,
      caller: from,
      callerIdLo: readU32(b, p + Offset.messageId),
      callerIdHi: readU32(b, p + Offset.messageId + 4),
      callerIdText: messageId.toString(),
      format,
      target,
      method: method(),
      deadline: Date.now() + (timeout > 0 ? timeout + 1000 : host.limits.defaultCallTimeoutMs),
    });
  }
  target.deliver(out, 0, out.length);
}
