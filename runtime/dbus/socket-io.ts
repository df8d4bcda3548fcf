/**
 * Message I/O on a connected, authenticated D-Bus socket, driven by the
 * native addon rather than by a net.Socket: Node's sockets cannot send or
 * receive SCM_RIGHTS, and D-Bus passes descriptors (`h`) that way.
 *
 * Reading: a uv_poll watch (watchFd) says "readable"; recvmsg (recvFdsInto)
 * receives straight into the {@link MessageReader}'s buffer, with any
 * descriptors, and complete messages are dispatched at once.
 *
 * Writing: messages are encoded back to back into one reusable buffer and
 * flushed in a microtask, so a burst of signals emitted in one tick leaves in
 * one system call while a single call still leaves at once. A message with
 * descriptors is sent with sendmsg (sendFds) starting at its first byte;
 * everything else with send (writeFd). When the kernel buffer is full
 * (EAGAIN) the same watch polls for writability too (watchEvents: libuv
 * allows one poll per descriptor) and the flush resumes as soon as the bus
 * has read some: backpressure without a timer or a busy loop. Messages sent
 * meanwhile queue behind the unsent bytes, in order.
 */
import { closeFds, closeQuietly } from "../transport/descriptors.js";
import { constants } from "node:os";
import { IPCError } from "../errors.js";
import { loadNative, RECV_FDS_OUT_LENGTH, type NativeBinding } from "../../native/index.js";
import { MessageReader } from "./wire/message-reader.js";
import { WireWriter } from "./wire/encoder.js";
import { writeMessage, type DbusMessage } from "./wire/message.js";

const EAGAIN = -constants.errno.EAGAIN;
/**
 * Most descriptors one message may carry: dbus-daemon's default
 * max_message_unix_fds (a bigger message is refused by the bus anyway, so it
 * is an InvalidArgument here at once). The addon itself passes up to 253.
 */
export const MAX_FDS_PER_MESSAGE = 16;
const READ_CHUNK = 64 * 1024;
/** watchEvents / watch callback bits: readable (1), hang-up or error (2), writable (4). */
const POLL_READ = 1;
const POLL_WRITE = 4;
const SHRINK_ABOVE = 4 * 1024 * 1024;

/** What a {@link DbusSocket} reports to its owner. */
export interface DbusSocketHandlers {
  message(msg: DbusMessage): void;
  /** The socket is closed: by {@link DbusSocket.close} (no error) or by the peer or bad input (an error). */
  closed(error: IPCError | undefined): void;
}

/** One D-Bus connection's byte stream. Owns `fd` from construction on. */
export class DbusSocket {
  readonly #native: NativeBinding;
  readonly #fd: number;
  readonly #unixFds: boolean;
  readonly #what: string;
  readonly #handlers: DbusSocketHandlers;
  readonly #reader = new MessageReader(READ_CHUNK);
  /** recvFdsInto's descriptor slots: [0] the count, then the descriptors (reused by every read). */
  readonly #fdsIn = new Int32Array(RECV_FDS_OUT_LENGTH);
  #out = new WireWriter(READ_CHUNK);
  #sent = 0;
  /** Byte offsets in #out where a message with descriptors starts. */
  readonly #fdMarks: { at: number; fds: number[] }[] = [];
  #flushQueued = false;
  /** True while the socket is full and the watch polls for writability. */
  #blocked = false;
  #watch = 0;
  #closed = false;

  constructor(fd: number, opts: { unixFds: boolean; what: string }, handlers: DbusSocketHandlers) {
    this.#native = loadNative();
    this.#fd = fd;
    this.#unixFds = opts.unixFds;
    this.#what = opts.what;
    this.#handlers = handlers;
    this.#watch = this.#native.watchFd(fd, false, this.#onPoll);
  }

  /** Whether descriptors can be sent (the bus agreed to NEGOTIATE_UNIX_FD). */
  get unixFds(): boolean {
    return this.#unixFds;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the socket keeps the event loop alive (default true). */
  ref(ref: boolean): void {
    if (this.#watch !== 0) this.#native.refWatch(this.#watch, ref);
  }

  /**
   * Encodes and queues `msg` (sent at the end of this tick). Throws
   * ChannelClosed after close, SerializationError / MessageTooLarge for a
   * bad message, InvalidArgument for descriptors the socket cannot carry.
   */
  send(msg: DbusMessage): void {
    if (this.#closed) throw new IPCError("ChannelClosed", `${this.#what}: the D-Bus connection is closed`);
    const out = this.#out;
    const start = out.pos;
    const fds = writeMessage(out, msg);
    if (fds.length > 0) {
      const why = !this.#unixFds
        ? "this connection cannot pass file descriptors (the bus did not agree to NEGOTIATE_UNIX_FD, or it is not a Unix socket)"
        : fds.length > MAX_FDS_PER_MESSAGE
          ? `at most ${MAX_FDS_PER_MESSAGE} descriptors per message, got ${fds.length}`
          : undefined;
      if (why !== undefined) {
        out.pos = start;
        throw new IPCError("InvalidArgument", `${this.#what}: ${why}`, { context: { fds: fds.length } });
      }
      this.#fdMarks.push({ at: start, fds });
    }
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flush);
    }
  }

  #flush = (): void => {
    this.#flushQueued = false;
    if (!this.#blocked && !this.#closed) this.#write();
  };

  #write(): void {
    const out = this.#out;
    const n = this.#native;
    while (this.#sent < out.pos) {
      const mark = this.#fdMarks[0];
      let wrote: number;
      if (mark !== undefined && mark.at === this.#sent) {
        const end = this.#fdMarks[1]?.at ?? out.pos;
        wrote = n.sendFds(this.#fd, out.buf, mark.fds, this.#sent, end);
        if (wrote > 0) this.#fdMarks.shift();
      } else {
        wrote = n.writeFd(this.#fd, out.buf, this.#sent, mark?.at ?? out.pos);
      }
      if (wrote === EAGAIN) {
        this.#blocked = true;
        this.#native.watchEvents(this.#watch, POLL_READ | POLL_WRITE);
        return;
      }
      if (wrote < 0) {
        this.#fail(new IPCError("ChannelClosed", `${this.#what}: writing to the bus failed (errno ${-wrote})`, { context: { errno: -wrote } }));
        return;
      }
      this.#sent += wrote;
    }
    // A buffer grown for a big message is not kept.
    if (out.buf.length > SHRINK_ABOVE) this.#out = new WireWriter(READ_CHUNK);
    else out.reset();
    this.#sent = 0;
  }

  #onPoll = (events: number): void => {
    if (this.#closed) return;
    if ((events & POLL_WRITE) !== 0 && this.#blocked) {
      this.#blocked = false;
      this.#native.watchEvents(this.#watch, POLL_READ);
      this.#write();
    }
    if ((events & ~POLL_WRITE) !== 0 && !this.#closed) this.#read();
  };

  #read(): void {
    const n = this.#native;
    let eof = false;
    for (let i = 0; i < 16; i++) {
      const space = this.#reader.reserve(READ_CHUNK);
      const bytes = n.recvFdsInto(this.#fd, space, 0, space.length, this.#fdsIn);
      if (bytes > 0) {
        this.#reader.commit(bytes, this.#fdsIn, 1, 1 + this.#fdsIn[0]!);
        if (bytes < space.length) break;
      } else if (bytes === 0) {
        eof = true;
        break;
      } else if (bytes === EAGAIN) {
        break;
      } else {
        this.#fail(new IPCError("ChannelClosed", `${this.#what}: reading from the bus failed (errno ${-bytes})`, { context: { errno: -bytes } }));
        return;
      }
    }
    try {
      for (let m = this.#reader.next(); m !== undefined && !this.#closed; m = this.#closed ? undefined : this.#reader.next()) this.#handlers.message(m);
    } catch (error) {
      const e = error instanceof IPCError ? error : new IPCError("ProtocolError", String(error), { cause: error });
      this.#fail(new IPCError(e.code, `${this.#what}: the bus sent bad data: ${e.message}`, { cause: e, context: e.context }));
      return;
    }
    if (eof) this.#fail(new IPCError("ChannelClosed", `${this.#what}: the bus closed the connection`));
  }

  #fail(error: IPCError): void {
    if (this.#closed) return;
    this.#shutdown();
    this.#handlers.closed(error);
  }

  #shutdown(): void {
    this.#closed = true;
    if (this.#watch !== 0) this.#native.unwatchFd(this.#watch);
    this.#watch = 0;
    closeQuietly(this.#fd);
    closeFds(this.#reader.pendingFds);
  }

  /** Sends what is queued (one non-blocking attempt), then closes the socket. */
  close(): void {
    if (this.#closed) return;
    if (!this.#blocked) this.#write();
    this.#shutdown();
    this.#handlers.closed(undefined);
  }
}
