/**
 * Transports (spec 4.1.1, 5.1.1): channels over Unix sockets and named pipes
 * and shared-memory rings (shm), with batching and backpressure.
 */
export * from "./types.js";
export { createChannel, listen } from "./create-channel.js";
export { resolveEndpoint, runtimeDirectory, ensurePrivateDirectory, MAX_SOCKET_PATH_BYTES } from "./endpoint.js";
export { resolveChannelOptions, type ResolvedChannelOptions } from "./stream-channel.js";
export { DEFAULT_SHM_RING_BYTES } from "./shm-transport.js";
