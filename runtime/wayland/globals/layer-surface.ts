/**
 * The nova_layer_surface_v1 role (idl/shell.nidl), in the manner of wlr-layer-shell: state set
 * by requests is pending until the surface commits; a commit whose state changed (or the first
 * one) is answered with `configure(serial, width, height)`, where a 0 size on an axis anchored
 * to both edges becomes the output's size on it; `ack_configure` must name a serial that was
 * sent and not yet acknowledged (older ones are dropped with it).
 */
import type { OutputInfo } from "./output.js";
import type { Surface, SurfaceRole } from "./compositor.js";
import {
  NovaLayerSurfaceV1Anchor,
  NovaLayerSurfaceV1Error,
  NovaLayerSurfaceV1KeyboardInteractivity,
  NovaShellV1Error,
  NovaShellV1Layer,
  type NovaLayerSurfaceV1Resource,
} from "../protocols/nova_shell_v1.js";

/** The double-buffered state of a layer surface. */
export interface LayerState {
  layer: number;
  width: number;
  height: number;
  anchor: number;
  exclusiveZone: number;
  /** top, right, bottom, left. */
  margin: [number, number, number, number];
  keyboardInteractivity: number;
}

const ALL_ANCHORS = NovaLayerSurfaceV1Anchor.top | NovaLayerSurfaceV1Anchor.bottom | NovaLayerSurfaceV1Anchor.left | NovaLayerSurfaceV1Anchor.right;

/** Whether `layer` is one of nova_shell_v1.layer's values. */
export function isLayer(layer: number): boolean {
  return Object.values(NovaShellV1Layer).includes(layer as NovaShellV1Layer);
}

/** One layer surface: its role on a wl_surface and its state. */
export class LayerSurface implements SurfaceRole {
  readonly name = "nova_layer_surface_v1";
  /** What the client asked for, applied at its next commit. */
  readonly pending: LayerState;
  /** The state of the last commit. */
  current: LayerState;
  /** Serials sent and not yet acknowledged, oldest first. */
  readonly #unacked: number[] = [];
  #dirty = true;
  /** The last serial the client acknowledged (0: none yet). */
  acked = 0;

  constructor(
    readonly resource: NovaLayerSurfaceV1Resource,
    readonly surface: Surface,
    readonly namespace: string,
    layer: number,
    private readonly output: OutputInfo,
    private readonly nextSerial: () => number,
  ) {
    this.pending = { layer, width: 0, height: 0, anchor: 0, exclusiveZone: 0, margin: [0, 0, 0, 0], keyboardInteractivity: NovaLayerSurfaceV1KeyboardInteractivity.none };
    this.current = { ...this.pending, margin: [0, 0, 0, 0] };
    const set = (change: () => void): void => {
      change();
      this.#dirty = true;
    };
    resource.implementation = {
      set_size: (_r: unknown, width: number, height: number) => set(() => Object.assign(this.pending, { width, height })),
      set_anchor: (_r: unknown, anchor: number) => {
        if ((anchor & ~ALL_ANCHORS) !== 0) resource.postError(NovaLayerSurfaceV1Error.invalid_anchor, `anchor 0x${anchor.toString(16)} has undefined bits`);
        else set(() => (this.pending.anchor = anchor));
      },
      set_exclusive_zone: (_r: unknown, zone: number) => set(() => (this.pending.exclusiveZone = zone)),
      set_margin: (_r: unknown, top: number, right: number, bottom: number, left: number) => set(() => (this.pending.margin = [top, right, bottom, left])),
      set_keyboard_interactivity: (_r: unknown, value: number) => {
        if (!Object.values(NovaLayerSurfaceV1KeyboardInteractivity).includes(value as NovaLayerSurfaceV1KeyboardInteractivity)) {
          resource.postError(NovaLayerSurfaceV1Error.invalid_keyboard_interactivity, `keyboard interactivity ${value} is not one of the enum's`);
        } else set(() => (this.pending.keyboardInteractivity = value));
      },
      set_layer: (_r: unknown, layer: number) => {
        // As wlr-layer-shell: the shell's invalid_layer code, posted on the layer surface.
        if (!isLayer(layer)) resource.postError(NovaShellV1Error.invalid_layer, `layer ${layer} is not one of nova_shell_v1.layer`);
        else set(() => (this.pending.layer = layer));
      },
      ack_configure: (_r: unknown, serial: number) => {
        const at = this.#unacked.indexOf(serial);
        if (at < 0) {
          resource.postError(NovaLayerSurfaceV1Error.invalid_serial, `serial ${serial} is not one of a configure that was sent`);
          return;
        }
        this.#unacked.splice(0, at + 1);
        this.acked = serial;
      },
    };
    resource.addDestroyListener(() => {
      if (surface.role === this) surface.role = undefined;
    });
  }

  /** The size a configure carries for `state`: 0 on an axis anchored to both edges means the output's size. */
  #configureSize(state: LayerState): [number, number] {
    const { left, right, top, bottom } = NovaLayerSurfaceV1Anchor;
    const width = state.width === 0 && (state.anchor & (left | right)) === (left | right) ? this.output.width : state.width;
    const height = state.height === 0 && (state.anchor & (top | bottom)) === (top | bottom) ? this.output.height : state.height;
    return [width, height];
  }

  /** SurfaceRole: checks the pending size, applies the state and sends a configure when it changed. */
  commit(): boolean {
    if (this.resource.destroyed) return true; // the role object is gone; the wl_surface commits as a plain surface
    const { left, right, top, bottom } = NovaLayerSurfaceV1Anchor;
    const p = this.pending;
    if ((p.width === 0 && (p.anchor & (left | right)) !== (left | right)) || (p.height === 0 && (p.anchor & (top | bottom)) !== (top | bottom))) {
      this.resource.postError(NovaLayerSurfaceV1Error.invalid_size, `size ${p.width}x${p.height}: 0 needs anchors on both edges of that axis`);
      return false;
    }
    this.current = { ...p, margin: [...p.margin] };
    if (!this.#dirty) return true;
    this.#dirty = false;
    const serial = this.nextSerial();
    this.#unacked.push(serial);
    const [width, height] = this.#configureSize(this.current);
    this.resource.sendConfigure(serial, width, height);
    return true;
  }
}
