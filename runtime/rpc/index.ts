/** Public surface of the RPC layer: the generated-code contract and its implementations. */
export * from "./contract.js";
export * from "./in-process.js";
export * from "./remote-failure.js";
export * from "./value-copy.js";
export * from "./stub-support.js";
export * from "./event-support.js";
export * from "./rpc-client.js";
export * from "./rpc-server.js";
export * from "./connect.js";
export * from "./callbacks.js";
