/**
 * Large payloads passed by reference (issue 13: "into a shared slab, with
 * zero copies"): a named region used as a heap of blocks. The writer
 * allocates a block and fills it in place, then sends a small
 * {@link PayloadRef} in any message (over shm, unix, the bus: it is a plain
 * object); the reader maps the same slab and views the block in place, then
 * releases it. The bytes are written once and never copied.
 *
 * Block header (16 bytes, little-endian int32): state (0 free, 1 used),
 * block bytes (header included, a multiple of 16), payload length,
 * generation (bumped on every allocation, so a stale reference to a block
 * released and allocated again is refused). Slab header (64 bytes): magic
 * `0x42414c53` ("SLAB"), version 1, capacity, the allocation cursor.
 *
 * One process allocates from a slab (its owner: allocation and coalescing
 * are not synchronised between writers); any process may view and release
 * (release is one compareExchange used -> free). Create a slab per writer.
 */
import { IPCError } from "../errors.js";
import { createRegion, openRegion, type SharedRegion } from "./region.js";

/** What travels in a message instead of the bytes. */
export interface PayloadRef {
  /** The slab's region name. */
  readonly slab: string;
  /** Byte offset of the payload in the slab's usable memory. */
  readonly offset: number;
  readonly length: number;
  /** The block's generation when allocated. */
  readonly generation: number;
}

const MAGIC = 0x42414c53;
const SLAB_HEADER = 64;
const BLOCK_HEADER = 16;
const W = { magic: 0, version: 1, capacity: 2, cursor: 3 } as const;
const B = { state: 0, size: 1, length: 2, generation: 3 } as const;

function roundUp16(n: number): number {
  return (n + 15) & ~15;
}

/** A slab of payload blocks in a named region; see the file comment. */
export class PayloadSlab {
  readonly #region: SharedRegion;
  readonly #w: Int32Array;
  readonly #base: number;
  readonly #capacity: number;

  private constructor(region: SharedRegion) {
    this.#region = region;
    this.#base = region.dataOffset;
    this.#w = new Int32Array(region.buffer, region.dataOffset, region.size / 4);
    if (Atomics.load(this.#w, W.magic) !== MAGIC || this.#w[W.version] !== 1) {
      throw new IPCError("RegionNotFound", `region ${region.name} is not a payload slab`, { context: { name: region.name } });
    }
    this.#capacity = this.#w[W.capacity]!;
  }

  /** Creates the slab `name` with `capacity` bytes of blocks (a region of that size plus headers). */
  static create(name: string, capacity: number): PayloadSlab {
    if (!Number.isInteger(capacity) || capacity < 4096 || capacity > 2 ** 31 - 64) {
      throw new IPCError("InvalidArgument", `a slab's capacity is an integer in 4096..2^31-64, got ${capacity}`, { context: { capacity } });
    }
    const cap = roundUp16(capacity);
    const region = createRegion(name, SLAB_HEADER + cap);
    const w = new Int32Array(region.buffer, region.dataOffset, (SLAB_HEADER + cap) / 4);
    w[W.version] = 1;
    w[W.capacity] = cap;
    w[W.cursor] = 0;
    const first = SLAB_HEADER / 4;
    w[first + B.state] = 0;
    w[first + B.size] = cap;
    Atomics.store(w, W.magic, MAGIC);
    return new PayloadSlab(region);
  }

  /** Opens the slab `name` (to view and release payloads, in a reader). */
  static open(name: string): PayloadSlab {
    const region = openRegion(name);
    try {
      return new PayloadSlab(region);
    } catch (error) {
      region.close();
      throw error;
    }
  }

  /** The slab's region name (what references carry). */
  get name(): string {
    return this.#region.name!;
  }

  /**
   * Allocates a block of `length` bytes and returns a view of it to fill in
   * place, with the reference to send; undefined when no free block is large
   * enough (release some, or use a larger slab). Writer only.
   */
  alloc(length: number): { bytes: Uint8Array; ref: PayloadRef } | undefined {
    if (!Number.isInteger(length) || length < 1 || length > this.#capacity - BLOCK_HEADER) {
      throw new IPCError("InvalidArgument", `a payload is 1..${this.#capacity - BLOCK_HEADER} bytes, got ${length}`, { context: { length } });
    }
    const need = roundUp16(BLOCK_HEADER + length);
    const w = this.#w;
    let at = w[W.cursor]!;
    // One lap over the blocks from the cursor, merging free neighbours on the way.
    for (let scanned = 0; scanned < this.#capacity; ) {
      const i = (SLAB_HEADER + at) / 4;
      let size = w[i + B.size]!;
      if (Atomics.load(w, i + B.state) === 0) {
        while (at + size < this.#capacity) {
          const j = (SLAB_HEADER + at + size) / 4;
          if (Atomics.load(w, j + B.state) !== 0) break;
          size += w[j + B.size]!;
        }
        w[i + B.size] = size;
        if (size >= need) {
          if (size - need >= BLOCK_HEADER * 2) {
            const rest = (SLAB_HEADER + at + need) / 4;
            w[rest + B.state] = 0;
            w[rest + B.size] = size - need;
            w[i + B.size] = need;
          }
          const generation = (w[i + B.generation]! + 1) | 0;
          w[i + B.generation] = generation;
          w[i + B.length] = length;
          Atomics.store(w, i + B.state, 1);
          const next = at + w[i + B.size]!;
          w[W.cursor] = next >= this.#capacity ? 0 : next;
          const offset = SLAB_HEADER + at + BLOCK_HEADER;
          return { bytes: new Uint8Array(this.#region.buffer, this.#base + offset, length), ref: { slab: this.name, offset, length, generation } };
        }
      }
      scanned += size;
      at += size;
      if (at >= this.#capacity) at = 0;
    }
    // A merge may have swallowed the block the cursor pointed at: restart from a known boundary.
    w[W.cursor] = 0;
    return undefined;
  }

  /**
   * The payload `ref` names, as a view of the shared memory (no copy). Valid
   * until released. InvalidArgument for a reference to another slab, out of
   * bounds, or to a block that was released (or released and reused).
   */
  view(ref: PayloadRef): Uint8Array {
    const i = this.#check(ref);
    return new Uint8Array(this.#region.buffer, this.#base + ref.offset, this.#w[i + B.length]!);
  }

  /** Releases the block `ref` names (any process); InvalidArgument when it is not a live reference. */
  release(ref: PayloadRef): void {
    const i = this.#check(ref);
    if (Atomics.compareExchange(this.#w, i + B.state, 1, 0) !== 1) throw this.#stale(ref);
  }

  /** Closes this handle of the slab's region. */
  close(): void {
    this.#region.close();
  }

  #check(ref: PayloadRef): number {
    const ok =
      ref !== null &&
      typeof ref === "object" &&
      ref.slab === this.name &&
      Number.isInteger(ref.offset) &&
      ref.offset >= SLAB_HEADER + BLOCK_HEADER &&
      ref.offset % 16 === 0 &&
      Number.isInteger(ref.length) &&
      ref.length >= 1 &&
      ref.offset + ref.length <= SLAB_HEADER + this.#capacity;
    if (!ok) throw new IPCError("InvalidArgument", `not a reference into slab ${this.name}`, { context: { ref } });
    const i = (ref.offset - BLOCK_HEADER) / 4;
    if (Atomics.load(this.#w, i + B.state) !== 1 || this.#w[i + B.generation] !== ref.generation || this.#w[i + B.length] !== ref.length) {
      throw this.#stale(ref);
    }
    return i;
  }

  #stale(ref: PayloadRef): IPCError {
    return new IPCError("InvalidArgument", `payload at ${ref.offset} of slab ${this.name} was released (or reused)`, { context: { ref } });
  }
}
