/**
 * The package's entry points (package.json "exports"), issue 11 item 9: the user runtime API
 * (`novade-ipc`, `novade-ipc/runtime`), the helpers only generated code uses
 * (`novade-ipc/runtime/generated`), the wire layer (`novade-ipc/wire`) and the generator
 * (`novade-ipc/generator`), each without the others' internals.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as generator from "../../generator/index.js";
import { RUNTIME_VALUE_SYMBOLS } from "../../generator/emit/ts/runtime-symbols.js";
import * as generated from "../../runtime/generated.js";
import * as runtime from "../../runtime/index.js";
import * as wire from "../../runtime/wire-layer.js";
import { repoRoot } from "../helpers/external-validators.js";

const root = repoRoot();
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; exports: Record<string, { default: string } | string> };

/** The value symbols the TS emitter may import from the runtime. */
function emitterRuntimeSymbols(): string[] {
  return [...RUNTIME_VALUE_SYMBOLS];
}

const GENERATED_ONLY = ["callRemote", "callRemoteVoid", "parsePayload", "parseArgs", "serveMethod", "serveProperties", "subscribeSignal", "observeProperty", "settleCallback", "reviveDeclaredError"];
const WIRE_ONLY = ["encodeMessage", "decodeMessage", "FrameDecoder", "FrameWriter", "serializeMessage", "deserializeMessage", "crc32", "encodeMsgpackValue", "compressSection"];

describe("novade-ipc/runtime: the user API", () => {
  it.each([
    "IPCError",
    "isIPCError",
    "createChannel",
    "listen",
    "connectRpc",
    "serveRpc",
    "RpcClient",
    "RpcServer",
    "createInProcessPair",
    "DeclaredError",
    "withCallback",
    "SchemaRegistry",
    "createEventBus",
    "EventBus",
    "compileEventFilter",
    "topicMatches",
    "DbusConnection",
    "exportService",
    "dbusProxy",
    "objectTree",
    "objectManagerProxy",
    "DbusMonitor",
    "startPrivateBus",
  ])("exports %s", (name) => {
    expect(typeof (runtime as Record<string, unknown>)[name]).toBe("function");
  });

  it("holds neither the generated-code helpers nor the wire internals", () => {
    const names = Object.keys(runtime);
    expect(names.filter((n) => GENERATED_ONLY.includes(n) || WIRE_ONLY.includes(n))).toEqual([]);
  });
});

describe("novade-ipc/runtime/generated: for generated code only", () => {
  it("exports every runtime value the TypeScript emitter can import", () => {
    const symbols = emitterRuntimeSymbols();
    expect(symbols.length).toBeGreaterThan(10);
    expect(symbols.filter((s) => !(s in generated))).toEqual([]);
  });

  it("holds no transport, connection or wire code", () => {
    expect(Object.keys(generated).filter((n) => ["connectRpc", "serveRpc", "createChannel", "listen", ...WIRE_ONLY].includes(n))).toEqual([]);
  });

  it("is what nova-gen's generated code imports by default", () => {
    expect(generator.DEFAULT_RUNTIME_IMPORT).toBe(`${pkg.name}/runtime/generated`);
  });
});

describe("novade-ipc/wire: the wire layer", () => {
  it("exports frames, the decoder and the codecs", () => {
    for (const name of WIRE_ONLY) expect(typeof (wire as Record<string, unknown>)[name], name).toBe("function");
  });

  it("round-trips a message through the exported codec", () => {
    const msg: wire.Message = {
      type: "event",
      messageId: 7n,
      correlationId: 0n,
      timestampNs: 1_700_000_000_000_000_000n,
      body: { eventType: "window.focused", data: { id: 3 }, sourceId: 9n, priority: 128 },
    };
    const back = wire.decodeMessage(wire.encodeMessage(msg));
    expect(back).toMatchObject({ type: "event", messageId: 7n, body: { eventType: "window.focused", data: { id: 3 }, sourceId: 9n, priority: 128 } });
  });
});

describe("novade-ipc/generator", () => {
  it.each(["parse", "compile", "generate", "importDbus", "importWayland", "checkCompat", "formatNidl", "renderHuman"])("exports %s", (name) => {
    expect(typeof (generator as Record<string, unknown>)[name]).toBe("function");
  });
});

describe("package.json exports", () => {
  it.each([
    [".", "runtime/index.ts"],
    ["./runtime", "runtime/index.ts"],
    ["./runtime/generated", "runtime/generated.ts"],
    ["./wire", "runtime/wire-layer.ts"],
    ["./generator", "generator/index.ts"],
  ])("%s is the compiled %s", (subpath, source) => {
    const target = pkg.exports[subpath];
    expect(typeof target === "object" ? target.default : target).toBe(`./dist/${source.replace(/\.ts$/, ".js")}`);
  });
});
