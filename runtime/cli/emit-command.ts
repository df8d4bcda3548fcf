/**
 * `nova emit TOPIC [JSON]`: publishes events through the bus daemon and
 * prints one acknowledgement line per event, `{"offset":N,"id":"…"}` (offset
 * only when persisted). With a JSON argument it emits that one event; without
 * one it reads one JSON value per stdin line. Every emit waits for the
 * daemon's acknowledgement (`BusClient.emit`; a persisted one once durable),
 * several in flight at a time, printed in input order.
 */
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { Option } from "commander";
import { connectBus, type BusClient } from "../bus/client.js";
import { BUS_TOPIC_PREFIX, defaultBusSocket } from "../bus/protocol.js";
import { IPCError, isIPCError } from "../errors.js";
import { parseTopic } from "../events/topic-pattern.js";
import type { EventPriority } from "../events/types.js";
import { parseJsonValue, receiptLine, reportError, writeLine, socketOption } from "./event-lines.js";

/** Options of `nova emit`. */
export interface EmitCliOptions {
  persist?: boolean;
  priority?: EventPriority;
  bus?: string;
}

/** Emits waiting for their acknowledgement at once (enough to hide the round trip and a group commit). */
const WINDOW = 64;

/** Checks a topic as the daemon will, before connecting. Throws IPCError InvalidEventType. */
export function checkEmitTopic(topic: string): void {
  parseTopic(topic);
  if (topic.startsWith(BUS_TOPIC_PREFIX)) throw new IPCError("InvalidEventType", `topics under ${BUS_TOPIC_PREFIX} are the bus's own`, { context: { eventType: topic } });
}

type Outcome = { line: string } | { error: IPCError };

async function emitOne(client: BusClient, topic: string, data: unknown, options: EmitCliOptions): Promise<Outcome> {
  try {
    return { line: receiptLine(await client.emit(topic, data, { persist: options.persist === true, priority: options.priority ?? "normal" })) };
  } catch (err) {
    if (isIPCError(err)) return { error: err };
    throw err;
  }
}

/**
 * Emits one event per non-blank line of `lines`, at most {@link WINDOW} in flight, and prints
 * the outcomes in input order: an acknowledgement on stdout, or `error[Code]: line N: ...` on
 * stderr (a line that is not JSON is never sent). Returns false when any line failed. Stops
 * reading once the connection is lost.
 */
export async function emitLines(client: BusClient, topic: string, lines: AsyncIterable<string>, options: EmitCliOptions): Promise<boolean> {
  const pending: { n: number; outcome: Promise<Outcome> }[] = [];
  let ok = true;
  const printOldest = async (): Promise<void> => {
    const { n, outcome } = pending.shift()!;
    const o = await outcome;
    if ("line" in o) {
      await writeLine(o.line);
    } else {
      ok = false;
      process.stderr.write(`error[${o.error.code}]: line ${n}: ${o.error.message}\n`);
    }
  };
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === "") continue;
    let outcome: Promise<Outcome>;
    try {
      outcome = emitOne(client, topic, parseJsonValue(text, "the line"), options);
    } catch (err) {
      if (!isIPCError(err)) throw err;
      outcome = Promise.resolve({ error: err });
    }
    pending.push({ n, outcome });
    if (pending.length >= WINDOW) await printOldest();
    if (client.closed) break;
  }
  while (pending.length > 0) await printOldest();
  if (client.closed) {
    process.stderr.write(`error[ChannelClosed]: the bus closed the connection; no line after line ${n} was sent\n`);
    return false;
  }
  return ok;
}

const EXAMPLES = `
Examples:
  $ nova emit window.opened '{"id": 7, "title": "Terminal"}'
  {"id":"1764871200000001"}
  $ nova emit audit.login '{"user": "ada"}' --persist
  {"offset":41,"id":"1764871200000002"}
  $ printf '{"id":1}\\n{"id":2}\\n' | nova emit window.moved --persist
  {"offset":42,"id":"1764871200000003"}
  {"offset":43,"id":"1764871200000004"}

Without a JSON argument, stdin is read line by line: one JSON value per line, blank lines
ignored, one acknowledgement line per event, in input order. A line that is not JSON is not
sent; it gets "error[InvalidArgument]: line N: ..." on stderr and the exit code is 1 once
every other line is done. Bigints and bytes use the tags {"$n": "5"} and {"$b": "base64"}.
Each line is printed after the bus acknowledged the event (with --persist: once the record
is durable under the bus's fsync policy); "id" is the bus's event id as a decimal string.
Exit codes: 0 every event acknowledged, 1 an error (error[Code]: message on stderr), 2 bad usage.`;

/** Registers `emit` on the `nova` program. */
export function register(program: Command): void {
  program
    .command("emit")
    .description("publish events on the bus; prints one acknowledgement line per event")
    .argument("<topic>", "event type, e.g. window.opened")
    .argument("[json]", "event data as JSON (default: one JSON value per stdin line)")
    .option("--persist", "store the event in the bus's event log (acknowledged once durable)")
    .addOption(new Option("--priority <priority>", "event priority").choices(["high", "normal", "low"]).default("normal"))
    .option("--bus <path>", "bus socket (default $NOVA_BUS_SOCKET, else $XDG_RUNTIME_DIR/nova/bus.sock)", socketOption)
    .addHelpText("after", EXAMPLES)
    .action(async (topic: string, json: string | undefined, options: EmitCliOptions) => {
      let client: BusClient | undefined;
      try {
        checkEmitTopic(topic);
        const data = json === undefined ? undefined : parseJsonValue(json, "the event data");
        client = await connectBus(options.bus ?? defaultBusSocket());
        if (json !== undefined) {
          const o = await emitOne(client, topic, data, options);
          if ("error" in o) throw o.error;
          await writeLine(o.line);
        } else {
          const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
          if (!(await emitLines(client, topic, lines, options))) process.exitCode = 1;
          lines.close();
        }
      } catch (err) {
        reportError(err);
      } finally {
        await client?.close().catch(() => undefined);
      }
    });
}
