import { describe, expect, it } from "vitest";
import { IPCError, isIPCError } from "../../runtime/errors.js";
import {
  DeclaredError,
  PROPERTY_GET,
  createInProcessPair,
  type CallContext,
  type MethodHandler,
  type ServiceDefinition,
  type ValueCopyMode,
} from "../../runtime/rpc/index.js";

const IFACE = "org.novade.test.Echo";

class NotFound extends DeclaredError<{ key: string }> {
  readonly errorName = "org.novade.test.NotFound";
}

function service(methods: Record<string, MethodHandler>, oneway: string[] = []): ServiceDefinition {
  const entries = Object.fromEntries(
    Object.entries(methods).map(([name, handler]) => [name, { handler, oneway: oneway.includes(name) }]),
  );
  return { iface: IFACE, version: 1, methods: entries };
}

async function rejection(promise: Promise<unknown>): Promise<IPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IPCError) return error;
    throw new Error(`expected an IPCError, got ${String(error)}`);
  }
  throw new Error("expected the promise to reject");
}

describe.each<ValueCopyMode>(["msgpack", "structured-clone"])("in-process pair (%s copy)", (copy) => {
  it("calls a method and returns a copy of its result", async () => {
    const { client, server } = createInProcessPair({ copy });
    const stored = { items: [1, 2, 3] };
    let received: unknown;
    server.register(
      service({
        get: () => stored,
        put: (args) => {
          received = args[0];
          return "ok";
        },
      }),
    );
    const result = (await client.call(IFACE, "get", [])) as { items: number[] };
    expect(result).toEqual({ items: [1, 2, 3] });
    result.items.push(4);
    expect(stored.items).toEqual([1, 2, 3]);

    const argument = { name: "x" };
    expect(await client.call(IFACE, "put", [argument])).toBe("ok");
    expect(received).toEqual({ name: "x" });
    expect(received).not.toBe(argument);
  });

  it("rejects unknown interfaces and members with MethodNotFound", async () => {
    const { client, server } = createInProcessPair({ copy });
    server.register(service({ ping: () => "pong" }));
    expect((await rejection(client.call("org.novade.Missing", "ping", []))).code).toBe("MethodNotFound");
    const missingMember = await rejection(client.call(IFACE, "nope", []));
    expect(missingMember.code).toBe("MethodNotFound");
    expect(missingMember.context).toMatchObject({ iface: IFACE, member: "nope" });
    // Inherited object keys are not members.
    expect((await rejection(client.call(IFACE, "toString", []))).code).toBe("MethodNotFound");
  });

  it("turns a declared error into RemoteError with its name and data", async () => {
    const { client, server } = createInProcessPair({ copy });
    server.register(
      service({
        find: (args) => {
          throw new NotFound("no such key", { key: String(args[0]) });
        },
      }),
    );
    const error = await rejection(client.call(IFACE, "find", ["k1"]));
    expect(error.code).toBe("RemoteError");
    expect(error.message).toBe("no such key");
    expect(error.context).toMatchObject({ errorName: "org.novade.test.NotFound", data: { key: "k1" } });
  });

  it("passes a handler's IPCError code through and wraps other exceptions", async () => {
    const { client, server } = createInProcessPair({ copy });
    server.register(
      service({
        busy: () => {
          throw new IPCError("EventQueueFull", "queue full", { context: { size: 3 } });
        },
        crash: async () => {
          throw new TypeError("boom");
        },
      }),
    );
    const busy = await rejection(client.call(IFACE, "busy", []));
    expect(busy.code).toBe("EventQueueFull");
    expect(busy.context).toMatchObject({ size: 3 });
    const crash = await rejection(client.call(IFACE, "crash", []));
    expect(crash.code).toBe("RemoteError");
    expect(crash.message).toBe("boom");
    expect(crash.context["errorName"]).toBeUndefined();
  });

  it("times out, and aborts the handler's signal", async () => {
    const { client, server } = createInProcessPair({ copy });
    let seen: CallContext | undefined;
    server.register(
      service({
        slow: (_args, context) => {
          seen = context;
          return new Promise(() => undefined);
        },
      }),
    );
    const error = await rejection(client.call(IFACE, "slow", [], { timeoutMs: 20 }));
    expect(error.code).toBe("TimeoutExpired");
    expect(seen?.signal.aborted).toBe(true);
  });

  it("cancels through an AbortSignal, before or during the call", async () => {
    const { client, server } = createInProcessPair({ copy });
    let handlerSignal: AbortSignal | undefined;
    server.register(
      service({
        wait: (_args, context) => {
          handlerSignal = context.signal;
          return new Promise(() => undefined);
        },
      }),
    );
    const early = new AbortController();
    early.abort();
    expect((await rejection(client.call(IFACE, "wait", [], { signal: early.signal }))).code).toBe("Cancelled");

    const late = new AbortController();
    const pending = client.call(IFACE, "wait", [], { signal: late.signal });
    await new Promise((resolve) => setTimeout(resolve, 5));
    late.abort();
    expect((await rejection(pending)).code).toBe("Cancelled");
    expect(handlerSignal?.aborted).toBe(true);
  });

  it("runs oneway calls without a reply and reports their failures aside", async () => {
    const failures: unknown[] = [];
    const { client, server } = createInProcessPair({ copy, onUnhandledError: (error) => failures.push(error) });
    const seen: unknown[] = [];
    server.register(
      service(
        {
          log: (args) => {
            seen.push(args[0]);
            return "ignored";
          },
          fail: () => {
            throw new Error("oneway failure");
          },
        },
        ["log", "fail"],
      ),
    );
    expect(client.callOneway(IFACE, "log", ["hello"])).toBeUndefined();
    client.callOneway(IFACE, "fail", []);
    client.callOneway(IFACE, "missing", []);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen).toEqual(["hello"]);
    expect(failures.map((failure) => (isIPCError(failure) ? failure.code : "other"))).toEqual([
      "RemoteError",
      "MethodNotFound",
    ]);
    // A oneway member called as a two-way method resolves with nothing.
    expect(await client.call(IFACE, "log", ["again"])).toBeUndefined();
  });

  it("delivers signals to every subscriber, in order, as separate copies", async () => {
    const failures: unknown[] = [];
    const { client, server } = createInProcessPair({ copy, onUnhandledError: (error) => failures.push(error) });
    const first: unknown[][] = [];
    const second: unknown[][] = [];
    const stopFirst = client.subscribe(IFACE, "changed", (args) => first.push([...args]));
    client.subscribe(IFACE, "changed", (args) => {
      second.push([...args]);
      (args[0] as { n: number }).n = -1;
    });
    client.subscribe(IFACE, "changed", () => {
      throw new Error("listener failure");
    });
    client.subscribe(IFACE, "other", () => first.push(["wrong signal"]));
    server.emit(IFACE, "changed", [{ n: 1 }]);
    server.emit(IFACE, "changed", [{ n: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(first).toEqual([[{ n: 1 }], [{ n: 2 }]]);
    expect(second.length).toBe(2);
    expect(failures.length).toBe(2);

    stopFirst();
    server.emit(IFACE, "changed", [{ n: 3 }]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(first.length).toBe(2);
    expect(second.length).toBe(3);
  });

  it("refuses a second registration of the same interface until unregistered", async () => {
    const { client, server } = createInProcessPair({ copy });
    const registration = server.register(service({ v: () => 1 }));
    expect(() => server.register(service({ v: () => 2 }))).toThrowError(
      expect.objectContaining({ code: "HandlerAlreadyRegistered" }),
    );
    registration.unregister();
    expect((await rejection(client.call(IFACE, "v", []))).code).toBe("MethodNotFound");
    server.register(service({ v: () => 2 }));
    expect(await client.call(IFACE, "v", [])).toBe(2);
  });

  it("fails pending and later calls with ChannelClosed after close()", async () => {
    const pair = createInProcessPair({ copy });
    pair.server.register(service({ hang: () => new Promise(() => undefined), [PROPERTY_GET]: () => 1 }));
    const pending = pair.client.call(IFACE, "hang", []);
    await new Promise((resolve) => setTimeout(resolve, 2));
    pair.close();
    expect((await rejection(pending)).code).toBe("ChannelClosed");
    expect((await rejection(pair.client.call(IFACE, PROPERTY_GET, ["x"]))).code).toBe("ChannelClosed");
  });

  it("rejects bad timeouts and uncopyable values with typed errors", async () => {
    const { client, server } = createInProcessPair({ copy });
    server.register(service({ echo: (args) => args[0] }));
    expect((await rejection(client.call(IFACE, "echo", [], { timeoutMs: -1 }))).code).toBe("InvalidArgument");
    const uncopyable = copy === "msgpack" ? 2n ** 80n : () => 1;
    expect((await rejection(client.call(IFACE, "echo", [uncopyable]))).code).toBe("SerializationError");
    expect(() => createInProcessPair({ defaultTimeoutMs: 0 })).toThrowError(
      expect.objectContaining({ code: "InvalidArgument" }),
    );
  });

  it("hands the handler a context with the member and this process's credentials", async () => {
    const { client, server } = createInProcessPair({ copy });
    server.register(service({ who: (_args, context) => ({ member: context.member, pid: context.peer?.pid }) }));
    expect(await client.call(IFACE, "who", [])).toEqual({ member: "who", pid: process.pid });
  });
});
