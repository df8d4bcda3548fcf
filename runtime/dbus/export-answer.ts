/**
 * How the export answers one incoming call without ever throwing back into
 * the connection (a throw there would become an uncaught exception): a
 * result that does not encode (a value out of its type's range, seen only by
 * the wire encoder) becomes an error reply; an error reply whose fields do
 * not encode falls back to the message alone; a connection that closed
 * meanwhile leaves nobody to answer, and nothing is sent.
 */
import type { DbusConnection } from "./connection.js";
import { failureToDbusError } from "./dbus-errors.js";
import type { DbusDeclaredError } from "./descriptor.js";
import { closeReceivedFds } from "./received-fds.js";
import { MessageFlags, type DbusMessage } from "./wire/message.js";

/** The answer to one call. */
export class CallAnswer {
  constructor(
    private readonly conn: DbusConnection,
    private readonly msg: DbusMessage,
    /** The interface's declared errors by NIDL name (empty before the interface is known). */
    private readonly declared: ReadonlyMap<string, DbusDeclaredError>,
  ) {}

  /** False when the caller set NO_REPLY_EXPECTED: a result need not even be converted. */
  get wanted(): boolean {
    return (this.msg.flags & MessageFlags.NO_REPLY_EXPECTED) === 0;
  }

  /** Sends the method_return. */
  ok(signature: string, body: unknown[]): void {
    try {
      this.conn.reply(this.msg, signature, body);
    } catch (failure) {
      this.fail(failure);
    }
  }

  /** Sends what a handler threw (or a conversion failed with) as its D-Bus error. */
  fail(failure: unknown): void {
    const e = failureToDbusError(failure, this.declared);
    try {
      this.conn.replyError(this.msg, e.name, e.message, e.signature, e.body);
    } catch {
      this.#send(e.name, e.message);
    }
  }

  /** Refuses the call before any handler saw it (a standard D-Bus error); closes what descriptors it brought. */
  reject(errorName: string, text: string): void {
    closeReceivedFds(this.msg);
    this.#send(errorName, text);
  }

  #send(errorName: string, text: string): void {
    try {
      this.conn.replyError(this.msg, errorName, text);
    } catch {
      // The connection is gone: there is nobody left to answer.
    }
  }
}
