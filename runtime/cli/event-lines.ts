/**
 * What `nova emit`, `nova listen` and `nova replay` share: the one-line JSON
 * form of an event, JSON input parsing with typed errors, option parsers and
 * the `error[Code]: message` convention. Pure functions except {@link writeLine}
 * and {@link reportError}, which touch the process's stdout/stderr.
 */
import { isAbsolute, resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import { fromTaggedJson, toTaggedJson } from "../codec/value-json.js";
import { IPCError, isIPCError } from "../errors.js";
import { parseSince } from "../bus/daemon-control.js";

/** The fields of one printed event. */
export interface EventLineFields {
  /** Log offset, only for persisted events. */
  offset?: number;
  /** The daemon's event id (exceeds 2^53 in general: printed as a decimal string). */
  id: number | bigint;
  topic: string;
  /** Publisher's timestamp, ns since the epoch (printed as a decimal string). */
  timestampNs: bigint;
  data: unknown;
}

/**
 * `{"offset":N,"id":"…","topic":"…","timestampNs":"…","data":…}` (offset only
 * when persisted). Data is tagged JSON (idl/WIRE.md): bigints `{"$n":"5"}`, bytes `{"$b":"…"}`.
 */
export function eventLine(e: EventLineFields): string {
  const head = e.offset === undefined ? "{" : `{"offset":${e.offset},`;
  return `${head}"id":"${String(e.id)}","topic":${JSON.stringify(e.topic)},"timestampNs":"${e.timestampNs}","data":${JSON.stringify(toTaggedJson(e.data ?? null))}}`;
}

/** The acknowledgement line of `nova emit`: `{"offset":N,"id":"…"}` (offset only when persisted). */
export function receiptLine(r: { id: number; offset?: number }): string {
  return r.offset === undefined ? `{"id":"${r.id}"}` : `{"offset":${r.offset},"id":"${r.id}"}`;
}

/** Parses one JSON value (tagged JSON for bigints and bytes). Throws IPCError InvalidArgument naming `what`. */
export function parseJsonValue(text: string, what: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new IPCError("InvalidArgument", `${what} is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  try {
    return fromTaggedJson(json);
  } catch (cause) {
    throw new IPCError("InvalidArgument", `${what}: bad tagged JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Commander parser of a non-negative integer option (`--from-offset`). */
export function offsetOption(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
}

/** Commander parser of a positive integer option. */
export function positiveIntOption(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n === 0) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

/** Commander parser of `--since`: an ISO-8601 date-time, or ns since the epoch as a decimal string. */
export function sinceOption(value: string): string {
  try {
    parseSince(value);
  } catch {
    throw new InvalidArgumentError("must be an ISO-8601 date-time (2026-12-04T18:00:00Z) or nanoseconds since the epoch");
  }
  return value;
}

/**
 * Commander parser of a socket path option: a relative path (one with a `/`, like `./bus.sock`)
 * is taken from the current directory, as a shell user expects; a bare name stays a short
 * endpoint name (resolved under `$XDG_RUNTIME_DIR/nova/` by the transport).
 */
export function socketOption(value: string): string {
  return value.includes("/") && !isAbsolute(value) ? resolve(value) : value;
}

/** Writes one line to stdout; resolves when the stream can take more (backpressure on big outputs). */
export function writeLine(line: string): Promise<void> | undefined {
  if (process.stdout.write(line + "\n")) return undefined;
  return new Promise((resolve) => process.stdout.once("drain", resolve));
}

/**
 * Ends the process quietly (exit 0) when stdout's reader goes away (`nova listen ... | head -3`),
 * like any Unix filter, instead of dying on an unhandled EPIPE with a stack trace.
 */
export function exitOnBrokenPipe(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
}

/** Prints an IPCError as `error[Code]: message` (with an optional prefix) and sets exit code 1; anything else is rethrown. */
export function reportError(err: unknown, prefix = ""): void {
  if (!isIPCError(err)) throw err;
  process.stderr.write(`error[${err.code}]: ${prefix}${err.message}\n`);
  process.exitCode = 1;
}

/** A wait for SIGINT or SIGTERM; `dispose` removes the handlers (so a later signal kills as usual). */
export interface SignalWait {
  readonly signal: Promise<NodeJS.Signals>;
  dispose(): void;
}

/**
 * Catches the first SIGINT or SIGTERM. Dispose it when the command ends another way: a handler
 * left installed would swallow the signals meant to stop a process that is stuck.
 */
export function untilSignal(): SignalWait {
  let on: (signal: NodeJS.Signals) => void = () => undefined;
  const dispose = (): void => {
    process.off("SIGINT", on);
    process.off("SIGTERM", on);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    on = (sig) => {
      dispose();
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
  return { signal, dispose };
}
