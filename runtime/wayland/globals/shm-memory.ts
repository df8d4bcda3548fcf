/**
 * The memory behind wl_shm pools and buffers, kept apart from the protocol glue (shm.ts) so that
 * its checks read like libwayland's wl-shm.c: a pool maps the client's descriptor with MAP_SHARED
 * (the addon's mapFd, which refuses a file shorter than the mapping), grows only, and keeps the
 * descriptor until it and every buffer made from it are gone; a buffer must lie inside its pool.
 *
 * A client can still shrink an unsealed file under our mapping (touching the lost pages would be
 * SIGBUS, which libwayland catches with a signal handler and Node cannot). So the server never
 * touches pixels on its own; {@link ShmBufferMemory.pixels} is only offered for a pool whose
 * descriptor is size-sealed (a memfd with F_SEAL_SHRINK), where it cannot happen.
 */
import { closeSync } from "node:fs";
import { callNativeShm, nativeShm } from "../../../native/index.js";
import { WlShmError, WlShmFormat } from "../protocols/wayland.js";

/** A refusal to report as a protocol error (a wl_shm.error code) on the wl_shm / wl_shm_pool resource. */
export class ShmRefusal extends Error {
  constructor(
    readonly code: WlShmError,
    message: string,
  ) {
    super(message);
  }
}

/** The mapped memory of one wl_shm_pool. */
export class ShmPoolMemory {
  #fd: number;
  #size: number;
  #map: SharedArrayBuffer;
  #refs = 1;
  readonly sealed: boolean;

  /** Maps `size` bytes of `fd` (taking the descriptor over: it is closed on failure too). */
  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.#size = size;
    try {
      if (!Number.isInteger(size) || size <= 0) throw new ShmRefusal(WlShmError.invalid_stride, `invalid size (${size})`);
      this.#map = ShmPoolMemory.#mapOrRefuse(fd, size);
      this.sealed = nativeShm().sizeSealed(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  static #mapOrRefuse(fd: number, size: number): SharedArrayBuffer {
    try {
      return callNativeShm("mmap of a wl_shm pool", () => nativeShm().mapFd(fd, size, false));
    } catch (e) {
      throw new ShmRefusal(WlShmError.invalid_fd, `failed mmap fd ${fd}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  get size(): number {
    return this.#size;
  }

  /** wl_shm_pool.resize: grow only, remapping the same descriptor (the file must already be that large). */
  resize(size: number): void {
    if (!Number.isInteger(size) || size < this.#size) throw new ShmRefusal(WlShmError.invalid_stride, `shrinking pool invalid (${this.#size} to ${size})`);
    if (size === this.#size) return;
    this.#map = ShmPoolMemory.#mapOrRefuse(this.#fd, size);
    this.#size = size;
  }

  /** wl_shm_pool.create_buffer's checks; the buffer holds a reference to this pool. */
  createBuffer(offset: number, width: number, height: number, stride: number, format: number): ShmBufferMemory {
    if (format !== WlShmFormat.argb8888 && format !== WlShmFormat.xrgb8888) throw new ShmRefusal(WlShmError.invalid_format, `invalid format 0x${format.toString(16)}`);
    if (offset < 0 || width <= 0 || height <= 0 || stride < width * 4 || offset + stride * height > this.#size) {
      throw new ShmRefusal(WlShmError.invalid_stride, `invalid width, height or stride (${width}x${height}, ${stride})`);
    }
    this.#refs++;
    return new ShmBufferMemory(this, offset, width, height, stride, format);
  }

  /** The pool's bytes [offset, offset + length), a view of the shared mapping (see the file comment). */
  view(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.#map, offset, length);
  }

  /** Drops one reference (the pool's own on destroy, a buffer's on its destroy); the last one closes the descriptor. */
  release(): void {
    if (--this.#refs === 0) closeSync(this.#fd);
  }
}

/** One wl_buffer's place in its pool. */
export class ShmBufferMemory {
  #released = false;

  constructor(
    readonly pool: ShmPoolMemory,
    readonly offset: number,
    readonly width: number,
    readonly height: number,
    readonly stride: number,
    readonly format: number,
  ) {}

  /** The buffer's pixels (stride × height bytes), or undefined when the pool's file is not size-sealed. */
  pixels(): Uint8Array | undefined {
    return this.pool.sealed && !this.#released ? this.pool.view(this.offset, this.stride * this.height) : undefined;
  }

  /** Drops the buffer's reference to its pool (idempotent). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.pool.release();
  }
}
