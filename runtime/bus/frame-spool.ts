/**
 * A FIFO of whole frames in 64 KiB blocks: the overflow queue of a slow bus
 * subscriber. Frames are copied in back to back, so queueing costs one copy
 * and no object per frame (the daemon may queue millions in a burst), and the
 * oldest frame can be dropped by reading its length from its header.
 */
import { readU32 } from "../wire/bytes.js";
import { HEADER_SIZE, Offset } from "../wire/constants.js";

const BLOCK_BYTES = 64 * 1024;

interface Block {
  readonly buf: Uint8Array;
  /** Next frame to take. */
  r: number;
  /** End of the frames written. */
  w: number;
}

/** See the file comment. */
export class FrameSpool {
  private blocks: Block[] = [];
  private head = 0;
  /** Frames queued. */
  frames = 0;
  /** Bytes queued. */
  bytes = 0;

  /** Appends a copy of the frame `b[p, p + total)`. */
  push(b: Uint8Array, p: number, total: number): void {
    let tail = this.blocks.length > this.head ? this.blocks[this.blocks.length - 1] : undefined;
    if (tail === undefined || tail.w + total > tail.buf.length) {
      tail = { buf: new Uint8Array(Math.max(BLOCK_BYTES, total)), r: 0, w: 0 };
      this.blocks.push(tail);
    }
    const buf = tail.buf;
    const at = tail.w;
    buf.set(b.subarray(p, p + total), at);
    tail.w = at + total;
    this.frames++;
    this.bytes += total;
  }

  /** The oldest frame's bytes `[buf, start]` (header first), or undefined when empty. */
  oldest(): [Uint8Array, number] | undefined {
    const block = this.blocks[this.head];
    return block === undefined ? undefined : [block.buf, block.r];
  }

  /** Drops the oldest frame; false when empty. */
  dropOldest(): boolean {
    const block = this.blocks[this.head];
    if (block === undefined) return false;
    const size = HEADER_SIZE + readU32(block.buf, block.r + Offset.payloadLength);
    block.r += size;
    this.frames--;
    this.bytes -= size;
    if (block.r >= block.w) this.shift();
    return true;
  }

  /** The oldest block's queued frames as `[buf, start, end]`, or undefined when empty. */
  peek(): [Uint8Array, number, number] | undefined {
    const block = this.blocks[this.head];
    return block === undefined ? undefined : [block.buf, block.r, block.w];
  }

  /** Removes what {@link peek} returned (`frames` frames), once it was sent. */
  consumeHead(frames: number): void {
    const block = this.blocks[this.head]!;
    this.bytes -= block.w - block.r;
    this.frames -= frames;
    this.shift();
  }

  /** Counts the frames of the oldest block (what {@link peek} returns). */
  headFrames(): number {
    const block = this.blocks[this.head];
    if (block === undefined) return 0;
    let n = 0;
    for (let p = block.r; p < block.w; p += HEADER_SIZE + readU32(block.buf, p + Offset.payloadLength)) n++;
    return n;
  }

  private shift(): void {
    this.blocks[this.head] = undefined as unknown as Block;
    this.head++;
    if (this.head === this.blocks.length) {
      this.blocks = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.blocks.length) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
  }
}
