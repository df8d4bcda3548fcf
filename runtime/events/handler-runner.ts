/**
 * Runs one handler for one event with the isolation of spec 6.2.3: a throw, a rejection or a
 * timeout of one handler is caught, reported to the bus's `onHandlerError`, optionally retried,
 * and never reaches the emitter or the other handlers.
 */
import { IPCError } from "../errors.js";
import type { BusEvent, HandlerErrorInfo, HandlerRecord } from "./types.js";

/** What the runner needs from the bus. */
export interface RunnerHost {
  reportHandlerError(error: unknown, info: HandlerErrorInfo): void;
  /** Called when a returned Promise starts / stops being watched (for `idle()`). */
  trackStart(): void;
  trackEnd(): void;
}

function isThenable(v: unknown): v is PromiseLike<void> {
  return v !== undefined && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** Invokes `h` for `ev` (attempt `attempt`); never throws. */
export function runHandler(host: RunnerHost, h: HandlerRecord, ev: BusEvent, attempt: number): void {
  h.active++;
  let result: unknown;
  try {
    result = h.fn(ev);
  } catch (err) {
    h.active--;
    failed(host, h, ev, attempt, err, false);
    return;
  }
  if (isThenable(result)) watch(host, h, ev, attempt, result);
  else h.active--;
}

/** A synchronous throw of attempt `attempt` (the bus inlines the call itself on its hot path). */
export function handlerThrew(host: RunnerHost, h: HandlerRecord, ev: BusEvent, attempt: number, err: unknown): void {
  failed(host, h, ev, attempt, err, false);
}

/** A returned Promise of attempt `attempt` (already counted in `h.active`). */
export function watchResult(host: RunnerHost, h: HandlerRecord, ev: BusEvent, attempt: number, p: PromiseLike<void>): void {
  watch(host, h, ev, attempt, p);
}

function failed(host: RunnerHost, h: HandlerRecord, ev: BusEvent, attempt: number, err: unknown, timedOut: boolean): void {
  const willRetry = attempt < h.retries && !h.removed;
  host.reportHandlerError(err, { handlerId: h.id, pattern: h.pattern, event: ev, attempt, willRetry, timedOut });
  if (willRetry) runHandler(host, h, ev, attempt + 1);
}

/**
 * Watches a handler's Promise. On timeout the invocation is abandoned: reported as
 * `TimeoutExpired`, no longer counted as active (so the handler can be unregistered) and retried
 * if configured; its late settlement is ignored.
 */
function watch(host: RunnerHost, h: HandlerRecord, ev: BusEvent, attempt: number, p: PromiseLike<void>): void {
  let done = false;
  host.trackStart();
  const finish = (): boolean => {
    if (done) return false;
    done = true;
    if (timer !== undefined) clearTimeout(timer);
    h.active--;
    host.trackEnd();
    return true;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (h.timeoutMs > 0 && Number.isFinite(h.timeoutMs)) {
    timer = setTimeout(() => {
      if (!finish()) return;
      const err = new IPCError("TimeoutExpired", `event handler ${h.id} (${h.pattern}) did not finish within ${h.timeoutMs} ms`, {
        context: { handlerId: h.id, pattern: h.pattern, eventId: ev.id, eventType: ev.type, timeoutMs: h.timeoutMs },
      });
      failed(host, h, ev, attempt, err, true);
    }, h.timeoutMs);
    // A slow handler must not keep the process alive on its own.
    timer.unref?.();
  }
  Promise.resolve(p).then(
    () => {
      finish();
    },
    (err: unknown) => {
      if (finish()) failed(host, h, ev, attempt, err, false);
    },
  );
}
