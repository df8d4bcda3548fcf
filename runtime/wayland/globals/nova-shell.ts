/**
 * The NovaDE shell protocol (idl/shell.nidl, nova_shell_v1) as a global: layer surfaces for
 * panels and launchers (layer-surface.ts), and the launcher object that lists the installed
 * applications and starts them. Which applications exist and how one is started are the
 * embedder's: {@link NovaShellOptions.apps} and {@link NovaShellOptions.launch}.
 */
import { WL_DISPLAY_ID } from "../descriptor.js";
import {
  NovaLauncherV1Error,
  NovaShellV1Error,
  NovaShellV1Resource,
  type NovaLauncherV1Resource,
  type NovaLayerSurfaceV1Resource,
} from "../protocols/nova_shell_v1.js";
import { WlDisplayError, type WlOutputResource, type WlSurfaceResource } from "../protocols/wayland.js";
import type { WaylandServer } from "../server.js";
import type { Compositor } from "./compositor.js";
import { isLayer, LayerSurface } from "./layer-surface.js";
import { DEFAULT_OUTPUT, type OutputInfo } from "./output.js";

/** One application as the launcher lists it (nova_launcher_v1.app). */
export interface AppInfo {
  /** Desktop file id without ".desktop". */
  readonly appId: string;
  readonly name: string;
  readonly icon: string;
  /** Semicolon-separated categories. */
  readonly categories: string;
  /** nova_launcher_v1.app_flags bits. */
  readonly flags: number;
}

/** Starts an application; resolves with the new process's pid (reported to v2 clients as `launched`). */
export type LaunchApp = (app: AppInfo, activationToken: string | null, uris: readonly string[]) => number | Promise<number>;

/** Options of {@link NovaShell}. */
export interface NovaShellOptions {
  readonly compositor: Compositor;
  /** The output layer surfaces are sized against (default {@link DEFAULT_OUTPUT}). */
  readonly output?: OutputInfo;
  readonly apps?: readonly AppInfo[];
  readonly launch?: LaunchApp;
  /** Advertised version (default 2, the protocol's). */
  readonly version?: number;
}

/** The nova_shell_v1 global; see the file comment. */
export class NovaShell {
  readonly globalName: number;
  readonly #launchers = new Set<NovaLauncherV1Resource>();
  readonly #layers = new Set<LayerSurface>();
  #apps: readonly AppInfo[];

  constructor(
    private readonly server: WaylandServer,
    private readonly options: NovaShellOptions,
  ) {
    this.#apps = options.apps ?? [];
    this.globalName = server.addGlobal(NovaShellV1Resource, options.version ?? NovaShellV1Resource.interface.version, (shell) => {
      shell.implementation = {
        get_layer_surface: (_s: NovaShellV1Resource, id: NovaLayerSurfaceV1Resource, surface: WlSurfaceResource, _output: WlOutputResource | null, layer: number, namespace: string) =>
          this.#getLayerSurface(shell, id, surface, layer, namespace),
        get_launcher: (_s: NovaShellV1Resource, launcher: NovaLauncherV1Resource) => this.#serveLauncher(launcher),
      };
    });
  }

  /** The live layer surfaces (the embedder places them). */
  layerSurfaces(): LayerSurface[] {
    return [...this.#layers];
  }

  /** Replaces the application list and tells every launcher (`changed`: they send list_apps again). */
  setApps(apps: readonly AppInfo[]): void {
    this.#apps = apps;
    for (const launcher of this.#launchers) launcher.sendChanged();
  }

  #getLayerSurface(shell: NovaShellV1Resource, id: NovaLayerSurfaceV1Resource, surfaceResource: WlSurfaceResource, layer: number, namespace: string): void {
    const surface = this.options.compositor.surfaceOf(surfaceResource);
    if (surface === undefined) {
      // Another compositor's surface: the embedder wired two of them, not the client's fault (wl_client_post_implementation_error).
      shell.connection.postError(WL_DISPLAY_ID, WlDisplayError.implementation, `${surfaceResource} is not a surface of this shell's compositor`);
      return;
    }
    if (surface.role !== undefined) {
      shell.postError(NovaShellV1Error.role, `${surfaceResource} already has the ${surface.role.name} role`);
      return;
    }
    if (surface.hadBuffer) {
      shell.postError(NovaShellV1Error.already_constructed, `${surfaceResource} had a buffer attached before it got a shell role`);
      return;
    }
    if (!isLayer(layer)) {
      shell.postError(NovaShellV1Error.invalid_layer, `layer ${layer} is not one of nova_shell_v1.layer`);
      return;
    }
    const role = new LayerSurface(id, surface, namespace, layer, this.options.output ?? DEFAULT_OUTPUT, () => this.server.nextSerial());
    surface.role = role;
    this.#layers.add(role);
    id.addDestroyListener(() => this.#layers.delete(role));
  }

  #serveLauncher(launcher: NovaLauncherV1Resource): void {
    this.#launchers.add(launcher);
    launcher.addDestroyListener(() => this.#launchers.delete(launcher));
    const launch = (appId: string, token: string | null, uris: readonly string[]): void => {
      const app = this.#apps.find((a) => a.appId === appId);
      if (app === undefined) {
        launcher.postError(NovaLauncherV1Error.unknown_app, `no application has the id ${JSON.stringify(appId)}`);
        return;
      }
      const start = this.options.launch;
      if (start === undefined) return;
      void Promise.resolve()
        .then(() => start(app, token, uris))
        .then(
          (pid) => {
            if (!launcher.destroyed && launcher.version >= 2) launcher.sendLaunched(appId, pid >>> 0);
          },
          () => undefined, // a launch that failed is not the client's protocol error; it just gets no launched event
        );
    };
    launcher.implementation = {
      list_apps: () => {
        for (const a of this.#apps) launcher.sendApp(a.appId, a.name, a.icon, a.categories, a.flags);
        launcher.sendDone();
      },
      launch: (_l: NovaLauncherV1Resource, appId: string, token: string | null) => launch(appId, token, []),
      launch_with_uris: (_l: NovaLauncherV1Resource, appId: string, token: string | null, uris: Uint8Array) =>
        launch(appId, token, Buffer.from(uris).toString("utf8").split("\n").filter((u) => u !== "")),
    };
  }
}
