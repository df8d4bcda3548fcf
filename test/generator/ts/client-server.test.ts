/**
 * The generated client and server of the example interface (example/example.nidl)
 * talking over the in-process transport: typed calls, declared errors arriving
 * as their classes, IPCError codes, oneway calls, signals, properties, argument
 * and result validation, timeouts and cancellation. Run once per value-copy
 * mode, since msgpack changes shapes (maps become objects, small int64s numbers).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPCError } from "../../../runtime/errors.js";
import { createInProcessPair, type CallContext, type ValueCopyMode } from "../../../runtime/rpc/index.js";
import {
  Access,
  Denied,
  NotFound,
  Priority,
  StoreClient,
  StoreEmitter,
  accessNames,
  hasAccess,
  registerStore,
  type Entry,
  type StoreImpl,
} from "./example/generated/org.novade.example.js";

const IFACE = "org.novade.example.Store";

function sampleEntry(key: string): Entry {
  return {
    key,
    value: new Uint8Array([1, 2, 3]),
    priority: Priority.high,
    access: Access.read | Access.share,
    revision: 0n,
    labels: ["a", "b"],
    attributes: new Map<string, unknown>([["color", "red"], ["size", 3]]),
    counters: new Map<number, bigint>([[7, 2n ** 40n], [8, -1n]]),
    expires: null,
    origin: ["host", 8080],
  };
}

/** A real implementation of the generated StoreImpl. */
class MemoryStore implements StoreImpl {
  readonly entries = new Map<string, Entry>();
  readonly messages: string[] = [];
  name = "main";
  secret = "";
  seenPeerPid: number | undefined;

  put(entry: Entry, context: CallContext): bigint {
    this.seenPeerPid = context.peer?.pid;
    if (entry.key.startsWith("forbidden")) throw new Denied("not allowed");
    if (entry.key === "undeclared") throw new NotFound("put does not declare NotFound", { key: entry.key });
    const revision = (this.entries.get(entry.key)?.revision ?? 0n) + 1n;
    this.entries.set(entry.key, { ...entry, revision });
    return revision;
  }
  get(key: string): Entry {
    const entry = this.entries.get(key);
    if (entry === undefined) throw new NotFound(`no entry ${key}`, { key });
    return entry;
  }
  async remove(key: string): Promise<{ existed: boolean; remaining: number }> {
    if (key === "forbidden") throw new Denied("cannot remove");
    const existed = this.entries.delete(key);
    return { existed, remaining: this.entries.size };
  }
  find(prefix: string, limit: number | null): string[] {
    const keys = [...this.entries.keys()].filter((key) => key.startsWith(prefix)).sort();
    return limit === null ? keys : keys.slice(0, limit);
  }
  sleep(ms: number, context: CallContext): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      context.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(new Error("aborted"));
      });
    });
  }
  log(message: string): void {
    this.messages.push(message);
  }
  logged(): string[] {
    return [...this.messages];
  }
  fetch(key: string): Entry {
    return this.get(key);
  }
  getNameProperty(): string {
    return this.name;
  }
  setNameProperty(value: string): void {
    this.name = value;
  }
  getSizeProperty(): number {
    return this.entries.size;
  }
  setSecretProperty(value: string): void {
    this.secret = value;
  }
}

function setup(copy: ValueCopyMode) {
  const pair = createInProcessPair({ copy, defaultTimeoutMs: 2000 });
  const store = new MemoryStore();
  const registration = registerStore(pair.server, store);
  return { ...pair, store, registration, client: new StoreClient(pair.client), emitter: new StoreEmitter(pair.server), port: pair.client };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.each<ValueCopyMode>(["msgpack", "structured-clone"])("generated Store client and server (%s)", (copy) => {
  it("round-trips typed values through calls", async () => {
    const { client, store } = setup(copy);
    expect(await client.put(sampleEntry("k1"))).toBe(1n);
    expect(await client.put(sampleEntry("k1"))).toBe(2n);
    const entry = await client.get("k1");
    expect(entry).toEqual({ ...sampleEntry("k1"), revision: 2n });
    expect(entry.value).toBeInstanceOf(Uint8Array);
    expect(entry.attributes).toBeInstanceOf(Map);
    expect(entry.counters.get(7)).toBe(2n ** 40n);
    expect(entry.counters.get(8)).toBe(-1n);
    expect(hasAccess(entry.access, Access.share)).toBe(true);
    expect(accessNames(entry.access)).toEqual(["read", "share"]);
    expect(store.seenPeerPid).toBe(process.pid);
  });

  it("returns several results as a named object, and accepts null for optionals", async () => {
    const { client } = setup(copy);
    for (const key of ["b", "a2", "a1", "c"]) await client.put(sampleEntry(key));
    expect(await client.find("a", null)).toEqual(["a1", "a2"]);
    expect(await client.find("", 1)).toEqual(["a1"]);
    expect(await client.remove("b")).toEqual({ existed: true, remaining: 3 });
    expect(await client.remove("b")).toEqual({ existed: false, remaining: 3 });
  });

  it("delivers declared errors as their generated classes", async () => {
    const { client } = setup(copy);
    const notFound = await failure(client.get("missing"));
    expect(notFound).toBeInstanceOf(NotFound);
    expect((notFound as NotFound).data).toEqual({ key: "missing" });
    expect((notFound as NotFound).errorName).toBe("org.novade.example.NotFound");
    expect((notFound as NotFound).message).toBe("no entry missing");

    const denied = await failure(client.put(sampleEntry("forbidden-1")));
    expect(denied).toBeInstanceOf(Denied);
    expect(await failure(client.remove("forbidden"))).toBeInstanceOf(Denied);
    // A deprecated method still works.
    expect(await failure(client.fetch("missing"))).toBeInstanceOf(NotFound);
  });

  it("leaves errors a method does not declare as IPCError RemoteError", async () => {
    const { client } = setup(copy);
    const error = await failure(client.put(sampleEntry("undeclared")));
    expect(error).toBeInstanceOf(IPCError);
    expect((error as IPCError).code).toBe("RemoteError");
    expect((error as IPCError).context["errorName"]).toBe("org.novade.example.NotFound");
  });

  it("reports transport failures as IPCError codes", async () => {
    const pair = createInProcessPair({ copy });
    const unserved = new StoreClient(pair.client);
    expect(await failure(unserved.get("x"))).toMatchObject({ code: "MethodNotFound" });

    const { client } = setup(copy);
    expect(await failure(client.sleep(500, { timeoutMs: 20 }))).toMatchObject({ code: "TimeoutExpired" });
    const controller = new AbortController();
    const pending = client.sleep(500, { signal: controller.signal });
    await tick();
    controller.abort();
    expect(await failure(pending)).toMatchObject({ code: "Cancelled" });
  });

  it("sends oneway calls without waiting for a reply", async () => {
    const { client } = setup(copy);
    expect(client.log("first")).toBeUndefined();
    client.log("second");
    expect(await client.logged()).toEqual(["first", "second"]);
  });

  it("supports callback-style calls", async () => {
    const { client } = setup(copy);
    await client.put(sampleEntry("cb"));
    const outcome = await new Promise<[unknown, Entry | undefined]>((resolve) => client.getCallback("cb", (error, value) => resolve([error, value])));
    expect(outcome[0]).toBeNull();
    expect(outcome[1]?.key).toBe("cb");
    const failed = await new Promise<unknown>((resolve) => client.getCallback("none", (error) => resolve(error)));
    expect(failed).toBeInstanceOf(NotFound);
  });

  it("delivers typed signals until unsubscribed", async () => {
    const { client, emitter } = setup(copy);
    const changes: [string, bigint, number][] = [];
    let cleared = 0;
    const stop = client.onChanged((key, revision, priority) => changes.push([key, revision, priority]));
    client.onCleared(() => cleared++);
    emitter.emitChanged("k", 2n ** 63n, Priority.normal);
    emitter.emitCleared();
    await tick();
    expect(changes).toEqual([["k", 2n ** 63n, 1]]);
    expect(cleared).toBe(1);
    stop();
    emitter.emitChanged("k", 1n, Priority.low);
    await tick();
    expect(changes.length).toBe(1);
  });

  it("gets, sets and observes properties", async () => {
    const { client, store, emitter } = setup(copy);
    expect(await client.getNameProperty()).toBe("main");
    await client.setNameProperty("renamed");
    expect(store.name).toBe("renamed");
    expect(await client.getSizeProperty()).toBe(0);
    await client.setSecretProperty("s3cret");
    expect(store.secret).toBe("s3cret");
    // Write-only and read-only properties get no reader / writer.
    expect("getSecret" in client).toBe(false);
    expect("setSize" in client).toBe(false);

    const seen: string[] = [];
    const stop = client.observeNameProperty((value) => seen.push(value));
    emitter.emitNamePropertyChanged("one");
    await tick();
    stop();
    emitter.emitNamePropertyChanged("two");
    await tick();
    expect(seen).toEqual(["one"]);
  });

  it("answers invalid arguments with MessageValidationFailed and the failing path", async () => {
    const { port, store } = setup(copy);
    // Priority is an open u8 enum: any u8 is accepted, 256 is not.
    const bad = { ...sampleEntry("bad"), priority: 256 };
    const error = await failure(port.call(IFACE, "put", [bad]));
    expect(error).toMatchObject({ code: "MessageValidationFailed" });
    expect((error as IPCError).context["path"]).toEqual(["args", 0, "priority"]);
    expect(await failure(port.call(IFACE, "get", [42]))).toMatchObject({ code: "MessageValidationFailed" });
    expect(await failure(port.call(IFACE, "get", ["a", "surplus"]))).toMatchObject({ code: "MessageValidationFailed" });
    const flags = await failure(port.call(IFACE, "put", [{ ...sampleEntry("f"), access: -1 }]));
    expect((flags as IPCError).context["path"]).toEqual(["args", 0, "access"]);
    expect(await failure(port.call(IFACE, "@set", ["name", 5]))).toMatchObject({ code: "MessageValidationFailed" });
    expect(await failure(port.call(IFACE, "@set", ["size", 5]))).toMatchObject({ code: "MethodNotFound" });
    expect(store.entries.size).toBe(0);
  });

  it("rejects invalid results and drops invalid signals", async () => {
    const pair = createInProcessPair({ copy });
    const impostor = pair.server.register({
      iface: IFACE,
      version: 3,
      methods: { get: { handler: () => ({ key: 5 }) }, "@get": { handler: () => 12 } },
    });
    const client = new StoreClient(pair.client);
    const error = await failure(client.get("x"));
    expect(error).toMatchObject({ code: "MessageValidationFailed" });
    expect((error as IPCError).context["path"]).toEqual(["result", "key"]);
    expect(await failure(client.getNameProperty())).toMatchObject({ code: "MessageValidationFailed" });
    impostor.unregister();

    const received: string[] = [];
    const invalid: IPCError[] = [];
    client.onChanged((key) => received.push(key), (problem) => invalid.push(problem));
    pair.server.emit(IFACE, "changed", ["ok", 1n, 0]);
    // A newer server version may append arguments; this client reads the ones it knows.
    pair.server.emit(IFACE, "changed", ["newer", 2n, 1, "extra"]);
    pair.server.emit(IFACE, "changed", ["bad", "not a number", 0]);
    await tick();
    expect(received).toEqual(["ok", "newer"]);
    expect(invalid.map((problem) => problem.context["path"])).toEqual([["signal", 1]]);
  });

  it("answers any random arguments with a result or a typed IPCError, never a crash", async () => {
    const { port } = setup(copy);
    const members = ["put", "get", "remove", "find", "logged", "fetch", "@get", "@set"];
    const value = fc.anything({ withBigInt: copy === "structured-clone", withMap: true, withTypedArray: copy === "structured-clone" });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...members), fc.array(value, { maxLength: 3 }), async (member, args) => {
        try {
          await port.call(IFACE, member, args, { timeoutMs: 1000 });
        } catch (error) {
          expect(error).toBeInstanceOf(IPCError);
          expect(["MessageValidationFailed", "MethodNotFound", "RemoteError", "SerializationError", "DeserializationError"]).toContain((error as IPCError).code);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("unregisters", async () => {
    const { client, registration } = setup(copy);
    registration.unregister();
    expect(await failure(client.getNameProperty())).toMatchObject({ code: "MethodNotFound" });
  });
});
