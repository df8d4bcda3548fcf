/**
 * Incremental framing of a D-Bus byte stream: bytes arrive in arbitrary
 * chunks (with descriptors riding along as SCM_RIGHTS), complete messages
 * come out. Descriptors are queued in arrival order and each message takes
 * as many as its UNIX_FDS header field says, which is how libdbus and GLib
 * match them too (the kernel delivers a message's descriptors no later than
 * its first byte).
 *
 * The reader owns one growing buffer; a socket reader can receive straight
 * into it ({@link MessageReader.reserve} / {@link MessageReader.commit}) so
 * that no chunk is copied. Decoded messages never alias the buffer.
 */
import { IPCError } from "../../errors.js";
import { messageLength, readMessage } from "./message-decode.js";
import type { DbusMessage } from "./message.js";
import { WireReader } from "./decoder.js";

/** A buffer grown past this for a big message goes back to its initial size once empty. */
const SHRINK_ABOVE = 4 * 1024 * 1024;

/** Frames D-Bus messages out of a byte stream. After it throws, the stream is unusable: close the connection. */
export class MessageReader {
  #buf: Buffer;
  #view: DataView;
  #start = 0;
  #end = 0;
  /** The length of the message at #start once its first 16 bytes are in, else -1. */
  #need = -1;
  #fds: number[] = [];
  /** Decodes every message of the current buffer (re-made when the buffer grows). */
  #wire: WireReader;

  readonly #initial: number;

  constructor(initial = 64 * 1024) {
    this.#initial = initial;
    this.#buf = this.#view = this.#wire = undefined as never;
    this.#replace(Buffer.allocUnsafe(initial));
  }

  #replace(buf: Buffer): void {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#wire = new WireReader(buf, 0, 0, true);
  }

  /** Descriptors received but not yet handed to a message (close them when the stream ends). */
  get pendingFds(): readonly number[] {
    return this.#fds;
  }

  /** Bytes received that do not yet form a complete message. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * Free space at the end of the buffer, at least `min` bytes (more when the
   * message being received is known to need more): receive into it, then
   * {@link MessageReader.commit}.
   */
  reserve(min = 16 * 1024): Uint8Array {
    const want = Math.max(min, this.#need > 0 ? this.#need - (this.#end - this.#start) : 0);
    if (this.#buf.length - this.#end < want) {
      const live = this.#end - this.#start;
      if (this.#buf.length - live >= want && this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        let size = this.#buf.length * 2;
        while (size - live < want) size *= 2;
        const next = Buffer.allocUnsafe(size);
        this.#buf.copy(next, 0, this.#start, this.#end);
        this.#replace(next);
      }
      this.#start = 0;
      this.#end = live;
    }
    return this.#buf.subarray(this.#end);
  }

  /**
   * Accepts `n` bytes just written into the space {@link MessageReader.reserve} gave, and the
   * descriptors that came with them: `fds[fdsStart, fdsEnd)` (recvFdsInto's `fdsOut` is read from 1).
   */
  commit(n: number, fds?: ArrayLike<number>, fdsStart = 0, fdsEnd = fds?.length ?? 0): void {
    this.#end += n;
    if (fds !== undefined) for (let i = fdsStart; i < fdsEnd; i++) this.#fds.push(fds[i]!);
  }

  /**
   * The next complete message, or undefined until more bytes arrive. Messages
   * of unknown type are skipped (D-Bus specification). Throws IPCError
   * (MessageCorrupted, MessageTooLarge, DeserializationError) for bad input.
   */
  next(): DbusMessage | undefined {
    for (;;) {
      const avail = this.#end - this.#start;
      if (this.#need < 0) {
        this.#need = messageLength(this.#buf, this.#view, this.#start, this.#end);
        if (this.#need < 0) return undefined;
      }
      if (avail < this.#need) return undefined;
      const start = this.#start;
      const total = this.#need;
      this.#start += total;
      this.#need = -1;
      if (this.#start === this.#end) this.#start = this.#end = 0;
      const msg = readMessage(this.#buf, start, total, this.#fds, this.#wire);
      if (this.#end === 0 && this.#buf.length > SHRINK_ABOVE) this.#replace(Buffer.allocUnsafe(this.#initial));
      if (msg !== undefined) return msg;
    }
  }

  /** Appends a chunk (copied) with its descriptors and returns every message now complete. */
  push(chunk: Uint8Array, fds?: readonly number[]): DbusMessage[] {
    if (!(chunk instanceof Uint8Array)) throw new IPCError("InvalidArgument", "MessageReader.push needs a Uint8Array");
    this.reserve(chunk.length).set(chunk);
    this.commit(chunk.length, fds);
    const out: DbusMessage[] = [];
    for (let m = this.next(); m !== undefined; m = this.next()) out.push(m);
    return out;
  }
}
