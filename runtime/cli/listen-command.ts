/**
 * `nova listen PATTERN`: subscribes on the bus daemon and prints one JSON
 * line per event (event-lines.ts) until SIGINT or SIGTERM. Readiness is
 * signalled on stderr: its first line, `listening PATTERN on SOCKET`, is
 * written once the daemon routes matching events to this process, and
 * nothing is printed on stdout before it is subscribed; scripts and tests
 * wait for that line instead of sleeping.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { connectBus, type BusClient, type BusHandlerOptions } from "../bus/client.js";
import { defaultBusSocket } from "../bus/protocol.js";
import { IPCError } from "../errors.js";
import { validateEventFilter, type EventFilter } from "../events/filter.js";
import { parsePattern } from "../events/topic-pattern.js";
import type { BusEvent } from "../events/types.js";
import { eventLine, offsetOption, reportError, sinceOption, untilSignal, socketOption, exitOnBrokenPipe } from "./event-lines.js";

/** Options of `nova listen`. */
export interface ListenCliOptions {
  filter?: string;
  fromOffset?: number;
  since?: string;
  bus?: string;
}

/** Parses `--filter` (plain JSON, runtime/events/filter.ts). Throws IPCError InvalidArgument / InvalidFilter. */
export function parseFilterOption(text: string): EventFilter {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new IPCError("InvalidArgument", `--filter is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  validateEventFilter(json as EventFilter);
  return json as EventFilter;
}

/** The printed line of a daemon-delivered event. */
export function busEventLine(e: BusEvent): string {
  const o = e.origin;
  return eventLine({ offset: o?.offset, id: o?.id ?? 0, topic: e.type, timestampNs: o?.timestampNs ?? 0n, data: e.data });
}

const EXAMPLES = `
Examples:
  $ nova listen 'window.**'
  $ nova listen 'window.*' --filter '{"field": "id", "range": {"gte": 5}}'
  $ nova listen 'audit.**' --from-offset 0          # the persisted events first, then live ones
  $ nova listen 'audit.**' --since 2026-12-04T18:00:00Z

Each event is one line: {"offset":N,"id":"…","topic":"…","timestampNs":"…","data":…}
("offset" only for persisted events; "id" and "timestampNs" are decimal strings because
they exceed 2^53; bigints and bytes in data use the tags {"$n": "5"} and {"$b": "base64"}).
The filter is evaluated by the bus, so unwanted events never reach this process
(runtime/events/filter.ts has the grammar). --from-offset / --since replay the bus's event
log first (the bus needs --log), then go on live with no gap and no repeat.

Readiness: the first line on stderr is "listening PATTERN on SOCKET", written once the
subscription is active (nothing is printed on stdout before). Runs until SIGINT or SIGTERM
(exit 0). Exit codes: 0 stopped by a signal, 1 an error (error[Code]: message on stderr;
ChannelClosed when the bus goes away), 2 bad usage.`;

/** Registers `listen` on the `nova` program. */
export function register(program: Command): void {
  program
    .command("listen")
    .description("print the bus's events matching a pattern, one JSON line each, until SIGINT")
    .argument("<pattern>", "topic pattern: * matches one segment, ** any number (window.**)")
    .option("--filter <json>", "declarative event filter, evaluated in the bus")
    .addOption(new Option("--from-offset <n>", "replay the event log from this offset first").argParser(offsetOption).conflicts("since"))
    .addOption(new Option("--since <iso>", "replay the event log from this time first (ISO-8601, or ns since the epoch)").argParser(sinceOption))
    .option("--bus <path>", "bus socket (default $NOVA_BUS_SOCKET, else $XDG_RUNTIME_DIR/nova/bus.sock)", socketOption)
    .addHelpText("after", EXAMPLES)
    .action(async (pattern: string, options: ListenCliOptions) => {
      exitOnBrokenPipe();
      const stop = untilSignal();
      let client: BusClient | undefined;
      try {
        parsePattern(pattern);
        const handlerOptions: BusHandlerOptions = {};
        if (options.filter !== undefined) handlerOptions.filter = parseFilterOption(options.filter);
        if (options.fromOffset !== undefined) handlerOptions.fromOffset = options.fromOffset;
        if (options.since !== undefined) handlerOptions.since = options.since;
        const socket = options.bus ?? defaultBusSocket();
        client = await connectBus(socket, {
          // Refusals and drops the bus reports (e.g. EventQueueFull: we read too slowly) go to stderr.
          onError: (e) => void process.stderr.write(`warning[${e.code}]: ${e.message}\n`),
        });
        await client.registerEventHandler(pattern, (e) => void process.stdout.write(busEventLine(e) + "\n"), handlerOptions);
        process.stderr.write(`listening ${pattern} on ${socket}\n`);
        const closed = client.channel.closedPromise.then(() => "closed" as const);
        if ((await Promise.race([stop.signal, closed])) === "closed") {
          throw new IPCError("ChannelClosed", "the bus closed the connection");
        }
      } catch (err) {
        reportError(err);
      } finally {
        stop.dispose();
        await client?.close(false).catch(() => undefined);
      }
    });
}
