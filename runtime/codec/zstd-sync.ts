/**
 * Synchronous zstd on top of @mongodb-js/zstd, whose API is Promise-only.
 *
 * Why: `encodeMessage` and `decodeMessage` are synchronous APIs. A helper
 * worker thread runs the async binding while this thread blocks on
 * `Atomics.wait` (bounded by a timeout) and then takes the reply with
 * `receiveMessageOnPort` — the "synckit" pattern. The worker is started on the
 * first zstd use and unref'd, so it never keeps a process alive. Callers that
 * must not block use the `*Async` functions, which call the binding directly;
 * the streaming `FrameDecoder` (so every channel) does, so bytes from a peer
 * never reach this blocking path.
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
    reply = { id: req.id, ok: true, out: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
  } catch (e) {
    reply = { id: req.id, ok: false, message: String((e && e.message) || e) };
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

let nextRequestId = 1;

type Reply = { id: number; ok: boolean; out?: Uint8Array; message?: string };

/**
 * Takes the reply to request `id` off the port. A reply can lag the wake-up
 * under heavy load, and a reply to an earlier request that timed out may still
 * arrive: poll briefly for the message, and drop replies that belong to other
 * requests, so a caller never receives another call's bytes.
 */
function takeReply(b: Bridge, id: number, deadline: number): Reply | undefined {
  for (;;) {
    const received = receiveMessageOnPort(b.port);
    if (received !== undefined) {
      const reply = received.message as Reply;
      if (reply.id === id) return reply;
      continue; // a stale reply of an abandoned request
    }
    if (Date.now() >= deadline) return undefined;
    // Sleep up to 1 ms (the signal stays as it is; this is only a bounded pause).
    Atomics.wait(b.signal, 0, Atomics.load(b.signal, 0), 1);
  }
}

function callSync(op: "compress" | "decompress", data: Uint8Array, level: number): Uint8Array {
  const b = getBridge();
  const id = nextRequestId++;
  Atomics.store(b.signal, 0, 0);
  // A copy of exactly the range, transferred: cloning a view would copy its whole backing buffer.
  const copy = new Uint8Array(data);
  b.port.postMessage({ id, op, data: copy, level }, [copy.buffer]);
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  const waited = Atomics.wait(b.signal, 0, 0, SYNC_TIMEOUT_MS);
  const reply = takeReply(b, id, waited === "timed-out" ? Date.now() : Math.min(deadline, Date.now() + 1000));
  const code = op === "compress" ? "SerializationError" : "DeserializationError";
  if (reply === undefined) {
    throw new IPCError(code, `zstd ${op} helper did not answer (${waited})`, { context: { compression: "zstd" } });
  }
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
