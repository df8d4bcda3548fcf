/**
 * Callback style for callers who prefer it over Promises (spec 3.1.1
 * "Callback-basierte Nachrichtenverarbeitung").
 */
import type { Callback } from "./contract.js";

/** Routes a promise's outcome to a Node-style callback; the promise is marked handled. */
export function withCallback<T>(promise: Promise<T>, callback: Callback<T>): void {
  promise.then(
    (value) => callback(null, value),
    (error: Error) => callback(error),
  );
}
