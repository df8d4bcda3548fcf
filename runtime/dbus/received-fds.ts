/**
 * Descriptors that arrived with a message belong to whoever handles it. When
 * the export or the proxy rejects or drops a message before any handler saw
 * it (wrong signature, unknown member, a value that does not convert), it
 * closes them, so a peer cannot leak descriptors into this process by sending
 * them with bad calls or unwanted signals.
 */
import { closeFds } from "../transport/descriptors.js";
import type { DbusMessage } from "./wire/message.js";

/** Closes the descriptors received with `msg` (nothing to do for most messages). */
export function closeReceivedFds(msg: DbusMessage): void {
  closeFds(msg.fds);
}
