/**
 * `nova bus`: runs the bus daemon (runtime/bus) in the foreground until
 * SIGTERM or SIGINT, then closes it cleanly (connections closed, event log
 * flushed and closed, socket removed) and exits 0. The first stdout line is
 * the socket path, printed once clients can connect, so scripts and tests can
 * wait for it.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { BusDaemon, type BusDaemonOptions } from "../bus/daemon.js";
import type { SlowSubscriberPolicy } from "../bus/daemon-conn.js";
import { IPCError } from "../errors.js";
import { loadSchemaDirectory } from "../registry/schema-directory.js";
import type { FsyncPolicy } from "../events/log/event-log.js";
import { corruptionLine } from "./replay-command.js";
import { positiveIntOption, reportError, untilSignal, socketOption } from "./event-lines.js";

/** Options of `nova bus`, as commander parses them. */
export interface BusCliOptions {
  socket?: string;
  log?: string;
  fsync?: FsyncPolicy;
  persist?: string[];
  maxConnections?: number;
  slowSubscriber?: SlowSubscriberPolicy;
  schemas?: string;
  slowSubscriberMs?: number;
}

/** The daemon options for the CLI options. Throws IPCError InvalidArgument for combinations that make no sense. */
export async function daemonOptions(options: BusCliOptions): Promise<BusDaemonOptions> {
  if (options.fsync !== undefined && options.log === undefined) {
    throw new IPCError("InvalidArgument", "--fsync needs --log DIR (without a log nothing is persisted)");
  }
  if ((options.persist?.length ?? 0) > 0 && options.log === undefined) {
    throw new IPCError("InvalidArgument", "--persist needs --log DIR");
  }
  // nova-gen's schema entries: the topics declared @persistent are persisted too.
  const schemas = options.schemas === undefined ? undefined : await loadSchemaDirectory(options.schemas);
  if (schemas !== undefined && options.log === undefined && schemas.eventTopics().some((t) => t.persistent)) {
    throw new IPCError("InvalidArgument", `--schemas ${options.schemas} declares @persistent topics: they need --log DIR`);
  }
  return {
    socket: options.socket,
    schemas,
    log: options.log,
    fsync: options.fsync,
    persistTopics: options.persist,
    maxConnections: options.maxConnections,
    slowSubscriber: options.slowSubscriber,
    slowSubscriberMs: options.slowSubscriberMs,
    // Problems that are no client's fault (a failing log disk) go to stderr, one line each.
    onError: (e) => void process.stderr.write(`warning[${e.code}]: ${e.message}\n`),
  };
}

const EXAMPLES = `
Examples:
  $ nova bus                                        # $NOVA_BUS_SOCKET, else $XDG_RUNTIME_DIR/nova/bus.sock
  $ nova bus --socket /tmp/bus.sock --log ~/.local/state/nova/events --persist 'audit.**'
  $ nova bus --log /var/tmp/events --fsync always --slow-subscriber disconnect
  $ nova bus --log ~/.local/state/nova/events --schemas gen/schema   # @persistent topics from nova-gen

The first line on stdout is the socket path, printed once the bus accepts connections;
nothing is printed before it. The bus runs until SIGTERM or SIGINT, then closes every
connection, flushes and closes the log, removes the socket and exits 0. Exit codes: 0 ok,
1 the bus could not start (error[Code]: message on stderr; e.g. InvalidEndpointName when
another bus is live on the socket), 2 bad usage.`;

/** Registers `bus` on the `nova` program. */
export function register(program: Command): void {
  program
    .command("bus")
    .description("run the event bus daemon in the foreground")
    .option("--socket <path>", "socket path (default $NOVA_BUS_SOCKET, else $XDG_RUNTIME_DIR/nova/bus.sock)", socketOption)
    .option("--log <dir>", "directory of the persistent event log (without it nothing is persisted)")
    .addOption(new Option("--fsync <policy>", "when a persisted event counts as durable (default group)").choices(["always", "group", "never"]))
    .option("--persist <pattern>", "persist every event whose topic matches (repeatable; needs --log)", (v: string, acc: string[] = []) => [...acc, v])
    .option("--max-connections <n>", "connections held at once (default 16384)", positiveIntOption)
    .addOption(new Option("--slow-subscriber <policy>", "what happens to a subscriber that cannot keep up (default drop-oldest)").choices(["drop-oldest", "disconnect"]))
    .option("--slow-subscriber-ms <ms>", "how long a subscriber that is behind may hold publishers back (default 500)", positiveIntOption)
    .option("--schemas <dir>", "nova-gen schema entries (--target schema): persist the topics they declare @persistent (needs --log)")
    .addHelpText("after", EXAMPLES)
    .action(async (options: BusCliOptions) => {
      // Listen for signals first: one that arrives while starting still stops the bus cleanly.
      const stop = untilSignal();
      let daemon: BusDaemon;
      try {
        daemon = await BusDaemon.start(await daemonOptions(options));
      } catch (err) {
        stop.dispose();
        reportError(err);
        return;
      }
      process.stdout.write(daemon.socket + "\n");
      const recovery = daemon.log?.recovery;
      // What opening the log found after a crash, for the operator (after the socket line: stdout stays clean).
      if (recovery !== undefined && recovery.truncatedBytes > 0) {
        process.stderr.write(`note: event log: cut a torn tail of ${recovery.truncatedBytes} bytes (a write interrupted by a crash; never acknowledged)\n`);
      }
      for (const c of recovery?.corruptions ?? []) process.stderr.write(`warning: ${corruptionLine(c)}\n`);
      await stop.signal;
      try {
        await daemon.close();
      } catch (err) {
        reportError(err, "closing the bus: ");
      }
    });
}
