/**
 * Test helpers for asserting on IPCError codes.
 */
import { expect } from "vitest";
import { IPCError } from "../../runtime/errors.js";

/** Runs `fn`: "ok" when it returns, the IPCError code when it throws one; any other exception is rethrown. */
export function codeOrOk(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof IPCError) return e.code;
    throw e;
  }
  return "ok";
}

/** Runs `fn`, which must throw an IPCError, and returns its code. */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IPCError);
    return (e as IPCError).code;
  }
  throw new Error("expected an IPCError");
}

/** Awaits `promise`: "resolved" when it fulfils, the IPCError code when it rejects with one, else "not an IPCError: …". */
export async function settledCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof IPCError ? error.code : `not an IPCError: ${String(error)}`;
  }
  return "resolved";
}

/** Runs `fn`, which must throw an IPCError with `code`, and returns that error (to check its context). */
export function expectIPCError(fn: () => unknown, code: string): IPCError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IPCError);
    expect((e as IPCError).code, (e as IPCError).message).toBe(code);
    return e as IPCError;
  }
  throw new Error(`expected an IPCError ${code}`);
}
