/**
 * The demo's compositor: our WaylandServer with the NovaDE globals (wl_compositor, wl_shm,
 * wl_output, wl_seat, nova_shell_v1) and three applications whose launch runs `true` (a real
 * process, so the pid in `launched` is real, with the activation token in its environment).
 */
import { spawn } from "node:child_process";
import { addNovaGlobals, type AppInfo, type NovaGlobals } from "../../runtime/wayland/globals/index.js";
import { WaylandServer } from "../../runtime/wayland/server.js";

/** The applications the demo's launcher lists. */
export const DEMO_APPS: readonly AppInfo[] = [
  { appId: "org.novade.Terminal", name: "Terminal", icon: "utilities-terminal", categories: "System;TerminalEmulator;", flags: 4 },
  { appId: "org.novade.Files", name: "Files", icon: "system-file-manager", categories: "System;FileManager;", flags: 0 },
  { appId: "org.novade.Settings", name: "Settings", icon: "preferences-system", categories: "Settings;", flags: 1 },
];

/** Starts `true` for an app (XDG_ACTIVATION_TOKEN set when given) and resolves with its pid. */
function launchTrue(_app: AppInfo, token: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (token !== null) env.XDG_ACTIVATION_TOKEN = token;
    const child = spawn("true", [], { env, stdio: "ignore" });
    child.once("spawn", () => resolve(child.pid!));
    child.once("error", reject);
  });
}

/** A listening demo server (see ListenOptions for `display` and `env`). */
export async function startDemoServer(options: { display?: string; env?: NodeJS.ProcessEnv }): Promise<{ server: WaylandServer; globals: NovaGlobals }> {
  const server = await WaylandServer.listen(options);
  const globals = addNovaGlobals(server, { apps: DEMO_APPS, launch: launchTrue });
  return { server, globals };
}
