/**
 * `nova wire encode | decode`: JSON <-> one binary NOVA frame, on stdin and
 * stdout. The JSON shape is `messageToJson`'s (idl/WIRE.md; u64 fields as
 * decimal strings). The conversions are pure functions; only `register`
 * touches process I/O.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { IPCError, isIPCError } from "../errors.js";
import { decodeMessageAsync, encodeMessageAsync } from "../wire/frame.js";
import type { CompressionType, PayloadFormat } from "../wire/message.js";
import { messageFromJson, messageToJson } from "../wire/message-json.js";

/** Options shared by both directions. */
export interface WireCliOptions {
  /** Frame bytes as hex text instead of raw binary. */
  hex?: boolean;
  /** encode: override the JSON's format. */
  format?: PayloadFormat;
  /** encode: override the JSON's compression. */
  compression?: CompressionType;
  /** decode: indent the JSON. */
  pretty?: boolean;
}

/** JSON text -> frame bytes (raw, or hex text with a newline). Throws IPCError. */
export async function encodeWireJson(text: string, options: WireCliOptions = {}): Promise<Buffer> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new IPCError("InvalidArgument", `input is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const message = messageFromJson(json);
  const frame = await encodeMessageAsync(message, { format: options.format, compression: options.compression });
  return options.hex ? Buffer.from(frame.toString("hex") + "\n") : frame;
}

/** Frame bytes (raw, or hex text) -> JSON text with a newline. Throws IPCError. */
export async function decodeWireFrame(input: Uint8Array, options: WireCliOptions = {}): Promise<string> {
  let bytes = input;
  if (options.hex) {
    const text = Buffer.from(input).toString("utf8").replace(/#[^\n]*/g, "").replace(/\s+/g, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new IPCError("InvalidArgument", "input is not hex text (pairs of 0-9a-f)", {});
    bytes = Buffer.from(text, "hex");
  }
  const message = await decodeMessageAsync(bytes);
  return JSON.stringify(messageToJson(message), null, options.pretty ? 2 : undefined) + "\n";
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Prints an IPCError as `error[Code]: message` and sets exit code 1; anything else is a bug and rethrown. */
function fail(err: unknown): void {
  if (!isIPCError(err)) throw err;
  process.stderr.write(`error[${err.code}]: ${err.message}\n`);
  process.exitCode = 1;
}

const EXAMPLES = `
Examples:
  $ echo '{"type":"heartbeat","messageId":"1","correlationId":"0","timestampNs":"1700000000000000000",
          "body":{"pid":"4242","loadAverage":0.5,"memoryBytes":"1048576","uptimeSeconds":"3600"}}' \\
      | nova wire encode --hex
  $ nova wire encode < request.json > request.bin
  $ nova wire decode --pretty < request.bin
  $ nova wire encode --format json --compression zstd < request.json | nova wire decode

The JSON is one object: {"type", "messageId", "correlationId", "timestampNs", "body",
optional "format" (msgpack|json) and "compression" (none|lz4|zstd)}; u64 fields are decimal
strings; bigints and bytes inside params/value/data use the tags {"$n": "5"} and {"$b": "base64"}.
The frame layout is documented in idl/WIRE.md. Exit codes: 0 ok, 1 bad input or frame
(the IPCError code is printed on stderr), 2 bad usage.`;

/** Registers `wire encode` and `wire decode` on the `nova` program. */
export function register(program: Command): void {
  const wire = program
    .command("wire")
    .description("convert between the JSON form of a message and a binary NOVA frame")
    .addHelpText("after", EXAMPLES);

  wire
    .command("encode")
    .description("read one JSON message on stdin, write its frame on stdout")
    .addOption(new Option("--format <format>", "payload format (overrides the JSON)").choices(["msgpack", "json"]))
    .addOption(new Option("--compression <type>", "value-section compression (overrides the JSON)").choices(["none", "lz4", "zstd"]))
    .option("--hex", "write the frame as hex text instead of binary")
    .addHelpText("after", EXAMPLES)
    .action(async (options: WireCliOptions) => {
      try {
        process.stdout.write(await encodeWireJson((await readStdin()).toString("utf8"), options));
      } catch (err) {
        fail(err);
      }
    });

  wire
    .command("decode")
    .description("read one frame on stdin, write its JSON form on stdout")
    .option("--hex", "read the frame as hex text (whitespace and # comments ignored)")
    .option("--pretty", "indent the JSON")
    .addHelpText("after", EXAMPLES)
    .action(async (options: WireCliOptions) => {
      try {
        process.stdout.write(await decodeWireFrame(await readStdin(), options));
      } catch (err) {
        fail(err);
      }
    });
}
