/**
 * The demo's server-side logic: an implementation of the generated
 * `CalculatorImpl`, independent of any transport. It announces every result
 * with the `computed` signal and the `count` property's change notification.
 */
import type { CallContext } from "../../runtime/rpc/contract.js";
import { IPCError } from "../../runtime/errors.js";
import { CalculatorEmitter, DivisionByZero, type CalculatorImpl, type Entry } from "./generated/org.novade.demo.js";

/** Creates the calculator; `emitter` publishes its signals. */
export function createCalculator(emitter: CalculatorEmitter): CalculatorImpl {
  const entries: Entry[] = [];
  const record = (op: string, result: number): number => {
    const entry = { op, result };
    entries.push(entry);
    emitter.emitComputed(entry);
    emitter.emitCountPropertyChanged(entries.length);
    return result;
  };
  return {
    add: (a, b) => record("add", a + b),
    divide: (a, b) => {
      if (b === 0) throw new DivisionByZero(`cannot divide ${a} by zero`, { dividend: a });
      return record("divide", a / b);
    },
    echo: (text) => text,
    slow: (ms: number, context: CallContext) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => resolve(ms), ms);
        // The caller gave up (timeout, cancel, disconnect): stop working for nobody.
        context.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new IPCError("Cancelled", "the caller stopped waiting"));
        });
      }),
    history: () => entries.slice(),
    reset: () => {
      entries.length = 0;
      emitter.emitCountPropertyChanged(0);
    },
    getCountProperty: () => entries.length,
  };
}
