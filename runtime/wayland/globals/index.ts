/**
 * The globals of a NovaDE Wayland server in one call: wl_compositor, wl_shm, wl_output, wl_seat
 * and the shell protocol nova_shell_v1 — enough for ordinary clients (wayland-info, a toolkit's
 * start-up) to query it and for shell clients to use it.
 */
import type { WaylandServer } from "../server.js";
import { Compositor, type CompositorOptions } from "./compositor.js";
import { NovaShell, type AppInfo, type LaunchApp } from "./nova-shell.js";
import { addOutput, addSeat, DEFAULT_OUTPUT, type OutputInfo } from "./output.js";
import { addShm } from "./shm.js";

export { Compositor, Surface, type SurfaceRole, type SurfaceState, type CompositorOptions } from "./compositor.js";
export { NovaShell, type AppInfo, type LaunchApp, type NovaShellOptions } from "./nova-shell.js";
export { LayerSurface, type LayerState } from "./layer-surface.js";
export { addOutput, addSeat, DEFAULT_OUTPUT, type OutputInfo } from "./output.js";
export { addShm, shmBufferOf } from "./shm.js";
export { ShmBufferMemory, ShmPoolMemory } from "./shm-memory.js";

/** Options of {@link addNovaGlobals}. */
export interface NovaGlobalsOptions {
  readonly output?: OutputInfo;
  readonly seatName?: string;
  readonly apps?: readonly AppInfo[];
  readonly launch?: LaunchApp;
  readonly onCommit?: CompositorOptions["onCommit"];
}

/** What {@link addNovaGlobals} created. */
export interface NovaGlobals {
  readonly compositor: Compositor;
  readonly shell: NovaShell;
  readonly shm: number;
  readonly output: number;
  readonly seat: number;
}

/** Adds wl_compositor, wl_shm, wl_output, wl_seat and nova_shell_v1 to `server`, in that order. */
export function addNovaGlobals(server: WaylandServer, options: NovaGlobalsOptions = {}): NovaGlobals {
  const output = options.output ?? DEFAULT_OUTPUT;
  const compositor = new Compositor(server, { onCommit: options.onCommit });
  const shm = addShm(server);
  const outputName = addOutput(server, output);
  const seat = addSeat(server, options.seatName);
  const shell = new NovaShell(server, { compositor, output, apps: options.apps, launch: options.launch });
  return { compositor, shell, shm, output: outputName, seat };
}
