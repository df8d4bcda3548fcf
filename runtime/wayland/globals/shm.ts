/**
 * wl_shm: pools from a client's file descriptor (a memfd, passed with SCM_RIGHTS) mapped through
 * the addon, buffers inside them, formats argb8888 and xrgb8888. The memory rules are in
 * shm-memory.ts; this file turns their refusals into wl_shm errors on the right resource, as
 * libwayland's wl-shm.c does.
 */
import { WlShmFormat, WlShmResource, type WlBufferResource, type WlShmPoolResource } from "../protocols/wayland.js";
import type { WaylandServer } from "../server.js";
import { ShmPoolMemory, ShmRefusal, type ShmBufferMemory } from "./shm-memory.js";

const buffers = new WeakMap<WlBufferResource, ShmBufferMemory>();

/** The memory of a wl_buffer made by a wl_shm pool, or undefined (another kind of buffer, or destroyed). */
export function shmBufferOf(buffer: WlBufferResource): ShmBufferMemory | undefined {
  return buffers.get(buffer);
}

/** Runs `fn`; a ShmRefusal becomes a protocol error on `resource` (anything else is a bug and propagates). */
function refuseOn(resource: WlShmResource | WlShmPoolResource, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ShmRefusal)) throw e;
    resource.postError(e.code, e.message);
  }
}

function servePool(pool: WlShmPoolResource, memory: ShmPoolMemory): void {
  pool.addDestroyListener(() => memory.release());
  pool.implementation = {
    create_buffer: (_p: WlShmPoolResource, buffer: WlBufferResource, offset: number, width: number, height: number, stride: number, format: number) =>
      refuseOn(pool, () => {
        const bytes = memory.createBuffer(offset, width, height, stride, format);
        buffers.set(buffer, bytes);
        buffer.implementation = {}; // destroy is the only request; the runtime destroys the resource
        buffer.addDestroyListener(() => bytes.release());
      }),
    resize: (_p: WlShmPoolResource, size: number) => refuseOn(pool, () => memory.resize(size)),
  };
}

/** Adds the wl_shm global (version 1, the only one wayland.xml 1.21 has); returns its name. */
export function addShm(server: WaylandServer): number {
  return server.addGlobal(WlShmResource, WlShmResource.interface.version, (shm) => {
    shm.implementation = {
      create_pool: (_s: WlShmResource, pool: WlShmPoolResource, fd: number, size: number) =>
        refuseOn(shm, () => servePool(pool, new ShmPoolMemory(fd, size))),
    };
    shm.sendFormat(WlShmFormat.argb8888);
    shm.sendFormat(WlShmFormat.xrgb8888);
  });
}
