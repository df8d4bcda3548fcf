/**
 * `nova call <endpoint> <Interface.method> ['<json-args>']`: calls one method
 * of a running server and prints its result as JSON, like `busctl call`.
 * Arguments are a JSON array of the positional arguments (a single non-array
 * value is taken as the only argument); bigints and bytes use the tagged JSON
 * of idl/WIRE.md (`{"$n": "5"}`, `{"$b": "base64"}`), in both directions.
 */
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { fromTaggedJson, toTaggedJson } from "../codec/value-json.js";
import { IPCError, isIPCError } from "../errors.js";
import { connectRpc } from "../rpc/connect.js";
import { splitMethod } from "../rpc/rpc-protocol.js";
import type { TransportType } from "../transport/types.js";

/** Options of {@link callMethod}. */
export interface CallCliOptions {
  transport?: TransportType;
  /** Call timeout in ms (default 5000). */
  timeout?: number;
  /** Indent the JSON output. */
  pretty?: boolean;
}

/** Parses the argument text into positional arguments. Throws IPCError InvalidArgument. */
export function parseCallArgs(text: string | undefined): unknown[] {
  if (text === undefined || text.trim() === "") return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new IPCError("InvalidArgument", `arguments are not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  try {
    const value = fromTaggedJson(json);
    return Array.isArray(json) ? (value as unknown[]) : [value];
  } catch (cause) {
    throw new IPCError("InvalidArgument", `bad tagged JSON in arguments: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Connects, calls `target` (`Interface.method`) with `argsText`, disconnects; returns the result as JSON text. */
export async function callMethod(endpoint: string, target: string, argsText: string | undefined, options: CallCliOptions = {}): Promise<string> {
  const split = splitMethod(target);
  if (!split) {
    throw new IPCError("InvalidArgument", `"${target}" is not Interface.method (e.g. org.novade.Notifications.notify)`, { context: { target } });
  }
  const args = parseCallArgs(argsText);
  const timeoutMs = options.timeout ?? 5000;
  const client = await connectRpc(endpoint, { transport: options.transport ?? "unix", timeoutMs });
  try {
    const result = await client.call(split.iface, split.member, args, { timeoutMs });
    const json = JSON.stringify(toTaggedJson(result === undefined ? null : result), null, options.pretty ? 2 : undefined);
    return json + "\n";
  } finally {
    await client.close(false).catch(() => undefined);
  }
}

const EXAMPLES = `
Examples:
  $ nova call org.novade.Demo org.novade.demo.Calculator.add '[2, 3]'
  $ nova call /run/user/1000/nova/org.novade.Demo.sock org.novade.demo.Calculator.history
  $ nova call --transport pipe --timeout 500 my-service my.pkg.Iface.ping '["hello"]'

<endpoint> is a short name (resolved under $XDG_RUNTIME_DIR/nova/, or /tmp/nova-<uid>/)
or an absolute path. Arguments are a JSON array; bigints and bytes use the tags
{"$n": "5"} and {"$b": "base64"}. Exit codes: 0 ok (result printed as JSON), 1 the call
failed (error[Code]: message on stderr; declared errors also print their name and data),
2 bad usage.`;

/** Prints an IPCError and sets exit code 1; anything else is a bug and rethrown. */
function fail(err: unknown): void {
  if (!isIPCError(err)) throw err;
  let line = `error[${err.code}]: ${err.message}`;
  if (typeof err.context.errorName === "string") line += ` (${err.context.errorName} ${JSON.stringify(toTaggedJson(err.context.data ?? null))})`;
  process.stderr.write(line + "\n");
  process.exitCode = 1;
}

/** Registers `call` on the `nova` program. */
export function register(program: Command): void {
  program
    .command("call")
    .description("call a method of a running server and print the result as JSON")
    .argument("<endpoint>", "server endpoint: short name or absolute path")
    .argument("<method>", "Interface.method, e.g. org.novade.demo.Calculator.add")
    .argument("[args]", "JSON array of arguments", "[]")
    .addOption(new Option("--transport <transport>", "transport").choices(["unix", "pipe", "shm"]).default("unix"))
    .option("--timeout <ms>", "call timeout in milliseconds", (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive integer");
      return n;
    }, 5000)
    .option("--pretty", "indent the JSON result")
    .addHelpText("after", EXAMPLES)
    .action(async (endpoint: string, method: string, args: string, options: CallCliOptions) => {
      try {
        process.stdout.write(await callMethod(endpoint, method, args, options));
      } catch (err) {
        fail(err);
      }
    });
}
