/**
 * Synchronous zstd on top of @mongodb-js/zstd, whose API is Promise-only.
 *
 * Why: `encodeMessage`, `decodeMessage` and the streaming `FrameDecoder` are
 * synchronous. A helper worker thread runs the async binding while this thread
 * blocks on `Atomics.wait` (bounded by a timeout) and then takes the reply with
 * `receiveMessageOnPort` — the "synckit" pattern. The worker is started on the
 * first zstd use and unref'd, so it never keeps a process alive. Callers that
 * must not block use the `*Async` functions, which call the binding directly.
 */
import { createRequire } from "node:module";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { IPCError } from "../errors.js";

const require = createRequire(import.meta.url);
/** How long a synchronous zstd call may block before it fails. */
const SYNC_TIMEOUT_MS = 30_000;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const zstd = require(workerData.zstdPath);
const { port, signal } = workerData;
port.on("message", async (req) => {
  let reply;
  try {
    const input = Buffer.from(req.data.buffer, req.data.byteOffset, req.data.byteLength);
    const out = req.op === "compress" ? await zstd.compress(input, req.level) : await zstd.decompress(input);
    reply = { ok: true, out: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
  } catch (e) {
    reply = { ok: false, message: String((e && e.message) || e) };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

interface Bridge {
  port: MessagePort;
  signal: Int32Array;
}
let bridge: Bridge | undefined;

function getBridge(): Bridge {
  if (bridge !== undefined) return bridge;
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { zstdPath: require.resolve("@mongodb-js/zstd"), port: port2, signal },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  worker.on("error", () => {
    bridge = undefined;
  });
  bridge = { port: port1, signal };
  return bridge;
}

function callSync(op: "compress" | "decompress", data: Uint8Array, level: number): Uint8Array {
  const b = getBridge();
  Atomics.store(b.signal, 0, 0);
  // A copy of exactly the range, transferred: cloning a view would copy its whole backing buffer.
  const copy = new Uint8Array(data);
  b.port.postMessage({ op, data: copy, level }, [copy.buffer]);
  const waited = Atomics.wait(b.signal, 0, 0, SYNC_TIMEOUT_MS);
  const received = receiveMessageOnPort(b.port);
  const code = op === "compress" ? "SerializationError" : "DeserializationError";
  if (received === undefined) {
    bridge = undefined;
    throw new IPCError(code, `zstd ${op} helper did not answer (${waited})`, { context: { compression: "zstd" } });
  }
  const reply = received.message as { ok: boolean; out?: Uint8Array; message?: string };
  if (!reply.ok || reply.out === undefined) {
    throw new IPCError(code, `zstd ${op} failed: ${reply.message ?? "unknown"}`, { context: { compression: "zstd" } });
  }
  return reply.out;
}

/** Compresses synchronously (blocks on the helper thread). */
export function zstdCompressSync(data: Uint8Array, level: number): Uint8Array {
  return callSync("compress", data, level);
}

/** Decompresses synchronously. Check the bound with zstdDecompressedBound first. */
export function zstdDecompressSync(data: Uint8Array): Uint8Array {
  return callSync("decompress", data, 0);
}

type ZstdModule = { compress(d: Buffer, level?: number): Promise<Buffer>; decompress(d: Buffer): Promise<Buffer> };
let zstdModule: ZstdModule | undefined;
function zstd(): ZstdModule {
  zstdModule ??= require("@mongodb-js/zstd") as ZstdModule;
  return zstdModule;
}

/** Compresses on the libuv thread pool without blocking. */
export async function zstdCompressAsync(data: Uint8Array, level: number): Promise<Uint8Array> {
  try {
    return await zstd().compress(Buffer.from(data.buffer, data.byteOffset, data.byteLength), level);
  } catch (cause) {
    throw new IPCError("SerializationError", `zstd compress failed: ${String(cause)}`, { cause, context: { compression: "zstd" } });
  }
}

/** Decompresses on the libuv thread pool without blocking. */
export async function zstdDecompressAsync(data: Uint8Array): Promise<Uint8Array> {
  try {
    return await zstd().decompress(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (cause) {
    throw new IPCError("DeserializationError", `zstd decompress failed: ${String(cause)}`, { cause, context: { compression: "zstd" } });
  }
}
