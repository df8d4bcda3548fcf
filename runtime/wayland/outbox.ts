/**
 * The outgoing side of a Wayland connection: messages are encoded into one
 * buffer and sent with as few sendmsg(2) calls as the descriptors allow.
 *
 * Descriptors: an `fd` argument is duplicated when its message is queued
 * (the caller keeps its own descriptor, as with libwayland), and the copy is
 * closed once sent. At most {@link WL_MAX_FDS_PER_SENDMSG} descriptors go with
 * one sendmsg, as libwayland's MAX_FDS_OUT; so that a peer always has a
 * message's descriptors by the time its bytes are complete, the queue is cut
 * into batches at message boundaries: a batch's descriptors travel with the
 * first byte of its first message. A send that takes any byte took the whole
 * batch's descriptors.
 */
import { constants } from "node:os";
import { IPCError } from "../errors.js";
import { callNativeShm, type NativeBinding } from "../../native/index.js";
import type { WlMessage } from "./descriptor.js";
import { closeFds } from "../transport/descriptors.js";
import { encodeMessage, WireWriter } from "./wire.js";

/** libwayland's MAX_FDS_OUT: descriptors per sendmsg. */
export const WL_MAX_FDS_PER_SENDMSG = 28;

interface FdBatch {
  /** Offset in the writer of the first message of the batch. */
  start: number;
  fds: number[];
}

const NO_FDS: number[] = [];

/** What {@link WlOutbox.flush} ended with. */
export type FlushResult = "done" | "blocked" | IPCError;

/** See the file comment. */
export class WlOutbox {
  readonly #w = new WireWriter();
  readonly #native: NativeBinding;
  readonly #fd: number;
  /** Bytes of the writer before this offset are sent. */
  #sent = 0;
  readonly #batches: FdBatch[] = [];

  constructor(fd: number, native: NativeBinding) {
    this.#fd = fd;
    this.#native = native;
  }

  /** Bytes queued and not sent yet. */
  get buffered(): number {
    return this.#w.length - this.#sent;
  }

  /** Encodes one message at the end of the queue (see encodeMessage for its errors; a bad fd is InvalidArgument). */
  append(objectId: number, opcode: number, msg: WlMessage, args: readonly unknown[], maxSize: number): void {
    const w = this.#w;
    if (this.#sent > 0 && this.#sent >= w.length >> 1) this.#compact();
    const start = w.length;
    encodeMessage(w, objectId, opcode, msg, args, maxSize);
    if (w.fds.length === 0) return;
    const dups: number[] = [];
    try {
      for (const fd of w.fds) dups.push(callNativeShm("dup", () => this.#native.dupFd(fd)));
    } catch (cause) {
      closeFds(dups);
      w.length = start;
      throw new IPCError("InvalidArgument", `${msg.name}: cannot send descriptor: ${(cause as Error).message}`, { cause, context: { message: msg.name, fds: w.fds.slice() } });
    } finally {
      w.fds.length = 0;
    }
    const last = this.#batches[this.#batches.length - 1];
    // Every batch still queued has its descriptors unsent: they go with its first byte, before this message.
    if (last !== undefined && last.fds.length + dups.length <= WL_MAX_FDS_PER_SENDMSG) {
      for (const fd of dups) last.fds.push(fd);
    } else {
      this.#batches.push({ start, fds: dups });
    }
  }

  /** Sends as much as the socket takes: "done" (all sent), "blocked" (EAGAIN: poll for writability) or the error that broke the connection. */
  flush(): FlushResult {
    const w = this.#w;
    while (this.#sent < w.length) {
      const b = this.#batches[0];
      let fds = NO_FDS;
      let end = w.length;
      if (b !== undefined) {
        if (b.start <= this.#sent) {
          fds = b.fds;
          end = this.#batches[1]?.start ?? w.length;
        } else {
          end = b.start;
        }
      }
      const n = this.#native.sendFds(this.#fd, w.buf, fds, this.#sent, end);
      if (n < 0) {
        if (n === -constants.errno.EAGAIN) return "blocked";
        return new IPCError("ChannelClosed", `the Wayland peer is gone (sendmsg errno ${-n})`, { context: { errno: -n } });
      }
      if (fds !== NO_FDS) {
        closeFds(fds);
        this.#batches.shift();
      }
      this.#sent += n;
    }
    w.length = 0;
    this.#sent = 0;
    return "done";
  }

  /** Drops everything queued, closing the duplicated descriptors. */
  discard(): void {
    for (const b of this.#batches) closeFds(b.fds);
    this.#batches.length = 0;
    this.#w.length = 0;
    this.#sent = 0;
  }

  /** Moves the unsent bytes to the front of the buffer. */
  #compact(): void {
    const n = this.#sent;
    this.#w.consume(n);
    this.#sent = 0;
    for (const b of this.#batches) b.start -= n;
  }
}
