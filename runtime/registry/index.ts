/** The schema registry: entry format, content-hash ids, loading and payload validation. */
export * from "./schema-directory.js";
export * from "./schema-entry.js";
export * from "./schema-id.js";
export * from "./schema-registry.js";
export * from "./value-check.js";
