/**
 * Conformance to spec 5.1.2 `core::ipc::events`: every error the spec lists under an operation is
 * provoked through the public API (`novade-ipc`'s runtime index), and nothing else. The list of
 * errors is read from the spec itself, so an error added to the spec fails this test until it is
 * provoked here. Also: bad options are typed errors (InvalidArgument), never a crash.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createEventBus, IPCError, type EventBus } from "../../runtime/index.js";

const SPEC = fileURLToPath(new URL("../../../shared/seed/SPEC-COMPONENT-CORE-IPC-v1.0.0.md", import.meta.url));

/** Operation name → the error names its FEHLERBEHANDLUNG block lists, from section 5.1.2 of the spec. */
function specErrors(): Record<string, string[]> {
  const text = readFileSync(SPEC, "utf8");
  const start = text.indexOf("#### 5.1.2");
  const end = text.indexOf("#### 5.1.3", start);
  expect(start, "section 5.1.2 in the spec").toBeGreaterThan(0);
  const out: Record<string, string[]> = {};
  let op: string | undefined;
  let inErrors = false;
  for (const line of text.slice(start, end).split("\n")) {
    const name = /^\s+- NAME: (\w+)/.exec(line);
    if (name) {
      op = name[1]!;
      out[op] = [];
      inErrors = false;
    } else if (/^\s+FEHLERBEHANDLUNG:/.test(line)) inErrors = true;
    else if (inErrors && op !== undefined) {
      const err = /^\s+- (\w+):/.exec(line);
      if (err) out[op]!.push(err[1]!);
      else if (line.trim() !== "") inErrors = false;
    }
  }
  return out;
}

/** Runs `f` and returns the IPCError it throws (fails the test if it throws anything else or nothing). */
function ipcErrorOf(f: () => unknown): IPCError {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "expected an IPCError").toBeInstanceOf(IPCError);
  return thrown as IPCError;
}

const noop = (): void => undefined;

/** For each spec operation and error: how the public API provokes it. */
const PROVOKE: Record<string, Record<string, () => unknown>> = {
  register_event_handler: {
    InvalidEventType: () => createEventBus().registerEventHandler("window.foc*", noop),
    HandlerAlreadyRegistered: () => {
      const b = createEventBus();
      b.registerEventHandler("window.*", noop);
      return b.registerEventHandler("window.*", noop);
    },
    TooManyHandlers: () => {
      const b = createEventBus({ maxHandlers: 2 });
      b.registerEventHandler("a", noop);
      b.registerEventHandler("b", noop);
      return b.registerEventHandler("c", noop);
    },
  },
  unregister_event_handler: {
    HandlerNotFound: () => createEventBus().unregisterEventHandler(12345),
    HandlerStillActive: () => {
      const b = createEventBus();
      let caught: unknown;
      const id = b.registerEventHandler("a", () => {
        try {
          b.unregisterEventHandler(id);
        } catch (e) {
          caught = e;
        }
      });
      b.emit("a");
      throw caught;
    },
  },
  emit_event: {
    NoHandlersRegistered: () => createEventBus().emit("window.opened", {}, { requireHandlers: true }),
    SerializationError: () => {
      const b = createEventBus();
      b.registerEventHandler("a", noop);
      return b.emit("a", { n: 1n }, { mode: "broadcast" });
    },
    EventQueueFull: () => {
      const b = createEventBus({ maxQueuedEvents: 1 });
      b.emit("a", 1, { mode: "async" });
      try {
        return b.emit("a", 2, { mode: "async" });
      } finally {
        b.clearQueue();
      }
    },
  },
  subscribe_to_events: {
    InvalidFilter: () => createEventBus().subscribe({ field: "x", like: "y%" } as never, noop),
    TooManySubscriptions: () => {
      const b = createEventBus({ maxSubscriptions: 1 });
      b.subscribe({ topic: "a.**" }, noop);
      return b.subscribe({ topic: "b.**" }, noop);
    },
  },
  unsubscribe_from_events: {
    SubscriptionNotFound: () => createEventBus().unsubscribe(12345),
  },
};

describe("spec 5.1.2: every error of every operation", () => {
  const spec = specErrors();

  it("the spec section lists the five operations and their eleven errors, and every one has a provocation here", () => {
    expect(Object.keys(spec).sort()).toEqual(Object.keys(PROVOKE).sort());
    for (const [op, errors] of Object.entries(spec)) expect(errors.slice().sort(), op).toEqual(Object.keys(PROVOKE[op]!).sort());
    expect(Object.values(spec).flat()).toHaveLength(11);
  });

  for (const [op, errors] of Object.entries(spec)) {
    for (const code of errors) {
      it(`${op}: ${code}`, () => {
        const provoke = PROVOKE[op]?.[code];
        expect(provoke, `no provocation for ${op}/${code}`).toBeDefined();
        const err = ipcErrorOf(provoke!);
        expect(err.code).toBe(code);
        expect(err.message.length).toBeGreaterThan(0);
      });
    }
  }
});

describe("bad options are InvalidArgument and change nothing", () => {
  // Names an object literal inherits: looking them up in `{high: 0, ...}` finds Object.prototype's members.
  const inherited = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"];

  function counts(b: EventBus): [number, number, number] {
    return [b.handlerCount, b.subscriptionCount, b.queuedEvents];
  }

  it("priorities named like Object.prototype members, on emit (sync, async, broadcast), register and subscribe", () => {
    const b = createEventBus();
    b.registerEventHandler("a", noop);
    for (const p of inherited) {
      for (const mode of ["sync", "async", "broadcast"] as const) {
        expect(ipcErrorOf(() => b.emit("a", 1, { mode, priority: p as never })).code, `${mode} ${p}`).toBe("InvalidArgument");
      }
      expect(ipcErrorOf(() => b.registerEventHandler("b", noop, { priority: p as never })).code, p).toBe("InvalidArgument");
      expect(ipcErrorOf(() => b.subscribe({ topic: "b" }, noop, { priority: p as never })).code, p).toBe("InvalidArgument");
    }
    expect(counts(b)).toEqual([1, 0, 0]);
  });

  it("a refused registration does not use up the handler or subscription limit", () => {
    const b = createEventBus({ maxHandlers: 1, maxSubscriptions: 1 });
    for (let i = 0; i < 3; i++) {
      expect(ipcErrorOf(() => b.registerEventHandler("a", noop, { priority: "urgent" as never })).code).toBe("InvalidArgument");
      expect(ipcErrorOf(() => b.subscribe({ topic: "a" }, noop, { retries: -1 })).code).toBe("InvalidArgument");
    }
    expect(counts(b)).toEqual([0, 0, 0]);
    b.registerEventHandler("a", noop);
    b.subscribe({ topic: "a" }, noop);
    expect(counts(b)).toEqual([1, 1, 0]);
  });

  it("retries must be an integer 0..100 and timeoutMs a number >= 0 (an endless retry of a sync throw would overflow the stack)", () => {
    const b = createEventBus();
    for (const retries of [Number.POSITIVE_INFINITY, -1, 1.5, 101, "3", Number.NaN]) {
      expect(ipcErrorOf(() => b.registerEventHandler("a", noop, { retries: retries as never })).code, String(retries)).toBe("InvalidArgument");
    }
    for (const timeoutMs of [-1, Number.NaN, "5"]) {
      expect(ipcErrorOf(() => b.registerEventHandler("a", noop, { timeoutMs: timeoutMs as never })).code, String(timeoutMs)).toBe("InvalidArgument");
    }
    expect(ipcErrorOf(() => createEventBus({ retries: Number.POSITIVE_INFINITY })).code).toBe("InvalidArgument");
    expect(ipcErrorOf(() => createEventBus({ handlerTimeoutMs: -5 })).code).toBe("InvalidArgument");
    expect(counts(b)).toEqual([0, 0, 0]);
    // The bounds themselves are accepted: 100 retries of a handler that always throws are 101 calls.
    let calls = 0;
    const failures: number[] = [];
    const ok = createEventBus({ onHandlerError: (_e, info) => void failures.push(info.attempt) });
    ok.registerEventHandler("a", () => {
      calls++;
      throw new Error("always");
    }, { retries: 100, timeoutMs: Number.POSITIVE_INFINITY });
    ok.emit("a");
    expect(calls).toBe(101);
    expect(failures).toHaveLength(101);
  });
});

describe("a type that is not a topic string is InvalidEventType whenever it is emitted", () => {
  it("undefined, numbers and objects, sync and async, on a fresh bus, after a registration and after a cached emit; toString is never called", () => {
    let converted = false;
    const sneaky = { toString: () => ((converted = true), "a") };
    for (const t of [undefined, null, 7, sneaky, Symbol("a")]) {
      const b = createEventBus();
      const step = (what: string): void => {
        for (const options of [undefined, { mode: "async" as const }, { mode: "broadcast" as const }]) {
          expect(ipcErrorOf(() => b.emit(t as never, 1, options)).code, `${what} ${String(options?.mode)}`).toBe("InvalidEventType");
        }
      };
      step("fresh");
      b.registerEventHandler("a", noop);
      step("after register");
      b.emit("a");
      step("after a cached emit");
      expect(b.queuedEvents).toBe(0);
    }
    expect(converted).toBe(false);
  });

  it("a topic named like an Object.prototype member has no handlers unless registered", () => {
    const b = createEventBus();
    for (const t of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      expect(ipcErrorOf(() => b.emit(t, 1, { requireHandlers: true })).code, t).toBe("NoHandlersRegistered");
      b.emit(t, 1);
      expect(ipcErrorOf(() => b.emit(t, 1, { requireHandlers: true })).code, `${t} cached`).toBe("NoHandlersRegistered");
    }
    const got: string[] = [];
    b.registerEventHandler("__proto__", (e) => void got.push(e.type));
    b.emit("__proto__");
    b.emit("constructor");
    expect(got).toEqual(["__proto__"]);
  });
});
