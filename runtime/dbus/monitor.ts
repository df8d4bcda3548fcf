/**
 * A monitoring connection (D-Bus specification, org.freedesktop.DBus.Monitoring
 * BecomeMonitor): after Hello and BecomeMonitor the bus sends it a copy of
 * every message matching the rules, and the connection may send nothing
 * more (the bus would disconnect it).
 *
 * Not a {@link DbusConnection}: that one answers incoming method calls
 * (UnknownMethod, Peer.Ping) and correlates replies by serial, and a monitor
 * sees other connections' calls and replies, which it must neither answer nor
 * take for its own. So it drives the socket (socket-io.ts) itself; the only
 * replies it waits for are those to its own two calls.
 */
import { closeReceivedFds } from "./received-fds.js";
import { IPCError } from "../errors.js";
import { openBusSocket, resolveAddress } from "./connection-open.js";
import { parseMatchRule } from "./match-rule.js";
import { DbusSocket } from "./socket-io.js";
import type { DbusMessage } from "./wire/message.js";

/** Options of {@link DbusMonitor.start}. */
export interface MonitorOptions {
  address?: string;
  bus?: "session" | "system";
  /** Match rules (`type='signal',interface='org.example.X'`); none: every message. */
  rules?: readonly string[];
  /** Limit for connecting, Hello and BecomeMonitor (default 25 000 ms). */
  timeoutMs?: number;
}

const BUS = { destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus" } as const;

/** A connection that has become a monitor; see the file comment. */
export class DbusMonitor {
  readonly #sock: DbusSocket;
  /** Our own calls waiting: a reply message, or the error that ended the connection. */
  readonly #replies = new Map<number, (reply: DbusMessage | IPCError) => void>();
  #monitoring = false;
  #onMessage: (msg: DbusMessage) => void;
  #uniqueName = "";
  /** Settles when the connection ends: undefined after {@link close}, else the error (the bus went away). */
  readonly closed: Promise<IPCError | undefined>;

  private constructor(fd: number, unixFds: boolean, what: string, onMessage: (msg: DbusMessage) => void) {
    this.#onMessage = onMessage;
    let settle: (e: IPCError | undefined) => void = () => undefined;
    this.closed = new Promise((resolve) => (settle = resolve));
    this.#sock = new DbusSocket(fd, { unixFds, what }, {
      message: (msg) => this.#dispatch(msg),
      closed: (error) => {
        for (const reply of [...this.#replies.values()]) reply(error ?? new IPCError("ChannelClosed", `${what}: the connection was closed`));
        settle(error);
      },
    });
  }

  /**
   * Connects, says Hello and becomes a monitor of the messages matching `rules`; from then on
   * `onMessage` gets each one (its descriptors, if any, are closed after it returns). Rejects with
   * EndpointUnreachable, TimeoutExpired, InvalidArgument (a malformed rule) or RemoteError (the bus
   * refused, e.g. AccessDenied on a system bus without privileges).
   */
  static async start(options: MonitorOptions, onMessage: (msg: DbusMessage) => void): Promise<DbusMonitor> {
    const rules = [...(options.rules ?? [])];
    for (const rule of rules) parseMatchRule(rule);
    const timeoutMs = options.timeoutMs ?? 25_000;
    const opened = await openBusSocket(resolveAddress(options), timeoutMs);
    const monitor = new DbusMonitor(opened.fd, opened.auth.unixFds, opened.address, onMessage);
    try {
      monitor.#uniqueName = (await monitor.#call(1, "org.freedesktop.DBus", "Hello", "", [], timeoutMs)).body[0] as string;
      await monitor.#call(2, "org.freedesktop.DBus.Monitoring", "BecomeMonitor", "asu", [rules, 0], timeoutMs);
      monitor.#monitoring = true;
    } catch (error) {
      monitor.close();
      throw error;
    }
    return monitor;
  }

  /** The unique name the bus gave this connection before it became a monitor. */
  get uniqueName(): string {
    return this.#uniqueName;
  }

  #call(serial: number, iface: string, member: string, signature: string, body: unknown[], timeoutMs: number): Promise<DbusMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#replies.delete(serial);
        reject(new IPCError("TimeoutExpired", `${iface}.${member}: no reply from the bus within ${timeoutMs} ms`, { context: { timeoutMs } }));
      }, timeoutMs);
      this.#replies.set(serial, (reply) => {
        clearTimeout(timer);
        this.#replies.delete(serial);
        if (reply instanceof IPCError) return reject(reply);
        if (reply.type !== "error") return resolve(reply);
        const text = typeof reply.body[0] === "string" ? `: ${reply.body[0]}` : "";
        reject(new IPCError("RemoteError", `${iface}.${member}: ${reply.errorName}${text}`, { context: { errorName: reply.errorName, message: reply.body[0] } }));
      });
      try {
        this.#sock.send({ type: "method_call", flags: 0, serial, ...BUS, interface: iface, member, signature, body, fds: [] });
      } catch (error) {
        this.#replies.get(serial)!(error as IPCError); // send throws only IPCErrors
      }
    });
  }

  #dispatch(msg: DbusMessage): void {
    try {
      if (!this.#monitoring) {
        if ((msg.type === "method_return" || msg.type === "error") && msg.replySerial !== undefined) this.#replies.get(msg.replySerial)?.(msg);
        return;
      }
      this.#onMessage(msg);
    } finally {
      closeReceivedFds(msg); // those the listener closed already are skipped quietly
    }
  }

  /** Closes the connection (the bus stops monitoring for it). */
  close(): void {
    this.#sock.close();
  }
}
