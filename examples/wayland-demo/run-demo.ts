/**
 * `npm run demo:wayland`: our Wayland server on a private display, our client talking the NovaDE
 * shell protocol to it (see panel-client.ts), exit 0 when every step got its answer.
 *
 * `npm run demo:wayland -- --serve [--display NAME]` only serves, until SIGTERM or SIGINT: NAME
 * is a display name under $XDG_RUNTIME_DIR (or an absolute socket path); without
 * XDG_RUNTIME_DIR a private 0700 directory is made. It prints `WAYLAND_DISPLAY=<path>` once
 * listening, so `WAYLAND_DISPLAY=<path> wayland-info` or `nova wayland globals --display <path>`
 * can be pointed at it.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { parseArgs } from "node:util";
import { untilSignal } from "../../runtime/cli/event-lines.js";
import { startDemoServer } from "./demo-server.js";
import { runPanel } from "./panel-client.js";

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The environment to listen in: the caller's XDG_RUNTIME_DIR, or a private one (removed by `cleanup`). */
function runtimeEnv(display: string | undefined, usePrivate: boolean): { env: NodeJS.ProcessEnv; cleanup: () => void } {
  if (!usePrivate && ((display !== undefined && isAbsolute(display)) || (process.env.XDG_RUNTIME_DIR ?? "") !== "")) return { env: process.env, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), "nova-wayland-demo-"));
  chmodSync(dir, 0o700);
  return { env: { ...process.env, XDG_RUNTIME_DIR: dir }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function serve(display: string | undefined): Promise<void> {
  const { env, cleanup } = runtimeEnv(display, false);
  const { server } = await startDemoServer({ display, env });
  say(`WAYLAND_DISPLAY=${server.socket!.path}`);
  const wait = untilSignal();
  const signal = await wait.signal;
  await server.close();
  cleanup();
  say(`stopped on ${signal}`);
}

async function demo(display: string | undefined): Promise<void> {
  const { env, cleanup } = runtimeEnv(display, true);
  const { server } = await startDemoServer({ display: display ?? "nova-demo", env });
  try {
    say(`1. server: listening on ${server.socket!.path} (lock ${server.socket!.lockPath})`);
    say("2. client: connecting");
    await runPanel(server.socket!.path, (line) => say(`   ${line}`));
    say("3. done: every shell request was answered");
  } finally {
    await server.close();
    cleanup();
  }
}

const { values } = parseArgs({ options: { serve: { type: "boolean" }, display: { type: "string" } } });
try {
  await (values.serve === true ? serve(values.display) : demo(values.display));
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`demo:wayland failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
