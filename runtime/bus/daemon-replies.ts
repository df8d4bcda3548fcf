/**
 * Responses the daemon writes itself: replies to `@bus.*` requests, and error
 * replies to requests it could not route (no owner, bad name, undecodable).
 */
import type { IPCError } from "../errors.js";
import { FLAG_ONEWAY, STATUS_ERROR, STATUS_OK } from "../rpc/rpc-protocol.js";
import type { ResponseMessage } from "../wire/message.js";
import { nextMessageId, nowNs } from "../wire/message-id.js";
import type { DaemonConnection } from "./daemon-conn.js";

/** Queues `message` to `conn`, waiting for room in the background when its queue is full. */
export function sendMessage(conn: DaemonConnection, message: ResponseMessage): void {
  if (conn.closed) return;
  try {
    if (conn.channel.trySend(message)) return;
  } catch {
    return; // closed meanwhile
  }
  conn.channel.send(message).catch(() => undefined);
}

/** A success reply to request `id`, in payload format `format` (0 msgpack, 1 JSON). */
export function replyValue(conn: DaemonConnection, id: bigint, format: number, value: unknown, flags = 0): void {
  if ((flags & FLAG_ONEWAY) !== 0) return;
  sendMessage(conn, response(id, format, { status: STATUS_OK, value: value === undefined ? null : value, error: null, executionTimeUs: 0 }));
}

/**
 * An error reply to request `id`. A oneway request gets none (it asked for
 * none); the daemon then tells the sender with a `nova.bus.rejected` event
 * instead, see BusDaemon.reject.
 */
export function replyError(conn: DaemonConnection, id: bigint, format: number, error: IPCError, flags = 0): void {
  if ((flags & FLAG_ONEWAY) !== 0 || id === 0n) return;
  sendMessage(conn, response(id, format, { status: STATUS_ERROR, value: null, error: { code: error.code, message: error.message }, executionTimeUs: 0 }));
}

/** A Response of the daemon to request `id`, in payload format `format` (0 msgpack, 1 JSON). */
function response(id: bigint, format: number, body: ResponseMessage["body"]): ResponseMessage {
  return { type: "response", messageId: nextMessageId(), correlationId: id, timestampNs: nowNs(), format: format === 1 ? "json" : "msgpack", body };
}
