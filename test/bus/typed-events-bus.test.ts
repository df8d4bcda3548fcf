/**
 * Generated typed events (issue 12 item 2) across a real bus daemon: the same
 * generated class runs on a BusClient (an EventPort) in place of the
 * in-process port. Typed emit on one connection reaches the typed handler on
 * another with the keyed data; `@persistent` events come back with their log
 * offset; data of the wrong shape published raw by a third connection goes to
 * `onInvalid`, never to the handler.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { emitTypeScript } from "../../generator/emit/ts/index.js";
import { BusDaemon, connectBus, type BusClient } from "../../runtime/bus/index.js";
import type { IPCError } from "../../runtime/errors.js";
import type { EventPort } from "../../runtime/generated.js";
import { compileOrThrow, freshTempDir, writeFiles, REPO_ROOT } from "../generator/ts/helpers/generate.js";

const NIDL = `package org.example.busevents;

@topic("win.*")
interface Windows {
    method List() -> (ids: list<u32>);
    signal Opened(id: u32, title: string);
    @persistent signal Closed(id: u32);
}
`;

type Receipt = { id: number; offset?: number };
interface Events {
  emitOpened(id: number, title: string): Promise<Receipt>;
  emitClosed(id: number): Promise<Receipt>;
  onOpened(handler: (data: Record<string, unknown>) => void, options?: { onInvalid?: (e: IPCError) => void }): Promise<() => Promise<void>>;
  onClosed(handler: (data: Record<string, unknown>) => void): Promise<() => Promise<void>>;
}
let WindowsEvents: new (port: EventPort) => Events;
let dir: string;
let daemon: BusDaemon;
const clients: BusClient[] = [];

beforeAll(async () => {
  const model = compileOrThrow([{ path: "busevents.nidl", text: NIDL }]);
  const out = freshTempDir("typed-events-bus");
  const runtimeImport = relative(out, join(REPO_ROOT, "runtime", "generated.js")).split("\\").join("/");
  const ts = await emitTypeScript(model, { runtimeImport });
  expect(ts.diagnostics).toEqual([]);
  writeFiles(out, ts.files);
  ({ WindowsEvents } = (await import(pathToFileURL(join(out, "org.example.busevents.ts")).href)) as { WindowsEvents: typeof WindowsEvents });
  dir = mkdtempSync(join(tmpdir(), "nova-bus-typed-"));
  daemon = await BusDaemon.start({ socket: join(dir, "bus.sock"), log: join(dir, "log") });
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close(false).catch(() => undefined);
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

it("typed emit and typed on across connections, persistence, and invalid data reported", async () => {
  const [a, b, raw] = await Promise.all([connectBus(daemon.socket), connectBus(daemon.socket), connectBus(daemon.socket)]);
  clients.push(a, b, raw);
  const sender = new WindowsEvents(a);
  const receiver = new WindowsEvents(b);
  const opened: unknown[] = [];
  const closed: unknown[] = [];
  const invalid: IPCError[] = [];
  await receiver.onOpened((d) => void opened.push(d), { onInvalid: (e) => void invalid.push(e) });
  await receiver.onClosed((d) => void closed.push(d));
  const r1 = await sender.emitOpened(7, "term");
  expect(r1.offset).toBeUndefined();
  const r2 = await sender.emitClosed(7);
  expect(r2.offset).toBe(0);
  raw.publish("win.Opened", { id: "not a number", title: 3 });
  await until(() => opened.length === 1 && closed.length === 1 && invalid.length === 1);
  expect(opened).toEqual([{ id: 7, title: "term" }]);
  expect(closed).toEqual([{ id: 7 }]);
  expect(invalid[0]!.code).toBe("MessageValidationFailed");
});

it("a daemon given the schema registry persists the topics declared @persistent", async () => {
  const model = compileOrThrow([{ path: "busevents.nidl", text: NIDL }]);
  const { emitSchema } = await import("../../generator/emit/schema/index.js");
  const { SchemaRegistry } = await import("../../runtime/registry/index.js");
  const schema = await emitSchema(model, { runtimeImport: "novade-ipc/runtime/generated" });
  const registry = SchemaRegistry.fromEntries(schema.files.map((f) => JSON.parse(f.content) as unknown));
  const sdir = mkdtempSync(join(tmpdir(), "nova-bus-schema-"));
  const d = await BusDaemon.start({ socket: join(sdir, "bus.sock"), log: join(sdir, "log"), schemas: registry });
  const c = await connectBus(d.socket);
  try {
    c.publish("win.Closed", { id: 1 }); // fire and forget: persisted because of the schema
    c.publish("win.Opened", { id: 2, title: "x" }); // not @persistent
    await c.emit("x.barrier", null);
    expect(d.stats().eventsPersisted).toBe(1);
    await expect(BusDaemon.start({ socket: join(sdir, "b2.sock"), schemas: registry })).rejects.toMatchObject({ code: "InvalidArgument" });
  } finally {
    await c.close(false);
    await d.close();
    rmSync(sdir, { recursive: true, force: true });
  }
});
