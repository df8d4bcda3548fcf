/**
 * FrameWriter: the sender's fast path. Frames are encoded straight into a
 * large slab (no Buffer per frame); `flush()` hands out everything written
 * since the previous flush as one Buffer for a single socket write.
 *
 * Ownership: bytes handed out by `flush()` are never written again — the
 * writer only moves forward in its slab and starts a fresh slab when the
 * current one is full — so the caller may keep the Buffer until the write
 * completes. The bytes are identical to `encodeMessage`'s, frame by frame.
 */
import { IPCError } from "../errors.js";
import { sealFrames } from "./frame-check.js";
import { encodeMessageIntoUnsealed, type EncodeOptions } from "./frame.js";
import type { Message } from "./message.js";

/** Options of a {@link FrameWriter}. */
export interface FrameWriterOptions extends EncodeOptions {
  /** Size of each slab in bytes (default 256 KiB); a bigger frame gets a slab of its own size. */
  slabSize?: number;
}

const DEFAULT_SLAB = 256 * 1024;

/** Appends encoded frames to a pooled batch buffer; see the module comment. */
export class FrameWriter {
  readonly #slabSize: number;
  readonly #options: EncodeOptions | undefined;
  #slab: Buffer;
  /** Plain view of #slab: keeps the byte writers monomorphic (they also see decoder input). */
  #bytes: Uint8Array;
  #start = 0;
  #pos = 0;
  #frames = 0;

  constructor(options: FrameWriterOptions = {}) {
    const slab = options.slabSize ?? DEFAULT_SLAB;
    if (!Number.isInteger(slab) || slab < 64 || slab > 1 << 30) {
      throw new IPCError("InvalidArgument", "slabSize must be an integer in 64..2^30", { context: { slabSize: slab } });
    }
    this.#slabSize = slab;
    const { format, compression, maxMessageSize } = options;
    // Hoisted once: the per-frame path reads no option object when none was given.
    this.#options = format === undefined && compression === undefined && maxMessageSize === undefined ? undefined : { format, compression, maxMessageSize };
    this.#slab = Buffer.allocUnsafeSlow(slab);
    this.#bytes = new Uint8Array(this.#slab.buffer, this.#slab.byteOffset, this.#slab.length);
  }

  /** Bytes written and not yet flushed. */
  get pendingBytes(): number {
    return this.#pos - this.#start;
  }

  /** Frames written and not yet flushed. */
  get pendingFrames(): number {
    return this.#frames;
  }

  /**
   * Encodes `message` as one frame appended to the pending batch and returns
   * its length. Throws what `encodeMessage` throws; on a throw nothing is
   * appended. `options` (rarely needed) replace the writer's options for this frame.
   */
  write(message: Message, options?: EncodeOptions): number {
    const opts = options ?? this.#options;
    let n = encodeMessageIntoUnsealed(message, this.#bytes, this.#pos, opts);
    if (n < 0) {
      this.#grow(-n);
      n = encodeMessageIntoUnsealed(message, this.#bytes, this.#pos, opts);
    }
    this.#pos += n;
    this.#frames++;
    return n;
  }

  /**
   * The frames written since the last flush, as one Buffer (a view into the
   * slab that the writer will not touch again), or undefined when there are none.
   */
  flush(): Buffer | undefined {
    if (this.#pos === this.#start) return undefined;
    // Frames are written without their CRC; one call seals the whole batch.
    sealFrames(this.#bytes, this.#start, this.#pos);
    const out = this.#slab.subarray(this.#start, this.#pos);
    this.#frames = 0;
    if (this.#slab.length - this.#pos < 1024) {
      this.#newSlab(this.#slabSize);
    } else {
      // Keep later frames 8-byte aligned within the slab.
      this.#pos = (this.#pos + 7) & ~7;
      this.#start = this.#pos;
    }
    return out;
  }

  /** Drops pending frames (for example after the connection closed). */
  discard(): void {
    this.#pos = this.#start;
    this.#frames = 0;
  }

  /** Starts a new slab with room for the pending bytes plus `need`, moving the pending bytes over. */
  #grow(need: number): void {
    const pending = this.#pos - this.#start;
    const old = this.#bytes;
    const from = this.#start;
    this.#newSlab(Math.max(this.#slabSize, pending + need));
    if (pending > 0) this.#bytes.set(old.subarray(from, from + pending), 0);
    this.#pos = pending;
  }

  #newSlab(size: number): void {
    this.#slab = Buffer.allocUnsafeSlow(size);
    this.#bytes = new Uint8Array(this.#slab.buffer, this.#slab.byteOffset, this.#slab.length);
    this.#start = 0;
    this.#pos = 0;
  }
}
