/**
 * `nova wayland globals [--display NAME]`: lists the globals of any Wayland compositor (weston,
 * a NovaDE server, …) with our client, one `interface version` per line, sorted — the same
 * facts as the `interface:`/`version:` lines of wayland-info, in a form scripts can diff.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { WaylandClient } from "../wayland/client.js";
import { reportError } from "./event-lines.js";

/** Sorted `interface version` lines of a compositor's globals (the command's output). */
export function globalLines(globals: readonly { interface: string; version: number }[]): string[] {
  return globals.map((g) => `${g.interface} ${g.version}`).sort();
}

/** Connects (see WaylandClient.connect for how the display is found), lists the globals after one round trip, disconnects. */
export async function listGlobals(display: string | undefined, timeoutMs: number): Promise<string[]> {
  const client = await WaylandClient.connect({ display, timeoutMs });
  try {
    return globalLines(client.globals());
  } finally {
    client.close();
  }
}

const EXAMPLES = `
Examples:
  $ nova wayland globals
  $ nova wayland globals --display wayland-1
  $ nova wayland globals --display /run/user/1000/wayland-0 | grep '^wl_'

The display is found like libwayland does: WAYLAND_SOCKET (an inherited descriptor), else
--display, else $WAYLAND_DISPLAY, else wayland-0; a relative name lives in $XDG_RUNTIME_DIR.
Exit codes: 0 ok, 1 error[Code]: message (no compositor, protocol error, timeout), 2 bad usage.`;

/** Registers `wayland` on the `nova` program. */
export function register(program: Command): void {
  const wayland = program.command("wayland").description("talk to Wayland compositors");
  wayland
    .command("globals")
    .description("list a compositor's globals: one `interface version` line each, sorted")
    .option("--display <name>", "display name (under $XDG_RUNTIME_DIR) or absolute socket path")
    .option("--timeout <ms>", "connect and round-trip timeout in milliseconds", (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive integer");
      return n;
    }, 5000)
    .addHelpText("after", EXAMPLES)
    .action(async (options: { display?: string; timeout: number }) => {
      try {
        for (const line of await listGlobals(options.display, options.timeout)) process.stdout.write(`${line}\n`);
      } catch (err) {
        reportError(err);
      }
    });
}
