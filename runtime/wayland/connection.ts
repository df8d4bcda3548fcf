/**
 * One Wayland connection (either end): a non-blocking Unix stream socket
 * driven by the addon (recvmsg/sendmsg with SCM_RIGHTS, one uv_poll watch for
 * readability and, while a write is blocked, writability), the object map,
 * and dispatch. Never blocks the event loop.
 *
 * - Incoming bytes and descriptors are queued; every complete message is
 *   decoded with the addressed object's interface (events on the client,
 *   requests on the server), its objects resolved, and dispatched, in order,
 *   from the read callback. Messages to zombies are decoded and dropped (their
 *   descriptors closed).
 * - Outgoing messages are encoded at once and sent at the end of the current
 *   turn (a microtask), or by {@link WlConnection.flush}; see outbox.ts.
 * - Protocol errors: on the client, a malformed event or `wl_display.error`
 *   closes the connection with an IPCError ProtocolError (context objectId,
 *   interface, code, message). On the server, a malformed request makes the
 *   server post `wl_display.error` (invalid_object / invalid_method) and
 *   disconnect the client, as libwayland does.
 * - Messages sent after the connection closed (or began closing after an
 *   error) are dropped silently, as libwayland drops them.
 */
import { closeSync } from "node:fs";
import { IPCError } from "../errors.js";
import { loadNative, RECV_FDS_OUT_LENGTH, type NativeBinding } from "../../native/index.js";
import { WL_DISPLAY_ID, WlDisplayErrorCode, type WlInterface, type WlMessage } from "./descriptor.js";
import { ObjectMap, WlZombie, type WlSide } from "./object-map.js";
import { WlOutbox } from "./outbox.js";
import { lookupWlInterface, proxyClassFor, resourceClassFor, WlProxy, WlResource, type WlClient, type WlObject } from "./proxy.js";
import { closeFdArgs, decodeMessage, FdQueue, messageSize, protocolError, WL_DEFAULT_MAX_MESSAGE_SIZE, WL_HEADER_SIZE, WL_MAX_WIRE_MESSAGE_SIZE, type WlMessageSite } from "./wire.js";

/** Tuning of one connection. */
export interface WlConnectionOptions {
  /** The largest message sent or accepted, in bytes (default 4096 as libwayland; at most 65532). */
  maxMessageSize?: number;
  /** Outgoing bytes the peer may leave unread before the connection is closed (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Received descriptors not yet taken by a message, above which the peer is in error (default 1024, libwayland's fd ring). */
  maxQueuedFds?: number;
}

const READ_BUFFER = 65536;
/** Reads per readable callback before yielding to the loop (the poll is level-triggered and fires again). */
const READS_PER_WAKEUP = 16;
/** How long a connection closing after a posted error waits for the error to be written. */
const ERROR_FLUSH_MS = 1000;
const POLL_READ = 1;
const POLL_WRITE = 4;
const RESOLVED = Promise.resolve();

/** See the file comment. */
export class WlConnection {
  readonly side: WlSide;
  readonly objects: ObjectMap;
  /** The socket (owned: closed with the connection). */
  readonly fd: number;
  /** Server side: the client this connection belongs to (the server runtime may replace it with a richer object). */
  client: WlClient;
  readonly #native: NativeBinding;
  readonly #maxMessage: number;
  readonly #maxBuffered: number;
  readonly #maxFds: number;
  readonly #outbox: WlOutbox;
  readonly #fds = new FdQueue();
  /** recvFdsInto's descriptor slots: [0] the count, then the descriptors (reused by every read). */
  readonly #fdsIn = new Int32Array(RECV_FDS_OUT_LENGTH);
  #in = Buffer.allocUnsafe(READ_BUFFER);
  #inView = new DataView(this.#in.buffer, this.#in.byteOffset, this.#in.byteLength);
  #inStart = 0;
  #inEnd = 0;
  #watch = 0;
  #pollMask = POLL_READ;
  #flushQueued = false;
  readonly #flushTask = (): void => this.flush();
  #processing = false;
  #closed = false;
  /** Set when the connection closes after a posted error, once that error is written. */
  #closing: IPCError | undefined;
  #error: IPCError | undefined;
  #closeListeners: ((error: IPCError | undefined) => void)[] = [];

  constructor(fd: number, side: WlSide, options: WlConnectionOptions = {}) {
    const maxMessage = options.maxMessageSize ?? WL_DEFAULT_MAX_MESSAGE_SIZE;
    if (!Number.isInteger(maxMessage) || maxMessage < WL_HEADER_SIZE || maxMessage > WL_MAX_WIRE_MESSAGE_SIZE) {
      throw new IPCError("InvalidArgument", `maxMessageSize must be an integer in 8..${WL_MAX_WIRE_MESSAGE_SIZE}, got ${maxMessage}`, { context: { maxMessage } });
    }
    this.side = side;
    this.fd = fd;
    this.objects = new ObjectMap(side);
    this.client = { connection: this };
    this.#maxMessage = maxMessage;
    this.#maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.#maxFds = options.maxQueuedFds ?? 1024;
    this.#native = loadNative();
    this.#outbox = new WlOutbox(fd, this.#native);
    this.#watch = this.#native.watchFd(fd, false, (events) => this.#onPoll(events));
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Why the connection closed: a ProtocolError, ChannelClosed (the peer went away), ...; undefined after a local {@link close}. */
  get error(): IPCError | undefined {
    return this.#error;
  }

  /** Bytes queued and not yet taken by the socket (a peer that does not read makes this grow, up to maxBufferedBytes). */
  get bufferedBytes(): number {
    return this.#outbox.buffered;
  }

  /** Runs `listener` once when the connection closes (at once if it already has). */
  onClose(listener: (error: IPCError | undefined) => void): void {
    if (this.#closed) listener(this.#error);
    else this.#closeListeners.push(listener);
  }

  /** Whether the socket watch keeps the process alive (default true). */
  setRef(ref: boolean): void {
    if (this.#watch !== 0) this.#native.refWatch(this.#watch, ref);
  }

  /**
   * Queues a message from `obj` (a request on the client, an event on the
   * server). Throws InvalidArgument for a bad opcode, a destroyed object or
   * a value the wire cannot carry, UnsupportedProtocolVersion when the
   * message is newer than the object's version (`since`), MessageTooLarge.
   */
  send(obj: WlObject, opcode: number, args: readonly unknown[]): void {
    if (this.#closed || this.#closing !== undefined) return;
    const messages = this.side === "client" ? obj.iface.requests : obj.iface.events;
    const msg = messages[opcode];
    if (msg === undefined || obj.connection !== this || obj.destroyed) {
      const why = msg === undefined ? `has no ${this.side === "client" ? "request" : "event"} ${opcode}` : obj.destroyed ? "is destroyed" : "belongs to another connection";
      throw new IPCError("InvalidArgument", `${obj.toString()} ${why}`, { context: { objectId: obj.id, interface: obj.iface.name, opcode } });
    }
    if (msg.since > obj.version) {
      throw new IPCError("UnsupportedProtocolVersion", `${obj.iface.name}.${msg.name} needs version ${msg.since}, ${obj.toString()} has version ${obj.version}`, {
        context: { objectId: obj.id, interface: obj.iface.name, message: msg.name, since: msg.since, version: obj.version },
      });
    }
    this.#outbox.append(obj.id, opcode, msg, args, this.#maxMessage);
    if (this.#outbox.buffered > this.#maxBuffered) {
      this.#fail(new IPCError("InsufficientResources", `the Wayland peer leaves more than ${this.#maxBuffered} bytes unread`, { context: { maxBufferedBytes: this.#maxBuffered } }));
      return;
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      // A reaction on a settled promise: the same microtask queue as queueMicrotask without the
      // AsyncResource that Node allocates for each queueMicrotask (~0.5 µs a message burst).
      void RESOLVED.then(this.#flushTask);
    }
  }

  /** Sends what is queued now, as far as the socket takes it (the rest when it becomes writable). */
  flush(): void {
    this.#flushQueued = false;
    if (this.#closed || (this.#pollMask & POLL_WRITE) !== 0) return;
    const r = this.#outbox.flush();
    if (r === "blocked") this.#setPoll(this.#pollMask | POLL_WRITE);
    else if (r !== "done") this.#fail(r);
    else if (this.#closing !== undefined) this.close(this.#closing);
  }

  /**
   * Server side: sends `wl_display.error` (object, code, message) and
   * disconnects the client once it is written (libwayland's
   * wl_resource_post_error). The connection closes with that ProtocolError.
   */
  postError(obj: WlObject | number, code: number, message: string): void {
    if (this.side !== "server") throw new IPCError("InvalidArgument", "only a server posts protocol errors");
    this.#post(obj, code, message, undefined);
  }

  /** postError, keeping what the client did wrong (a malformed request) as the cause of the connection's error. */
  #post(obj: WlObject | number, code: number, message: string, cause: IPCError | undefined): void {
    if (this.#closed || this.#closing !== undefined) return;
    const id = typeof obj === "number" ? obj : obj.id;
    const iface = typeof obj === "number" ? this.objects.lookup(id)?.iface.name : obj.iface.name;
    const error = new IPCError("ProtocolError", `${iface ?? "?"}#${id}: error ${code}: ${message}`, {
      cause,
      context: { objectId: id, interface: iface, code, message, reason: "protocol error posted to the client" },
    });
    const display = this.objects.get(WL_DISPLAY_ID);
    if (display !== undefined && display.iface.name === "wl_display") {
      try {
        this.send(display, 0, [id, code, message]);
      } catch {
        // A message too long for the wire: the client is disconnected all the same.
      }
    }
    this.#closing = error;
    // Nothing more is read from a client in error (libwayland stops too); the poll keeps only writability.
    this.#setPoll(this.#pollMask & ~POLL_READ);
    this.flush();
    if (!this.#closed) setTimeout(() => this.close(error), ERROR_FLUSH_MS).unref();
  }

  /**
   * Closes the socket, drops what is unsent, closes every queued descriptor
   * and destroys every live object (their destroy listeners run), then runs
   * the close listeners. `error` says why (none for an orderly local close).
   */
  close(error?: IPCError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    if (this.#watch !== 0) this.#native.unwatchFd(this.#watch);
    this.#watch = 0;
    this.#outbox.discard();
    this.#fds.closeAll();
    try {
      closeSync(this.fd);
    } catch {
      // Already closed by its owner.
    }
    for (const obj of this.objects.liveObjects()) {
      if (obj instanceof WlProxy) obj.destroyProxy();
      else if (obj instanceof WlResource) obj.destroyResource();
    }
    const listeners = this.#closeListeners;
    this.#closeListeners = [];
    for (const l of listeners) l(error);
  }

  /**
   * Called by WlProxy/WlResource when one is destroyed: updates the map and,
   * on the server, tells the client that a client-allocated id is free
   * (`wl_display.delete_id`).
   */
  objectDestroyed(obj: WlObject): void {
    if (!this.objects.destroy(obj) || this.#closed) return;
    const display = this.objects.get(WL_DISPLAY_ID);
    if (display !== undefined && display.iface.name === "wl_display" && display !== obj) this.send(display, 1, [obj.id]);
  }

  #setPoll(mask: number): void {
    if (mask === this.#pollMask || this.#watch === 0) return;
    this.#pollMask = mask;
    this.#native.watchEvents(this.#watch, mask);
  }

  #onPoll(events: number): void {
    if (this.#closed) return;
    if ((events & POLL_WRITE) !== 0) {
      this.#setPoll(this.#pollMask & ~POLL_WRITE);
      this.flush();
    }
    if ((events & 3) !== 0 && !this.#closed && this.#closing === undefined) this.#read();
  }

  #read(): void {
    for (let i = 0; i < READS_PER_WAKEUP && !this.#closed; i++) {
      if (this.#inEnd === this.#in.length) {
        this.#compactInput();
        // Full of complete messages a throwing listener left for a later turn: read after those.
        if (this.#inEnd === this.#in.length) return;
      }
      const space = this.#in.length - this.#inEnd;
      const bytes = this.#native.recvFdsInto(this.fd, this.#in, this.#inEnd, this.#in.length, this.#fdsIn);
      if (this.#fdsIn[0]! > 0) this.#fds.push(this.#fdsIn, 1, 1 + this.#fdsIn[0]!);
      if (bytes > 0) this.#inEnd += bytes;
      if (this.#fds.length > this.#maxFds) {
        this.#fail(new IPCError("ProtocolError", `the peer sent more than ${this.#maxFds} descriptors ahead of their messages`, { context: { reason: "too many fds" } }));
        return;
      }
      if (this.#closing === undefined) this.#process();
      // A read that left space took everything queued: the level-triggered poll reports anything
      // later, so no second recvmsg just to hear EAGAIN (one system call fewer per request burst).
      if (bytes > 0 && bytes < space) return;
      if (bytes > 0) continue;
      if (bytes === 0 || bytes !== -11) {
        const why = bytes === 0 ? "the peer closed the connection" : `recvmsg errno ${-bytes}`;
        this.close(new IPCError("ChannelClosed", `Wayland connection closed: ${why}`, { context: { errno: bytes < 0 ? -bytes : undefined } }));
      }
      return;
    }
  }

  #compactInput(): void {
    this.#in.copy(this.#in, 0, this.#inStart, this.#inEnd);
    this.#inEnd -= this.#inStart;
    this.#inStart = 0;
  }

  /** Dispatches every complete message queued; a protocol error ends the connection. */
  #process(): void {
    if (this.#processing) return;
    this.#processing = true;
    let listenerThrew = true;
    try {
      while (!this.#closed && this.#closing === undefined && this.#inEnd - this.#inStart >= WL_HEADER_SIZE) {
        if (!this.#processOne()) break;
      }
      listenerThrew = false;
    } catch (e) {
      if (!(e instanceof IPCError && e.code === "ProtocolError")) throw e;
      listenerThrew = false;
      this.#fail(e);
    } finally {
      this.#processing = false;
      if (this.#inStart === this.#inEnd) this.#inStart = this.#inEnd = 0;
      // The messages after the one whose listener threw still run, on a later turn.
      if (listenerThrew && !this.#closed && this.#closing === undefined) setImmediate(() => this.#process());
    }
  }

  /** Decodes and dispatches the message at #inStart; false when it is not complete yet. */
  #processOne(): boolean {
    const view = this.#inView;
    const start = this.#inStart;
    const id = view.getUint32(start, true);
    const target = this.objects.lookup(id);
    const size = messageSize(view, start, this.#maxMessage, target?.iface.name);
    if (this.#inEnd - start < size) return false;
    const opcode = view.getUint32(start + 4, true) & 0xffff;
    const site: WlMessageSite = { objectId: id, opcode, interface: target?.iface.name ?? "?" };
    if (target === undefined) throw protocolError(site, `unknown object ${id}`, { displayError: WlDisplayErrorCode.invalid_object });
    const messages = this.side === "client" ? target.iface.events : target.iface.requests;
    const msg = messages[opcode];
    if (msg === undefined) throw protocolError(site, `unknown opcode ${opcode} of ${target.iface.name}`, { onObject: true });
    if (!(target instanceof WlZombie) && msg.since > target.version) {
      throw protocolError(site, `${msg.name} needs version ${msg.since}, the object has ${target.version}`, { onObject: true });
    }
    const args = decodeMessage(this.#in, view, start, size, msg, this.#fds, site);
    this.#inStart = start + size;
    if (target instanceof WlZombie) {
      this.#dropForZombie(msg, args);
      return true;
    }
    if (this.side === "client" && id === WL_DISPLAY_ID && target.iface.name === "wl_display" && this.#displayEvent(target, opcode, args)) return true;
    this.#resolve(target, msg, args, site);
    target.dispatch(opcode, args);
    return true;
  }

  /** Client side: `wl_display.error` and `delete_id` act on the connection before listeners see them. */
  #displayEvent(display: WlObject, opcode: number, args: unknown[]): boolean {
    if (opcode === 1) {
      this.objects.deleteId(args[0] as number);
      display.dispatch(opcode, args);
      return true;
    }
    if (opcode !== 0) return false;
    const [objectId, code, message] = args as [number, number, string];
    const subject = this.objects.lookup(objectId);
    const error = new IPCError("ProtocolError", `${subject?.iface.name ?? "?"}#${objectId}: error ${code}: ${message}`, {
      context: { objectId, interface: subject?.iface.name, code, message, reason: "wl_display.error" },
    });
    display.dispatch(0, [this.objects.get(objectId) ?? null, code, message]);
    this.close(error);
    return true;
  }

  /** A message to a zombie: descriptors closed, objects it creates recorded as zombies. */
  #dropForZombie(msg: WlMessage, args: unknown[]): void {
    closeFdArgs(msg, args);
    msg.args.forEach((a, i) => {
      if (a.type === "new_id" && a.interface !== undefined && args[i] !== null) {
        const iface = lookupWlInterface(a.interface);
        if (iface !== undefined) this.objects.insertZombie(args[i] as number, iface);
      }
    });
  }

  /** Replaces object ids by objects and creates the objects of typed new_ids, in place. */
  #resolve(target: WlObject, msg: WlMessage, args: unknown[], site: WlMessageSite): void {
    const margs = msg.args;
    for (let i = 0; i < margs.length; i++) {
      const a = margs[i]!;
      if (a.type === "object") {
        const id = args[i] as number;
        if (id === 0) {
          args[i] = null;
          continue;
        }
        const e = this.objects.lookup(id);
        if (e === undefined) throw protocolError(site, `unknown object ${id} in argument ${a.name} (${msg.name})`, { displayError: WlDisplayErrorCode.invalid_object });
        if (a.interface !== undefined && e.iface.name !== a.interface) {
          throw protocolError(site, `object ${id} in argument ${a.name} (${msg.name}) is a ${e.iface.name}, not a ${a.interface}`, { displayError: WlDisplayErrorCode.invalid_object });
        }
        args[i] = e instanceof WlZombie ? null : e;
      } else if (a.type === "new_id" && args[i] !== null) {
        const id = typeof args[i] === "number" ? (args[i] as number) : (args[i] as { id: number }).id;
        const problem = this.objects.reserveNew(id);
        if (problem !== undefined) throw protocolError(site, `${problem} in argument ${a.name} (${msg.name})`, { displayError: WlDisplayErrorCode.invalid_object });
        if (a.interface !== undefined) args[i] = this.#create(a.interface, id, target.version, site);
      }
    }
  }

  /** The object a typed new_id creates: the registered generated class, else a plain proxy/resource of the registered interface. */
  #create(name: string, id: number, version: number, site: WlMessageSite): WlObject {
    if (this.side === "client") {
      const ctor = proxyClassFor(name);
      if (ctor !== undefined) return new ctor(this, id, version);
    } else {
      const ctor = resourceClassFor(name);
      if (ctor !== undefined) return new ctor(this, id, version);
    }
    const iface: WlInterface | undefined = lookupWlInterface(name);
    if (iface === undefined) throw protocolError(site, `no binding registered for interface ${name}`);
    return this.side === "client" ? new WlProxy(this, id, version, iface) : new WlResource(this, id, version, iface);
  }

  /** Ends the connection after a fatal error: the server tells the client first. */
  #fail(error: IPCError): void {
    if (this.#closed) return;
    if (this.side === "server" && error.code === "ProtocolError" && this.#closing === undefined) {
      const c = error.context;
      const onObject = c.onObject === true && typeof c.objectId === "number";
      const code = typeof c.displayError === "number" ? c.displayError : WlDisplayErrorCode.invalid_method;
      this.#post(onObject ? (c.objectId as number) : WL_DISPLAY_ID, code, error.message, error);
      return;
    }
    this.close(error);
  }
}
