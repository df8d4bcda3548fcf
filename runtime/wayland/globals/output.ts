/**
 * wl_output and wl_seat for a compositor without hardware: one output whose mode, scale and name
 * are configuration (what clients size themselves after; the shell's configure uses its size),
 * and a seat with no input devices (capabilities 0), so clients that look for a seat find one
 * and never get a device they cannot use.
 */
import { WlOutputMode, WlOutputResource, WlOutputSubpixel, WlOutputTransform, WlSeatError, WlSeatResource } from "../protocols/wayland.js";
import type { WaylandServer } from "../server.js";

/** What the output tells its clients. */
export interface OutputInfo {
  readonly name: string;
  readonly description: string;
  readonly width: number;
  readonly height: number;
  /** Refresh rate in mHz. */
  readonly refreshMhz: number;
  readonly scale: number;
  readonly make: string;
  readonly model: string;
}

/** A 1920×1080 60 Hz output named HEADLESS-1. */
export const DEFAULT_OUTPUT: OutputInfo = {
  name: "HEADLESS-1",
  description: "NovaDE headless output",
  width: 1920,
  height: 1080,
  refreshMhz: 60_000,
  scale: 1,
  make: "NovaDE",
  model: "headless",
};

/** Adds a wl_output global (version 4) describing `info`; on bind it sends geometry, mode, scale, name, description and done (each as its version allows). */
export function addOutput(server: WaylandServer, info: OutputInfo = DEFAULT_OUTPUT): number {
  return server.addGlobal(WlOutputResource, WlOutputResource.interface.version, (output) => {
    output.implementation = {}; // release (v3) is a destructor: the runtime destroys the resource
    output.sendGeometry(0, 0, 0, 0, WlOutputSubpixel.unknown, info.make, info.model, WlOutputTransform.normal);
    output.sendMode(WlOutputMode.current | WlOutputMode.preferred, info.width, info.height, info.refreshMhz);
    if (output.version >= 2) output.sendScale(info.scale);
    if (output.version >= 4) {
      output.sendName(info.name);
      output.sendDescription(info.description);
    }
    if (output.version >= 2) output.sendDone();
  });
}

/** Adds a wl_seat global named `name` with no capabilities; asking it for a device is the protocol's missing_capability error. */
export function addSeat(server: WaylandServer, name = "seat0"): number {
  return server.addGlobal(WlSeatResource, WlSeatResource.interface.version, (seat) => {
    const refuse = (device: string) => (): void => seat.postError(WlSeatError.missing_capability, `${device} requested on a seat that has never had that capability`);
    seat.implementation = { get_pointer: refuse("get_pointer"), get_keyboard: refuse("get_keyboard"), get_touch: refuse("get_touch") };
    seat.sendCapabilities(0);
    if (seat.version >= 2) seat.sendName(name);
  });
}
