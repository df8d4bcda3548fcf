/**
 * Issue 12 item 2 (typed events from NIDL) and the `@persistent` part of item 4: code generated
 * for signals with an `@topic` runs against a real `EventPort` (`inProcessEventPort` over a real
 * `EventBus`, with a real `EventLog` for persistence). Typed emit reaches typed on with the data
 * keyed by NIDL argument name; topics derive from the interface's `@topic("prefix.*")`; filters
 * and priorities pass through; invalid received data goes to the `onInvalid` hook (or a process
 * warning) and never to the handler; `@persistent` topics are emitted with `persist: true` and
 * land in the log; the schema registry records topics and persistence and validates event data.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitSchema } from "../../../generator/emit/schema/index.js";
import { emitTypeScript } from "../../../generator/emit/ts/index.js";
import { IPCError } from "../../../runtime/errors.js";
import { createEventBus, inProcessEventPort, type BusEvent, type EventPort as RuntimeEventPort } from "../../../runtime/events/index.js";
import { EventLog } from "../../../runtime/events/log/index.js";
import { SchemaRegistry } from "../../../runtime/registry/index.js";
import type { EventPort as GeneratedEventPort, TypedEmitOptions, TypedEventHandler, TypedListenOptions, Unlisten } from "../../../runtime/generated.js";
import { compileOrThrow, freshTempDir, writeFiles, REPO_ROOT } from "./helpers/generate.js";

const NIDL = `package org.example.events;

struct Geometry { x: i32; y: i32; }

/// TypeScript-only (no @dbus), so an optional argument is fine.
@topic("win.*")
interface Windows {
    method List() -> (ids: list<u32>);
    /// Derived topic: win.Opened.
    signal Opened(id: u32, title: string, geometry: Geometry, serial: u64, note: string?);
    @topic("win.focus.changed") signal Focused(id: u32, previous: u32);
    /// Derived topic win.Closed, persisted; the unnamed argument's key is arg1.
    @persistent signal Closed(id: u32, u32);
}

@dbus(name = "org.example.Audit1", path = "/org/example/Audit")
@topic("audit.*")
@persistent
interface Audit {
    signal Login(user: string);
}

@dbus(name = "org.example.Plain1", path = "/org/example/Plain")
interface Plain {
    signal Tick(n: u32);
}
`;

// Compile-time: the runtime's EventPort (what inProcessEventPort and the bus client implement)
// and the structural one generated code is typed against stay interchangeable.
const _portFits = (port: RuntimeEventPort): GeneratedEventPort => port;
const _portFitsBack = (port: GeneratedEventPort): RuntimeEventPort => port;
void _portFits;
void _portFitsBack;

type Data = Record<string, unknown>;
type On = (handler: TypedEventHandler<Data>, options?: TypedListenOptions) => Promise<Unlisten>;
interface Events {
  emitOpened(id: number, title: string, geometry: { x: number; y: number }, serial: bigint, note: string | null, options?: TypedEmitOptions): Promise<{ id: number; offset?: number }>;
  emitFocused(id: number, previous: number, options?: TypedEmitOptions): Promise<{ id: number; offset?: number }>;
  emitClosed(id: number, arg1: number, options?: TypedEmitOptions): Promise<{ id: number; offset?: number }>;
  emitLogin(user: string): Promise<{ id: number; offset?: number }>;
  onOpened: On;
  onFocused: On;
  onClosed: On;
  onLogin: On;
}
type EventsClass = (new (port: GeneratedEventPort) => Events) & { readonly topics: Record<string, string> };
interface Generated {
  WindowsEvents: EventsClass;
  AuditEvents: EventsClass;
  [name: string]: unknown;
}

let gen: Generated;
let registry: SchemaRegistry;
const tmpDirs: string[] = [];

beforeAll(async () => {
  const model = compileOrThrow([{ path: "events.nidl", text: NIDL }]);
  const dir = freshTempDir("typed-events");
  const runtimeImport = relative(dir, join(REPO_ROOT, "runtime", "generated.js")).split("\\").join("/");
  const ts = await emitTypeScript(model, { runtimeImport });
  const schema = await emitSchema(model, { runtimeImport });
  expect(ts.diagnostics).toEqual([]);
  writeFiles(dir, ts.files);
  gen = (await import(pathToFileURL(join(dir, "org.example.events.ts")).href)) as Generated;
  registry = SchemaRegistry.fromEntries(schema.files.map((file) => JSON.parse(file.content) as unknown));
}, 60_000);

afterAll(async () => {
  for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
});

/** An in-process port over a fresh bus, whose handler failures are collected (none expected). */
function setup(): { bus: ReturnType<typeof createEventBus>; port: RuntimeEventPort; events: Events; handlerErrors: unknown[] } {
  const handlerErrors: unknown[] = [];
  const bus = createEventBus({ onHandlerError: (error) => handlerErrors.push(error) });
  const port = inProcessEventPort(bus);
  return { bus, port, events: new gen.WindowsEvents(port), handlerErrors };
}

describe("typed events from NIDL over an EventPort", () => {
  it("generates an events class only for interfaces with topics, with the derived and declared topics", () => {
    expect(gen.WindowsEvents.topics).toEqual({ Opened: "win.Opened", Focused: "win.focus.changed", Closed: "win.Closed" });
    expect(gen.AuditEvents.topics).toEqual({ Login: "audit.Login" });
    expect(gen["PlainEvents"]).toBeUndefined();
    expect(typeof gen["PlainClient"]).toBe("function");
  });

  it("delivers a typed emit to the typed handler with the data keyed by NIDL argument name", async () => {
    const { bus, events, handlerErrors } = setup();
    const got: { data: Data; event: BusEvent }[] = [];
    const raw: unknown[] = [];
    await events.onOpened((data, event) => void got.push({ data, event }));
    bus.registerEventHandler("win.Opened", (event) => void raw.push(event.data));
    const receipt = await events.emitOpened(7, "term", { x: 1, y: -2 }, 2n ** 40n, null);
    expect(got).toHaveLength(1);
    expect(got[0]?.data).toEqual({ id: 7, title: "term", geometry: { x: 1, y: -2 }, serial: 2n ** 40n, note: null });
    expect(got[0]?.event.type).toBe("win.Opened");
    expect(got[0]?.event.id).toBe(receipt.id);
    expect(receipt.offset).toBeUndefined();
    // What travels on the bus is the plain object a peer in another language reads.
    expect(raw).toEqual([{ id: 7, title: "term", geometry: { x: 1, y: -2 }, serial: 2n ** 40n, note: null }]);
    expect(handlerErrors).toEqual([]);
  });

  it("reaches wildcard listeners on the interface's topic pattern, and unlisten stops delivery", async () => {
    const { port, events } = setup();
    const seen: string[] = [];
    await port.onEvent("win.*", (event) => void seen.push(event.type));
    const all: string[] = [];
    await port.onEvent("win.**", (event) => void all.push(event.type));
    const typed: number[] = [];
    const unlisten = await events.onFocused((data) => void typed.push(data["id"] as number));
    await events.emitOpened(1, "a", { x: 0, y: 0 }, 0n, "n");
    await events.emitFocused(1, 0);
    await unlisten();
    await events.emitFocused(2, 1);
    expect(seen).toEqual(["win.Opened"]);
    expect(all).toEqual(["win.Opened", "win.focus.changed", "win.focus.changed"]);
    expect(typed).toEqual([1]);
  });

  it("passes filters and priorities through to the port", async () => {
    const { events } = setup();
    const filtered: number[] = [];
    await events.onFocused((data) => void filtered.push(data["id"] as number), { filter: { field: "previous", in: [5, 6] } });
    const order: string[] = [];
    await events.onFocused(() => void order.push("low"), { priority: "low" });
    await events.onFocused(() => void order.push("high"), { priority: "high" });
    await events.emitFocused(1, 5);
    await events.emitFocused(2, 9);
    await events.emitFocused(3, 6, { priority: "high" });
    expect(filtered).toEqual([1, 3]);
    expect(order).toEqual(["high", "low", "high", "low", "high", "low"]);
  });

  it("reports invalid received data to onInvalid as MessageValidationFailed, never to the handler or the bus", async () => {
    const { bus, events, handlerErrors } = setup();
    const handled: Data[] = [];
    const invalid: IPCError[] = [];
    await events.onOpened((data) => void handled.push(data), { onInvalid: (error) => invalid.push(error) });
    // Raw emits on the port's bus, as a foreign or buggy publisher would send them.
    bus.emit("win.Opened", { id: "seven", title: "t", geometry: { x: 1, y: 2 }, serial: 1n, note: null });
    bus.emit("win.Opened", [7, "t", { x: 1, y: 2 }, 1n, null]);
    bus.emit("win.Opened", { id: 7, title: "t", geometry: { x: 1 }, serial: 1n, note: null });
    bus.emit("win.Opened", { id: 7, title: "t", geometry: { x: 1, y: 2 }, serial: 1, extra: true }); // valid: number → bigint, note absent → null, extra dropped
    expect(handled).toEqual([{ id: 7, title: "t", geometry: { x: 1, y: 2 }, serial: 1n, note: null }]);
    expect(invalid).toHaveLength(3);
    for (const error of invalid) {
      expect(error).toBeInstanceOf(IPCError);
      expect(error.code).toBe("MessageValidationFailed");
      expect(error.context["topic"]).toBe("win.Opened");
      expect(error.context["iface"]).toBe("org.example.events.Windows");
      expect(error.context["member"]).toBe("Opened");
    }
    expect(invalid[0]?.context["path"]).toEqual(["event", "id"]);
    expect(invalid[2]?.context["path"]).toEqual(["event", "geometry", "y"]);
    expect(handlerErrors).toEqual([]);
  });

  it("falls back to a process warning when no onInvalid hook is given", async () => {
    const { bus, events, handlerErrors } = setup();
    const handled: Data[] = [];
    await events.onFocused((data) => void handled.push(data));
    const warnings: Error[] = [];
    const listener = (warning: Error): void => void warnings.push(warning);
    process.on("warning", listener);
    try {
      bus.emit("win.focus.changed", { id: -1, previous: 0 });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", listener);
    }
    expect(handled).toEqual([]);
    expect(handlerErrors).toEqual([]);
    expect(warnings.map((w) => w.name)).toEqual(["NovaInvalidEvent"]);
    expect(warnings[0]?.message).toContain("org.example.events.Windows.Focused");
  });

  it("emits @persistent topics (signal or interface annotation) with persist: true, and no others", async () => {
    const calls: { topic: string; data: unknown; options: unknown }[] = [];
    const spy: GeneratedEventPort = {
      emitEvent: async (topic, data, options) => {
        calls.push({ topic, data, options });
        return { id: calls.length };
      },
      onEvent: async () => async () => {},
    };
    const windows = new gen.WindowsEvents(spy);
    await windows.emitClosed(4, 9);
    await windows.emitFocused(1, 2, { priority: "low" });
    await new gen.AuditEvents(spy).emitLogin("ada");
    expect(calls).toEqual([
      { topic: "win.Closed", data: { id: 4, arg1: 9 }, options: { persist: true } },
      { topic: "win.focus.changed", data: { id: 1, previous: 2 }, options: { priority: "low" } },
      { topic: "audit.Login", data: { user: "ada" }, options: { persist: true } },
    ]);
  });

  it("writes @persistent events to a real event log and resolves with their offsets", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nova-typed-events-"));
    tmpDirs.push(dir);
    const log = await EventLog.open(dir, { fsync: "always" });
    try {
      const bus = createEventBus();
      const events = new gen.WindowsEvents(inProcessEventPort(bus, log));
      const delivered: Data[] = [];
      await events.onClosed((data) => void delivered.push(data));
      const first = await events.emitClosed(1, 10);
      const notPersisted = await events.emitFocused(1, 0);
      const second = await events.emitClosed(2, 20);
      expect(first.offset).toBe(0);
      expect(second.offset).toBe(1);
      expect(notPersisted.offset).toBeUndefined();
      expect(delivered).toEqual([{ id: 1, arg1: 10 }, { id: 2, arg1: 20 }]);
      const replayed: { topic: string; data: unknown }[] = [];
      for await (const record of log.replay()) replayed.push({ topic: record.event.body.eventType, data: record.event.body.data });
      expect(replayed).toEqual([
        { topic: "win.Closed", data: { id: 1, arg1: 10 } },
        { topic: "win.Closed", data: { id: 2, arg1: 20 } },
      ]);
    } finally {
      await log.close();
    }
  });
});

describe("schema registry entries of events", () => {
  it("record each signal's topic and persistence", () => {
    expect(registry.eventTopics().map(({ topic, signal, persistent }) => ({ topic, signal, persistent }))).toEqual([
      { topic: "audit.Login", signal: "Login", persistent: true },
      { topic: "win.Closed", signal: "Closed", persistent: true },
      { topic: "win.Opened", signal: "Opened", persistent: false },
      { topic: "win.focus.changed", signal: "Focused", persistent: false },
    ]);
  });

  it("validate event data keyed by argument name", () => {
    expect(() => registry.validateEvent("win.Closed", { id: 1, arg1: 2 })).not.toThrow();
    expect(() => registry.validateEvent("win.Opened", { id: 1, title: "t", geometry: { x: 1, y: 2 }, serial: 3n })).not.toThrow();
    const bad = (() => {
      try {
        registry.validateEvent("win.Opened", { id: 1, title: 2, geometry: { x: 1, y: 2 }, serial: 3n });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(bad).toBeInstanceOf(IPCError);
    expect((bad as IPCError).code).toBe("MessageValidationFailed");
    expect((bad as IPCError).context["path"]).toEqual(["event", "title"]);
    expect(() => registry.validateEvent("win.Closed", [1, 2])).toThrow(/expected an object keyed by argument name/);
    expect(() => registry.validateEvent("nobody.declares", {})).toThrow(/no loaded interface declares/);
  });
});

describe("the generated listener and the schema registry", () => {
  const valid: Data = { id: 7, title: "t", geometry: { x: 1, y: -2 }, serial: 5n, note: "n" };
  const edgy = fc.oneof(
    fc.constantFrom<unknown>(null, undefined, 0, -1, 1.5, 2 ** 31, 2 ** 32, Number.NaN, 0n, -1n, 2n ** 64n, "", "x", true, [], {}, { x: 1 }, { x: 1, y: 2 }, { x: 1.5, y: 2 }, new Map(), new Uint8Array(0)),
    fc.anything({ withBigInt: true, withMap: true, maxDepth: 2 }),
  );

  it("agree on which received event data is valid (a daemon checking with the registry never disagrees with onX)", async () => {
    const { bus, events } = setup();
    let delivered = 0;
    let rejected = 0;
    await events.onOpened(() => void delivered++, { onInvalid: () => void rejected++ });
    const agree = (data: unknown, label: string): void => {
      const before = delivered;
      bus.emit("win.Opened", data);
      const listenerOk = delivered > before;
      let registryOk = true;
      try {
        registry.validateEvent("win.Opened", data);
      } catch {
        registryOk = false;
      }
      expect(registryOk, label).toBe(listenerOk);
    };
    agree(valid, "valid");
    expect(delivered).toBe(1);
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(valid), "extra"), edgy, (field, value) => agree({ ...valid, [field]: value }, `${field} = ${fc.stringify(value)}`)),
      { numRuns: 1500 },
    );
    fc.assert(fc.property(edgy, (data) => agree(data, `data = ${fc.stringify(data)}`)), { numRuns: 300 });
    expect(rejected).toBeGreaterThan(0);
  });
});
