/**
 * `nova list`: the names on the `nova bus` daemon (well-known names with the
 * unique name of their owner, then the connections' unique names), the
 * counterpart of `nova dbus list` on a D-Bus bus, in the same columns where
 * the two buses know the same things.
 */
import type { Command } from "commander";
import { connectBus } from "../bus/client.js";
import { defaultBusSocket } from "../bus/protocol.js";
import { isIPCError } from "../errors.js";
import { reportError, socketOption } from "./event-lines.js";
import { textTable } from "./text-table.js";

/** One name on the bus. */
export interface BusNameRow {
  name: string;
  /** The unique name of its owner (the name itself for a unique name). */
  owner?: string;
}

/** The bus's names with their owners, as `listNames` orders them. */
export async function listBusNames(socket: string): Promise<BusNameRow[]> {
  const client = await connectBus(socket);
  try {
    const names = await client.listNames();
    return await Promise.all(
      names.map(async (name): Promise<BusNameRow> => {
        if (name.startsWith(":")) return { name, owner: name };
        try {
          return { name, owner: await client.getNameOwner(name) };
        } catch (error) {
          if (isIPCError(error) && error.code === "EndpointUnreachable") return { name }; // released meanwhile
          throw error;
        }
      }),
    );
  } finally {
    await client.close(false).catch(() => undefined);
  }
}

const EXAMPLES = `
Examples:
  $ nova list
  $ nova list --bus /tmp/bus.sock --json

Columns NAME CONNECTION, as in nova dbus list (which adds PID, PROCESS and USER, known to
dbus-daemon). --json prints one array of {"name", "owner"}. Exit codes: 0 ok, 1 error[Code]:
message on stderr (EndpointUnreachable when no bus runs there), 2 bad usage.`;

/** Registers `list` on the `nova` program. */
export function register(program: Command): void {
  program
    .command("list")
    .description("list the names on the nova bus and their owners (nova dbus list does it for D-Bus)")
    .option("--bus <path>", "bus socket (default $NOVA_BUS_SOCKET, else $XDG_RUNTIME_DIR/nova/bus.sock)", socketOption)
    .option("--json", "print JSON")
    .addHelpText("after", EXAMPLES)
    .action(async (options: { bus?: string; json?: boolean }) => {
      try {
        const rows = await listBusNames(options.bus ?? defaultBusSocket());
        process.stdout.write(options.json === true ? JSON.stringify(rows) + "\n" : textTable([["NAME", "CONNECTION"], ...rows.map((r) => [r.name, r.owner ?? "-"])]));
      } catch (err) {
        reportError(err);
      }
    });
}
