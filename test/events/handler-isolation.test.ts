/**
 * Handler isolation (spec 6.2.3): a throwing, rejecting or slow handler cannot hurt the others;
 * failures go to onHandlerError; per-handler timeouts (fake timers, no wall-clock races);
 * retries; HandlerStillActive while a handler runs.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEventBus, IPCError, type HandlerErrorInfo } from "../../runtime/index.js";
import { thrownCode } from "../helpers/ipc-error.js";

type Failure = { error: unknown; info: HandlerErrorInfo };

function busWithLog(options: Parameters<typeof createEventBus>[0] = {}) {
  const failures: Failure[] = [];
  const b = createEventBus({ onHandlerError: (error, info) => void failures.push({ error, info }), ...options });
  return { b, failures };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a failing handler does not affect the others", () => {
  it("sync: a throw is reported with its handler, event and attempt; later handlers and the emitter carry on", () => {
    const { b, failures } = busWithLog();
    const log: string[] = [];
    b.registerEventHandler("a", () => void log.push("before"), { priority: "high" });
    const bad = b.registerEventHandler("a", () => {
      throw new Error("boom");
    });
    b.registerEventHandler("a", () => void log.push("after"), { priority: "low" });
    const id = b.emit("a", 1);
    expect(log).toEqual(["before", "after"]);
    expect(failures).toHaveLength(1);
    expect((failures[0]!.error as Error).message).toBe("boom");
    expect(failures[0]!.info).toMatchObject({ handlerId: bad, pattern: "a", attempt: 0, willRetry: false, timedOut: false });
    expect(failures[0]!.info.event.id).toBe(id);
  });

  it("async: a rejection is reported; the other handlers of the event and later events are delivered", async () => {
    const { b, failures } = busWithLog();
    const log: number[] = [];
    b.registerEventHandler("a", async () => {
      throw new Error("nope");
    });
    b.registerEventHandler("a", (e) => void log.push(e.data as number));
    b.emit("a", 1, { mode: "async" });
    b.emit("a", 2, { mode: "async" });
    await b.idle();
    expect(log).toEqual([1, 2]);
    expect(failures.map((f) => (f.error as Error).message)).toEqual(["nope", "nope"]);
  });

  it("a throwing onHandlerError hook is contained too", () => {
    const b = createEventBus({
      onHandlerError: () => {
        throw new Error("hook broke");
      },
    });
    let after = 0;
    b.registerEventHandler("a", () => {
      throw new Error("x");
    });
    b.registerEventHandler("a", () => void after++);
    expect(() => b.emit("a")).not.toThrow();
    expect(after).toBe(1);
  });

  it("without a hook, a failure becomes a process warning", () => {
    const b = createEventBus();
    b.registerEventHandler("a", () => {
      throw new Error("warned");
    });
    // Spy instead of listening, so the suite's output stays clean.
    const spy = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      b.emit("a");
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]![0])).toContain("warned");
      expect(spy.mock.calls[0]![1]).toBe("NovaEventHandlerError");
    } finally {
      spy.mockRestore();
    }
  });
});

describe("timeouts", () => {
  it("a slow async handler times out with TimeoutExpired; it never blocks the others", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { b, failures } = busWithLog({ handlerTimeoutMs: 1_000 });
    const log: number[] = [];
    const slow = b.registerEventHandler("a", () => new Promise<void>(() => {}));
    b.registerEventHandler("a", (e) => void log.push(e.data as number), { priority: "low" });
    b.emit("a", 1);
    b.emit("a", 2);
    expect(log).toEqual([1, 2]);
    vi.advanceTimersByTime(999);
    expect(failures).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(failures).toHaveLength(2);
    const [f] = failures;
    expect(f!.error).toBeInstanceOf(IPCError);
    expect((f!.error as IPCError).code).toBe("TimeoutExpired");
    expect(f!.info).toMatchObject({ handlerId: slow, timedOut: true, willRetry: false });
    await b.idle();
  });

  it("the per-handler timeoutMs overrides the bus default; a handler that settles in time reports nothing", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { b, failures } = busWithLog({ handlerTimeoutMs: 60_000 });
    let release!: () => void;
    b.registerEventHandler("fast", () => new Promise<void>((r) => (release = r)), { timeoutMs: 10 });
    b.registerEventHandler("slow", () => new Promise<void>(() => {}), { timeoutMs: 50 });
    b.emit("fast");
    b.emit("slow");
    release();
    await Promise.resolve();
    await Promise.resolve();
    vi.advanceTimersByTime(50);
    expect(failures.map((f) => f.info.pattern)).toEqual(["slow"]);
  });
});

describe("retries", () => {
  it("a failing handler is retried `retries` times, then reported as final", async () => {
    const { b, failures } = busWithLog({ retries: 1 });
    let calls = 0;
    b.registerEventHandler("a", () => {
      calls++;
      throw new Error(`fail ${calls}`);
    }, { retries: 2 });
    b.emit("a");
    expect(calls).toBe(3);
    expect(failures.map((f) => [f.info.attempt, f.info.willRetry])).toEqual([[0, true], [1, true], [2, false]]);
  });

  it("a transient async failure succeeds on retry and is not reported as final", async () => {
    const { b, failures } = busWithLog({ retries: 3 });
    let calls = 0;
    const ok: number[] = [];
    b.registerEventHandler("a", async (e) => {
      if (++calls < 2) throw new Error("transient");
      ok.push(e.data as number);
    });
    b.emit("a", 7, { mode: "async" });
    await b.idle();
    expect(ok).toEqual([7]);
    expect(failures.map((f) => f.info.willRetry)).toEqual([true]);
  });

  it("a timed-out attempt is retried", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { b, failures } = busWithLog();
    let calls = 0;
    b.registerEventHandler("a", () => {
      calls++;
      return new Promise<void>(() => {});
    }, { timeoutMs: 5, retries: 1 });
    b.emit("a");
    vi.advanceTimersByTime(5);
    expect(calls).toBe(2);
    vi.advanceTimersByTime(5);
    expect(failures.map((f) => [f.info.attempt, f.info.timedOut, f.info.willRetry])).toEqual([[0, true, true], [1, true, false]]);
  });
});

describe("HandlerStillActive", () => {
  it("unregistering a handler from inside its own call is HandlerStillActive unless forced", () => {
    const { b, failures } = busWithLog();
    const codes: string[] = [];
    let calls = 0;
    const id: number = b.registerEventHandler("a", () => {
      calls++;
      codes.push(thrownCode(() => b.unregisterEventHandler(id)));
      b.unregisterEventHandler(id, { force: true });
    });
    b.emit("a");
    b.emit("a");
    expect(codes).toEqual(["HandlerStillActive"]);
    expect(calls).toBe(1);
    expect(failures).toEqual([]);
  });

  it("while a handler's Promise is pending it is active; once settled it can be unregistered", async () => {
    const { b } = busWithLog();
    let release!: () => void;
    const id = b.registerEventHandler("a", () => new Promise<void>((r) => (release = r)));
    b.emit("a");
    expect(thrownCode(() => b.unregisterEventHandler(id))).toBe("HandlerStillActive");
    release();
    await b.idle();
    b.unregisterEventHandler(id);
    expect(b.handlerCount).toBe(0);
  });

  it("a handler unregistered by an earlier handler of the same event is not called for it", () => {
    const { b } = busWithLog();
    let laterCalls = 0;
    const later = b.registerEventHandler("a", () => void laterCalls++, { priority: "low" });
    b.registerEventHandler("a", () => b.unregisterEventHandler(later), { priority: "high" });
    b.emit("a");
    expect(laterCalls).toBe(0);
  });
});
