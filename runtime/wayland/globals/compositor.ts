/**
 * wl_compositor for a compositor without a screen: surfaces with double-buffered state
 * (attach, scale, transform, offset applied on commit), regions that are accepted and
 * forgotten, and frame callbacks answered on the commit that carried them (there is no repaint
 * to wait for, so "now" is the right time to draw again). A committed buffer is released at once,
 * as by a compositor that copied it. Surface roles (the shell's layer surface) hook in through
 * {@link Surface.role}.
 */
import { WlCompositorResource, WlSurfaceError, WlSurfaceResource, type WlBufferResource, type WlCallbackResource, type WlRegionResource } from "../protocols/wayland.js";
import type { WaylandServer } from "../server.js";

/** The committed (current) state of a surface. */
export interface SurfaceState {
  /** The buffer attached at the last commit that changed it (null: detached / never attached). */
  buffer: WlBufferResource | null;
  scale: number;
  transform: number;
  /** Sum of the attach/offset moves, in surface coordinates. */
  x: number;
  y: number;
}

/** A role a surface can take (one, for life, like wl_surface's role rule). */
export interface SurfaceRole {
  /** The role's name, e.g. `nova_layer_surface_v1`. */
  readonly name: string;
  /** Runs on every commit before the pending state is applied; false when it refused the commit (it posted a protocol error). */
  commit(surface: Surface): boolean;
}

/** One wl_surface. */
export class Surface {
  readonly current: SurfaceState = { buffer: null, scale: 1, transform: 0, x: 0, y: 0 };
  /** Whether a buffer was ever attached (pending or committed): a shell role can no longer be given. */
  hadBuffer = false;
  role: SurfaceRole | undefined;
  #buffer: WlBufferResource | null | undefined;
  #dx = 0;
  #dy = 0;
  #scale: number | undefined;
  #transform: number | undefined;
  #frames: WlCallbackResource[] = [];

  constructor(
    readonly resource: WlSurfaceResource,
    private readonly onCommit: ((surface: Surface) => void) | undefined,
  ) {
    resource.implementation = {
      attach: (_s: WlSurfaceResource, buffer: WlBufferResource | null, x: number, y: number) => {
        if (resource.version >= 5 && (x !== 0 || y !== 0)) {
          resource.postError(WlSurfaceError.invalid_offset, "attach with a non-zero offset (use wl_surface.offset since version 5)");
          return;
        }
        this.#buffer = buffer;
        this.#dx += x;
        this.#dy += y;
        if (buffer !== null) this.hadBuffer = true;
      },
      offset: (_s: WlSurfaceResource, x: number, y: number) => {
        this.#dx += x;
        this.#dy += y;
      },
      frame: (_s: WlSurfaceResource, callback: WlCallbackResource) => {
        this.#frames.push(callback);
      },
      set_buffer_scale: (_s: WlSurfaceResource, scale: number) => {
        if (scale < 1) resource.postError(WlSurfaceError.invalid_scale, `buffer scale must be at least 1, got ${scale}`);
        else this.#scale = scale;
      },
      set_buffer_transform: (_s: WlSurfaceResource, transform: number) => {
        if (transform < 0 || transform > 7) resource.postError(WlSurfaceError.invalid_transform, `buffer transform ${transform} is not a wl_output.transform`);
        else this.#transform = transform;
      },
      commit: () => this.#commit(),
    };
    // Frame callbacks of a surface that goes away are never answered: destroy them (delete_id), as weston does.
    resource.addDestroyListener(() => {
      for (const callback of this.#frames.splice(0)) if (!callback.destroyed) callback.destroyResource();
    });
  }

  #commit(): void {
    if (this.role !== undefined && !this.role.commit(this)) return;
    const state = this.current;
    const attached = this.#buffer;
    if (attached !== undefined) state.buffer = attached;
    this.#buffer = undefined;
    state.x += this.#dx;
    state.y += this.#dy;
    this.#dx = this.#dy = 0;
    if (this.#scale !== undefined) state.scale = this.#scale;
    if (this.#transform !== undefined) state.transform = this.#transform;
    this.#scale = this.#transform = undefined;
    this.onCommit?.(this);
    // Nothing is kept of the pixels: the buffer is free again, and the client may draw its next frame now.
    if (attached != null && !attached.destroyed) attached.sendRelease();
    const frames = this.#frames;
    this.#frames = [];
    const time = Math.floor(performance.now()) >>> 0;
    for (const callback of frames) if (!callback.destroyed) callback.sendDone(time);
  }
}

/** Options of {@link addCompositor}. */
export interface CompositorOptions {
  /** Advertised version (default: the highest the bindings know). */
  readonly version?: number;
  /** Called after each surface commit (tests and demos watch this). */
  readonly onCommit?: (surface: Surface) => void;
}

/** The surfaces of one wl_compositor global. */
export class Compositor {
  readonly #surfaces = new Map<WlSurfaceResource, Surface>();
  readonly globalName: number;

  constructor(server: WaylandServer, options: CompositorOptions = {}) {
    this.globalName = server.addGlobal(WlCompositorResource, options.version ?? WlCompositorResource.interface.version, (compositor) => {
      compositor.implementation = {
        create_surface: (_c: WlCompositorResource, resource: WlSurfaceResource) => {
          this.#surfaces.set(resource, new Surface(resource, options.onCommit));
          resource.addDestroyListener(() => this.#surfaces.delete(resource));
        },
        create_region: (_c: WlCompositorResource, region: WlRegionResource) => {
          region.implementation = {}; // add/subtract are accepted; nothing here clips or routes input by region
        },
      };
    });
  }

  /** The surface state behind a wl_surface resource (undefined once destroyed). */
  surfaceOf(resource: WlSurfaceResource): Surface | undefined {
    return this.#surfaces.get(resource);
  }

  /** Every live surface. */
  surfaces(): Surface[] {
    return [...this.#surfaces.values()];
  }
}
