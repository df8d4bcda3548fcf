/**
 * Public entry point of the NovaDE IPC runtime.
 */
export * from "./errors.js";
export * from "./wire/index.js";
export * from "./codec/index.js";
export * from "./transport/index.js";
export * from "./rpc/index.js";
export * from "./registry/index.js";
