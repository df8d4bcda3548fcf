/**
 * A client connection to a D-Bus message bus: Hello, method calls with
 * serials, timeouts and cancellation, signals and match rules, bus names,
 * incoming method calls, and optional reconnection that restores the names
 * and match rules. The messages are our own wire codec's (runtime/dbus/wire);
 * the bytes go through runtime/dbus/socket-io.ts.
 */
import { EventEmitter } from "node:events";
import { closeSync, readFileSync } from "node:fs";
import { IPCError } from "../errors.js";
import { Deadlines, type Timed } from "../rpc/deadlines.js";
import { openBusSocket, resolveAddress } from "./connection-open.js";
import { BusNames, type ReleaseNameResult, type RequestNameResult } from "./bus-names.js";
import { formatMatchRule, matchesExceptSender, parseMatchRule, type MatchRule } from "./match-rule.js";
import { DbusSocket } from "./socket-io.js";
import { MessageFlags, type DbusMessage } from "./wire/message.js";

export { NameFlags, type ReleaseNameResult, type RequestNameResult } from "./bus-names.js";
export type { MatchRule } from "./match-rule.js";

/** Options of {@link DbusConnection.connect}. */
export interface ConnectOptions {
  /** A D-Bus address list; default: the bus named by `bus`. */
  address?: string;
  /** "session" (default) or "system"; ignored when `address` is given. */
  bus?: "session" | "system";
  /** Limit for connecting + authenticating + Hello, and the default call timeout (default 25 000 ms, like libdbus). */
  timeoutMs?: number;
  /** Reconnect when the bus goes away: re-Hello, re-request names, re-add match rules, then emit "reconnected". */
  reconnect?: boolean;
}

/** Options of one {@link DbusConnection.call}. */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Send with NO_REPLY_EXPECTED and resolve at once with the sent message. */
  noReply?: boolean;
}

/** The arguments of {@link DbusConnection.call}: a method call without type and serial. */
export type CallMessage = Partial<DbusMessage> & { destination?: string; path: string; interface?: string; member: string; signature?: string; body?: unknown[]; fds?: number[] };

/** How a method-call handler answers (each call is answered at most once; nothing is sent for NO_REPLY_EXPECTED). */
export interface Replier {
  /** True when the caller set NO_REPLY_EXPECTED. */
  readonly noReply: boolean;
  reply(signature: string, body: unknown[], fds?: number[]): void;
  /** An error reply; `signature`/`body` carry more than the message (a declared error's fields), the body starting with the message. */
  error(errorName: string, message: string, signature?: string, body?: unknown[]): void;
}

/**
 * Receives incoming method calls. Return `false` to decline a call (the next
 * handler gets it; when none takes it the caller gets UnknownMethod).
 * Anything else means the handler answers it through `reply`, now or later.
 */
export type MethodCallHandler = (msg: DbusMessage, reply: Replier) => boolean | void;

interface Pending extends Timed {
  serial: number;
  resolve(msg: DbusMessage): void;
  reject(error: IPCError): void;
  timeoutMs: number;
  /** For the timeout's message. */
  call: CallMessage;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface MatchEntry {
  readonly rule: MatchRule;
  readonly text: string;
  readonly listener: (msg: DbusMessage) => void;
}

const BUS = { destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus" } as const;
const DEFAULT_TIMEOUT_MS = 25_000;

/** Reports a listener's exception the way an EventEmitter listener's would be, without stopping dispatch. */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

function remoteError(msg: DbusMessage, call: string): IPCError {
  const text = typeof msg.body[0] === "string" ? msg.body[0] : "";
  return new IPCError("RemoteError", `${call}: ${msg.errorName}${text === "" ? "" : `: ${text}`}`, {
    context: { errorName: msg.errorName, message: text, signature: msg.signature, body: msg.body },
  });
}

let machineId: string | undefined;

/** The {@link Replier} of one incoming call: one object per call, no closures. */
class CallReplier implements Replier {
  #answered = false;
  constructor(
    private readonly conn: DbusConnection,
    private readonly msg: DbusMessage,
  ) {}

  get noReply(): boolean {
    return (this.msg.flags & MessageFlags.NO_REPLY_EXPECTED) !== 0;
  }

  reply(signature: string, body: unknown[], fds?: number[]): void {
    if (this.#answered) return;
    this.#answered = true;
    this.conn.reply(this.msg, signature, body, fds);
  }

  error(errorName: string, message: string, signature?: string, body?: unknown[]): void {
    if (this.#answered) return;
    this.#answered = true;
    this.conn.replyError(this.msg, errorName, message, signature, body);
  }
}

/**
 * A connection to a bus. Events: "closed" (error | undefined) once it is
 * closed for good; with `reconnect`, "disconnected" (error) when the bus went
 * away and "reconnected" (uniqueName) when everything is restored.
 */
export class DbusConnection extends EventEmitter {
  #sock: DbusSocket;
  #uniqueName = "";
  #serial = 0;
  readonly #pending = new Map<number, Pending>();
  readonly #matches = new Set<MatchEntry>();
  readonly #handlers: MethodCallHandler[] = [];
  readonly #names: BusNames;
  readonly #address: string;
  readonly #timeoutMs: number;
  readonly #reconnect: boolean;
  #closing = false;
  #reconnecting = false;
  #ref = true;
  /**
   * Call timeouts: one unref'd timer per distinct timeout value (runtime/rpc/deadlines.ts), not
   * one per call — a timer per call cost ~6 µs of a ~15 µs client-side call path. While the
   * connection is referenced, its socket watch keeps the process alive.
   */
  readonly #deadlines = new Deadlines<Pending>((p) => this.#expire(p.serial));

  private constructor(sock: (c: DbusConnection) => DbusSocket, address: string, opts: ConnectOptions) {
    super();
    this.#address = address;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#reconnect = opts.reconnect ?? false;
    this.#names = new BusNames((member, signature, body) => this.#busCall(member, signature, body));
    this.#sock = sock(this);
  }

  /** Connects, authenticates and says Hello. Throws IPCError EndpointUnreachable (or TimeoutExpired) quickly when that fails. */
  static async connect(opts: ConnectOptions = {}): Promise<DbusConnection> {
    const address = resolveAddress(opts);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const opened = await openBusSocket(address, timeoutMs);
    const conn = new DbusConnection((c) => c.#socket(opened.fd, opened.auth.unixFds, opened.address), address, opts);
    try {
      await conn.#hello();
    } catch (error) {
      await conn.close();
      throw error;
    }
    return conn;
  }

  #socket(fd: number, unixFds: boolean, what: string): DbusSocket {
    const sock = new DbusSocket(fd, { unixFds, what }, { message: (m) => this.#dispatch(m), closed: (e) => this.#onClosed(sock, e) });
    sock.ref(this.#ref);
    return sock;
  }

  async #hello(): Promise<void> {
    const reply = await this.call({ ...BUS, member: "Hello" }, { timeoutMs: this.#timeoutMs });
    this.#uniqueName = reply.body[0] as string;
  }

  /** The unique name the bus gave this connection (it changes on reconnect). */
  get uniqueName(): string {
    return this.#uniqueName;
  }

  /** True when descriptors (`h`) can be sent on this connection. */
  get unixFds(): boolean {
    return this.#sock.unixFds;
  }

  /** Whether the connection keeps the Node process alive (default true), like net.Socket's ref/unref. */
  ref(ref = true): void {
    this.#ref = ref;
    this.#sock.ref(ref);
  }

  #nextSerial(): number {
    this.#serial = this.#serial >= 0xffff_ffff ? 1 : this.#serial + 1;
    return this.#serial;
  }

  /**
   * Calls a method. Resolves with the method_return; an error reply rejects
   * with IPCError RemoteError (context.errorName, context.message); no reply
   * within the timeout is TimeoutExpired, an abort is Cancelled, losing the
   * connection is ChannelClosed.
   */
  call(msg: CallMessage, opts: CallOptions = {}): Promise<DbusMessage> {
    const serial = this.#nextSerial();
    const noReply = opts.noReply === true;
    const full: DbusMessage = {
      type: "method_call", flags: (msg.flags ?? 0) | (noReply ? MessageFlags.NO_REPLY_EXPECTED : 0), serial,
      path: msg.path, interface: msg.interface, member: msg.member, destination: msg.destination,
      signature: msg.signature ?? "", body: msg.body ?? [], fds: msg.fds ?? [],
    };
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(new IPCError("Cancelled", `${msg.member}: aborted before it was sent`));
    try {
      this.#sock.send(full);
    } catch (error) {
      return Promise.reject(error);
    }
    if (noReply) return Promise.resolve(full);
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
    return new Promise<DbusMessage>((resolve, reject) => {
      const p: Pending = { serial, resolve, reject, expiresAt: 0, timed: false, timeoutMs, call: msg, signal, onAbort: undefined };
      this.#deadlines.add(p, timeoutMs);
      if (signal !== undefined) {
        p.onAbort = () => {
          this.#settle(serial);
          reject(new IPCError("Cancelled", `${msg.member}: aborted`, { cause: signal.reason }));
        };
        signal.addEventListener("abort", p.onAbort, { once: true });
      }
      this.#pending.set(serial, p);
    });
  }

  /** Rejects a pending call with TimeoutExpired. */
  #expire(serial: number): void {
    const p = this.#settle(serial);
    if (p === undefined) return;
    const { call, timeoutMs } = p;
    p.reject(new IPCError("TimeoutExpired", `${call.interface ?? ""}.${call.member} on ${call.destination ?? "(no destination)"}: no reply within ${timeoutMs} ms`, { context: { timeoutMs } }));
  }

  /** Removes a pending call and its timer and abort listener; returns it. */
  #settle(serial: number): Pending | undefined {
    const p = this.#pending.get(serial);
    if (p === undefined) return undefined;
    this.#pending.delete(serial);
    this.#deadlines.remove(p, p.timeoutMs);
    if (p.onAbort !== undefined) p.signal!.removeEventListener("abort", p.onAbort);
    return p;
  }

  async #busCall(member: string, signature = "", body: unknown[] = []): Promise<DbusMessage> {
    return this.call({ ...BUS, member, signature, body });
  }

  /** Sends a signal (broadcast, or unicast to `destination`). Throws IPCError for a bad message or a closed connection. */
  emitSignal(path: string, iface: string, member: string, signature: string, body: unknown[], fds: number[] = [], destination?: string): void {
    const msg: DbusMessage = { type: "signal", flags: MessageFlags.NO_REPLY_EXPECTED, serial: this.#nextSerial(), path, interface: iface, member, signature, body, fds };
    if (destination !== undefined) msg.destination = destination;
    this.#sock.send(msg);
  }

  /**
   * Subscribes `listener` to the messages `rule` selects: AddMatch on the bus
   * (re-added after a reconnect) and the same rule matched locally, so each
   * listener sees only its own messages. Resolves to an unsubscribe function.
   */
  async addMatch(rule: string | MatchRule, listener: (msg: DbusMessage) => void): Promise<() => Promise<void>> {
    const parsed = typeof rule === "string" ? parseMatchRule(rule) : rule;
    const entry: MatchEntry = { rule: parsed, text: typeof rule === "string" ? rule : formatMatchRule(rule), listener };
    await this.#busCall("AddMatch", "s", [entry.text]);
    const sender = parsed.sender;
    if (sender !== undefined) await this.#names.watchOwner(sender, (r, l) => this.addMatch(r, l));
    this.#matches.add(entry);
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      this.#matches.delete(entry);
      if (sender !== undefined) await this.#names.unwatchOwner(sender);
      if (!this.#sock.closed) await this.#busCall("RemoveMatch", "s", [entry.text]);
    };
  }

  /** RequestName with flags (NameFlags); remembered and re-requested after a reconnect unless the answer was "exists". */
  requestName(name: string, flags = 0): Promise<RequestNameResult> {
    return this.#names.request(name, flags);
  }

  /** ReleaseName; forgets the name for reconnects. */
  releaseName(name: string): Promise<ReleaseNameResult> {
    return this.#names.release(name);
  }

  /** Registers a handler for incoming method calls (see {@link MethodCallHandler}); returns its remover. */
  onMethodCall(handler: MethodCallHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      const i = this.#handlers.indexOf(handler);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  /** Sends the method_return for `call` (nothing when it asked for no reply). */
  reply(call: DbusMessage, signature: string, body: unknown[], fds: number[] = []): void {
    if ((call.flags & MessageFlags.NO_REPLY_EXPECTED) !== 0) return;
    const msg: DbusMessage = { type: "method_return", flags: MessageFlags.NO_REPLY_EXPECTED, serial: this.#nextSerial(), replySerial: call.serial, signature, body, fds };
    if (call.sender !== undefined) msg.destination = call.sender;
    this.#sock.send(msg);
  }

  /** Sends an error reply for `call` (nothing when it asked for no reply). */
  replyError(call: DbusMessage, errorName: string, message: string, signature = "s", body: unknown[] = [message]): void {
    if ((call.flags & MessageFlags.NO_REPLY_EXPECTED) !== 0) return;
    const msg: DbusMessage = {
      type: "error", flags: MessageFlags.NO_REPLY_EXPECTED, serial: this.#nextSerial(), replySerial: call.serial, errorName, signature, body, fds: [],
    };
    if (call.sender !== undefined) msg.destination = call.sender;
    this.#sock.send(msg);
  }

  #dispatch(msg: DbusMessage): void {
    switch (msg.type) {
      case "method_return":
      case "error": {
        const p = this.#settle(msg.replySerial!);
        if (p === undefined) return;
        if (msg.type === "error") p.reject(remoteError(msg, "D-Bus call"));
        else p.resolve(msg);
        return;
      }
      case "signal":
        this.#names.observe(msg);
        for (const entry of this.#matches) {
          if (!matchesExceptSender(entry.rule, msg) || !this.#names.senderMatches(entry.rule.sender, msg.sender)) continue;
          try {
            entry.listener(msg);
          } catch (error) {
            rethrowLater(error);
          }
        }
        return;
      case "method_call":
        this.#onMethodCall(msg);
        return;
    }
  }

  #onMethodCall(msg: DbusMessage): void {
    const replier = new CallReplier(this, msg);
    for (const handler of this.#handlers) {
      try {
        if (handler(msg, replier) !== false) return;
      } catch (error) {
        replier.error("org.freedesktop.DBus.Error.Failed", error instanceof Error ? error.message : String(error));
        rethrowLater(error);
        return;
      }
    }
    if (msg.interface === "org.freedesktop.DBus.Peer" && msg.member === "Ping") return replier.reply("", []);
    if (msg.interface === "org.freedesktop.DBus.Peer" && msg.member === "GetMachineId") {
      machineId ??= readFileSync("/etc/machine-id", "utf8").trim();
      return replier.reply("s", [machineId]);
    }
    replier.error(
      "org.freedesktop.DBus.Error.UnknownMethod",
      `No such method '${msg.member}' in interface '${msg.interface ?? ""}' at object path '${msg.path}' (signature '${msg.signature}')`,
    );
  }

  #onClosed(sock: DbusSocket, error: IPCError | undefined): void {
    if (sock !== this.#sock) return;
    const reason = error ?? new IPCError("ChannelClosed", "the D-Bus connection was closed");
    for (const serial of [...this.#pending.keys()]) this.#settle(serial)!.reject(reason);
    this.#deadlines.clear();
    if (this.#closing || !this.#reconnect) {
      this.#closing = true;
      this.emit("closed", error);
      return;
    }
    if (this.#reconnecting) return; // an attempt failed: the loop goes on
    this.emit("disconnected", reason);
    this.#reconnecting = true;
    void this.#reconnectLoop().finally(() => (this.#reconnecting = false));
  }

  async #reconnectLoop(): Promise<void> {
    for (let delay = 50; !this.#closing; delay = Math.min(delay * 2, 2000)) {
      await new Promise((r) => setTimeout(r, delay));
      if (this.#closing) return;
      try {
        const opened = await openBusSocket(this.#address, this.#timeoutMs);
        if (this.#closing) {
          closeSync(opened.fd);
          return;
        }
        this.#sock = this.#socket(opened.fd, opened.auth.unixFds, opened.address);
        await this.#hello();
        await this.#names.restore();
        for (const entry of this.#matches) await this.#busCall("AddMatch", "s", [entry.text]);
        this.emit("reconnected", this.#uniqueName);
        return;
      } catch {
        if (!this.#sock.closed) this.#sock.close();
      }
    }
  }

  /** Closes the connection: pending calls reject with ChannelClosed; "closed" is emitted. */
  async close(): Promise<void> {
    if (this.#closing && this.#sock.closed) return;
    this.#closing = true;
    if (!this.#sock.closed) this.#sock.close();
    else this.emit("closed", undefined);
    if (this.#reconnecting) {
      for (const serial of [...this.#pending.keys()]) this.#settle(serial)!.reject(new IPCError("ChannelClosed", "the D-Bus connection was closed"));
    }
  }
}
