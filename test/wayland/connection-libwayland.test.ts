/**
 * The connection against libwayland itself: wayland-info (libwayland-client)
 * talks to a server-side WlConnection through WAYLAND_SOCKET on a socketpair.
 * It must decode our events (registry globals, callback done, delete_id)
 * and we its requests; a posted error must reach it as libwayland reports
 * one. Wire-level only: the server runtime has its own tests.
 */
import { spawn } from "node:child_process";
import { closeSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nativeShm } from "../../native/index.js";
import { WlConnection } from "../../runtime/wayland/connection.js";
import { registerWlClasses, type WlResource } from "../../runtime/wayland/proxy.js";
import { missingDependency } from "../helpers/system-deps.js";
import { CallbackResource, DisplayResource, RegistryResource } from "./fixtures.js";

registerWlClasses(undefined, CallbackResource);
registerWlClasses(undefined, RegistryResource);

interface Run {
  code: number | null;
  output: string;
  syncs: number;
  serverError: unknown;
}

/** Runs wayland-info against a server connection whose wl_display does `onRegistry` on get_registry. */
function runWaylandInfo(onRegistry: (registry: RegistryResource) => void): Promise<Run> {
  const n = nativeShm();
  const [ours, theirs] = n.socketPair();
  const server = new WlConnection(ours, "server");
  const display = new DisplayResource(server, 1, 1);
  let syncs = 0;
  display.implementation = {
    sync: (_: WlResource, cb: CallbackResource) => cb.sendDone(++syncs),
    getRegistry: (_: WlResource, registry: RegistryResource) => onRegistry(registry),
  };
  let serverError: unknown;
  server.onClose((e) => (serverError = e));
  return new Promise((resolve, reject) => {
    const child = spawn("wayland-info", [], { stdio: ["ignore", "pipe", "pipe", theirs], env: { ...process.env, WAYLAND_SOCKET: "3" } });
    closeSync(theirs);
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      server.close();
      reject((e as NodeJS.ErrnoException).code === "ENOENT" ? missingDependency("wayland-info") : e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      // The server sees the hang-up on its own turn.
      setTimeout(() => {
        const run = { code, output, syncs, serverError };
        server.close();
        resolve(run);
      }, 50);
    });
  });
}

describe("WlConnection with libwayland-client (wayland-info over WAYLAND_SOCKET)", () => {
  it("wayland-info decodes our globals and callbacks, and exits 0", async () => {
    const run = await runWaylandInfo((registry) => {
      registry.sendGlobal(1, "nova_panel", 3);
      registry.sendGlobal(2, "nova_launcher_with_a_longer_name_v1", 1);
    });
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/interface: 'nova_panel',\s+version:\s+3, name:\s+1/);
    expect(run.output).toMatch(/interface: 'nova_launcher_with_a_longer_name_v1',\s+version:\s+1, name:\s+2/);
    expect(run.syncs).toBeGreaterThanOrEqual(1);
    expect((run.serverError as { code?: string } | undefined)?.code).toBe("ChannelClosed");
  });

  it("a posted error reaches libwayland as wl_display.error with our object, code and message", async () => {
    const run = await runWaylandInfo((registry) => registry.postError(7, "no registry for you"));
    // libwayland logs the error (wayland-info exits 0 all the same).
    expect(run.output).toMatch(/wl_registry(@|#)2: error 7: no registry for you/);
    expect((run.serverError as { code?: string; context?: Record<string, unknown> }).context).toMatchObject({ objectId: 2, code: 7, interface: "wl_registry" });
  });
});
