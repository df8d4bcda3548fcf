/**
 * The demo's shell client, as a panel would be: binds nova_shell_v1 and wl_compositor, makes a
 * top-anchored layer surface, waits for its configure and acknowledges it, draws one frame into
 * a wl_shm buffer (a memfd passed to the server) and waits for the frame callback, then lists
 * the launcher's applications and launches one. Each step prints one line through `say`.
 */
import { closeSync } from "node:fs";
import { nativeShm } from "../../native/index.js";
import { nextEvent, WaylandClient } from "../../runtime/wayland/client.js";
import { NovaLayerSurfaceV1Anchor, NovaShellV1, NovaShellV1Layer } from "../../runtime/wayland/protocols/nova_shell_v1.js";
import { WlCompositor, WlShm, WlShmFormat } from "../../runtime/wayland/protocols/wayland.js";

/** Runs the panel steps against the display at `display` (a name or absolute path). */
export async function runPanel(display: string, say: (line: string) => void): Promise<void> {
  const client = await WaylandClient.connect({ display });
  try {
    say(`globals: ${client.globals().map((g) => `${g.interface} v${g.version}`).join(", ")}`);
    const compositor = client.bind(WlCompositor);
    const shm = client.bind(WlShm);
    const shell = client.bind(NovaShellV1, 2);
    say(`bound nova_shell_v1 version ${shell.version}`);

    const surface = compositor.createSurface();
    const layer = shell.getLayerSurface(surface, null, NovaShellV1Layer.top, "panel");
    const { top, left, right } = NovaLayerSurfaceV1Anchor;
    layer.setAnchor(top | left | right);
    layer.setSize(0, 32);
    layer.setExclusiveZone(32);
    const configured = nextEvent<[number, number, number]>(layer, "configure");
    surface.commit();
    const [serial, width, height] = await configured;
    layer.ackConfigure(serial);
    say(`configure: ${width}x${height} (serial ${serial}), acknowledged`);

    const stride = width * 4;
    const fd = nativeShm().memfdCreate("nova-panel", stride * height);
    const pool = shm.createPool(fd, stride * height);
    closeSync(fd); // the request carried it; the server holds its own copy now
    const buffer = pool.createBuffer(0, width, height, stride, WlShmFormat.argb8888);
    pool.destroy();
    surface.attach(buffer, 0, 0);
    surface.damageBuffer(0, 0, width, height);
    const frame = nextEvent<[number]>(surface.frame(), "done");
    const released = nextEvent<[]>(buffer, "release");
    surface.commit();
    await Promise.all([frame, released]);
    say(`frame: a ${width}x${height} argb8888 wl_shm buffer committed, frame callback done, buffer released`);

    const launcher = shell.getLauncher();
    const apps: string[] = [];
    launcher.on("app", (appId: string, name: string) => apps.push(`${name} (${appId})`));
    const listed = nextEvent<[]>(launcher, "done");
    launcher.listApps();
    await listed;
    say(`apps: ${apps.join(", ")}`);
    const launched = nextEvent<[string, number]>(launcher, "launched");
    launcher.launch("org.novade.Terminal", "demo-token");
    const [appId, pid] = await launched;
    say(`launched ${appId} as pid ${pid}`);

    launcher.destroy();
    layer.destroy();
    buffer.destroy();
    surface.destroy();
    shell.destroy();
    await client.roundtrip();
  } finally {
    client.close();
  }
}
