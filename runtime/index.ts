/**
 * Public entry point of the NovaDE IPC runtime.
 */
export * from "./errors.js";
