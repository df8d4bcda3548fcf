/**
 * The receive side of a channel in pull mode: received messages wait here for
 * `receive()`, and `receive()` callers wait here for messages. The queue tells
 * its owner when it is full — `capacity` messages, or `maxBytes` bytes of
 * frames as they came over the wire — so the owner can stop reading from the
 * socket, which pushes back on the sender through the kernel buffer; it says
 * so again once it is down to half of both. Memory stays bounded however slow
 * the consumer is: by the bound plus what one socket read delivers (a chunk,
 * and at most one frame of up to the size limit completed by it).
 */
import { IPCError } from "../errors.js";
import type { Message } from "../wire/message.js";
import type { SkippedFrame } from "../wire/frame-decoder.js";

type Entry = { message: Message; bytes: number } | { error: IPCError; frame?: SkippedFrame };

interface Receiver {
  resolve(message: Message): void;
  reject(error: IPCError): void;
  timer: NodeJS.Timeout | undefined;
}

/** FIFO of received messages and waiting receivers; see the file comment. */
export class InboundQueue {
  private readonly entries: Entry[] = [];
  private head = 0;
  private readonly receivers: Receiver[] = [];
  private closedWith: IPCError | undefined;
  /** Wire bytes of the queued messages. */
  private queuedBytes = 0;
  private full = false;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number,
    private readonly onFullChange: (full: boolean) => void,
  ) {}

  /** Messages waiting to be received. */
  get length(): number {
    return this.entries.length - this.head;
  }

  /** Wire bytes of the messages waiting to be received. */
  get bytes(): number {
    return this.queuedBytes;
  }

  /** Delivers a message (`bytes` long on the wire) to a waiting receiver or queues it. */
  push(message: Message, bytes: number): void {
    const r = this.receivers.shift();
    if (r) {
      if (r.timer) clearTimeout(r.timer);
      r.resolve(message);
      return;
    }
    this.entries.push({ message, bytes });
    this.queuedBytes += bytes;
    if (!this.full && (this.length >= this.capacity || this.queuedBytes >= this.maxBytes)) {
      this.full = true;
      this.onFullChange(true);
    }
  }

  /** Queues a non-fatal decoding error (and the skipped frame's header, if any): the next receive rejects with it. */
  pushError(error: IPCError, frame?: SkippedFrame): void {
    const r = this.receivers.shift();
    if (r) {
      if (r.timer) clearTimeout(r.timer);
      r.reject(error);
      return;
    }
    this.entries.push(frame === undefined ? { error } : { error, frame });
  }

  /** Takes everything queued (switching to push mode). */
  drain(): Entry[] {
    const out = this.entries.slice(this.head);
    this.entries.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    this.full = false;
    this.onFullChange(false);
    return out;
  }

  /** Next message, waiting up to `timeoutMs`. */
  receive(timeoutMs: number): Promise<Message> {
    if (this.length > 0) {
      const entry = this.entries[this.head++];
      if (this.head > 1024 && this.head * 2 > this.entries.length) {
        this.entries.splice(0, this.head);
        this.head = 0;
      }
      if ("message" in entry) this.queuedBytes -= entry.bytes;
      if (this.full && this.length <= this.capacity / 2 && this.queuedBytes <= this.maxBytes / 2) {
        this.full = false;
        this.onFullChange(false);
      }
      return "message" in entry ? Promise.resolve(entry.message) : Promise.reject(entry.error);
    }
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<Message>((resolve, reject) => {
      const r: Receiver = { resolve, reject, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        r.timer = setTimeout(() => {
          const i = this.receivers.indexOf(r);
          if (i >= 0) this.receivers.splice(i, 1);
          reject(new IPCError("TimeoutExpired", `no message within ${timeoutMs} ms`, { context: { timeoutMs } }));
        }, timeoutMs);
      }
      this.receivers.push(r);
    });
  }

  /** No more messages will come: waiting receivers and later receives (after the queue empties) reject with `error`. */
  close(error: IPCError): void {
    this.closedWith = error;
    for (const r of this.receivers.splice(0)) {
      if (r.timer) clearTimeout(r.timer);
      r.reject(error);
    }
  }
}
