/**
 * ts-morph is large (it bundles a TypeScript compiler), so it is loaded only
 * when TypeScript output is actually requested, and once per process.
 */

/** The ts-morph module. */
export type Tsm = typeof import("ts-morph");

let loading: Promise<Tsm> | undefined;

/** Loads ts-morph on first use. */
export function loadTsMorph(): Promise<Tsm> {
  loading ??= import("ts-morph");
  return loading;
}
