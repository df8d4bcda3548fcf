/**
 * The raw baseline's socket I/O: the same read and write path as our
 * transport, with nothing above it but a 4-byte little-endian length prefix,
 * so that `rpc_* / baseline_raw_*` measures only what NOVA framing, the codec,
 * the channel and RPC add.
 *
 * - Reads: node:net's `onread` into one reused 64 KiB buffer, as
 *   runtime/transport/socket-reader.ts (SocketReader); accepted connections
 *   are re-wrapped the way its `adoptAccepted` does it (the descriptor
 *   duplicated with the addon's dupFd into a socket made with `onread`, since
 *   a net.Server cannot hand out such sockets itself).
 * - Writes: one non-blocking send from the addon (writeFd) while the socket's
 *   Writable stream is empty, the rest through `socket.write`, as
 *   runtime/transport/direct-writer.ts (socketSink).
 *
 * Written here rather than imported from the runtime so that the baseline
 * stays the best plain code can do on that path, whatever our transport's
 * classes cost. It needs the addon: without it there is no fair baseline,
 * so it throws instead of falling back.
 */
import { Socket, connect, createServer, type OnReadOpts, type Server, type SocketConstructorOpts } from "node:net";
import { nativeSockets, nativeWrites } from "../../native/index.js";

/** Size of the reused read buffer, as READ_BUFFER_BYTES in socket-reader.ts. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Called with a run of whole records `bytes[start, end)` (each a u32 LE length
 * and that many bytes) and their count; `bytes` is valid only during the call.
 */
export type OnRecords = (bytes: Uint8Array, start: number, end: number, count: number) => void;

type Addon = NonNullable<ReturnType<typeof nativeWrites>> & NonNullable<ReturnType<typeof nativeSockets>>;
let resolved: Addon | undefined;

/** The addon functions the baseline needs (resolved once); throws when they are unavailable. */
function addon(): Addon {
  if (resolved !== undefined) return resolved;
  const writes = nativeWrites();
  const sockets = nativeSockets();
  if (writes === undefined || sockets === undefined) {
    throw new Error("the raw baseline needs the native addon (npm run build:native) and NOVA_NO_NATIVE_WRITE/SOCKETS unset");
  }
  resolved = { ...sockets, writeFd: (fd, buf, start, end) => writes.writeFd(fd, buf, start, end) };
  return resolved;
}

/**
 * The `onread` option of a socket that hands runs of whole records to
 * `onRecords`. A record cut by a read is kept (copied) until it is complete;
 * whole records are handed over in place, without a copy.
 */
export function recordReader(onRecords: OnRecords): OnReadOpts {
  let pending = new Uint8Array(0);
  let have = 0;
  /** Hands over the whole records of `b[0, n)` and returns where the unfinished one starts. */
  const split = (b: Uint8Array, n: number): number => {
    let p = 0;
    let count = 0;
    while (n - p >= 4) {
      const len = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
      if (n - p - 4 < len) break;
      p += 4 + len;
      count++;
    }
    if (count > 0) onRecords(b, 0, p, count);
    return p;
  };
  const keep = (b: Uint8Array, from: number, to: number): void => {
    const need = to - from;
    if (need > pending.length) pending = new Uint8Array(Math.max(need, pending.length * 2, 1024));
    pending.set(b.subarray(from, to), 0);
    have = need;
  };
  return {
    buffer: new Uint8Array(READ_BUFFER_BYTES),
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      if (have === 0) {
        const used = split(buffer, bytes);
        if (used < bytes) keep(buffer, used, bytes);
        return true;
      }
      if (have + bytes > pending.length) {
        const grown = new Uint8Array(Math.max(have + bytes, pending.length * 2));
        grown.set(pending.subarray(0, have));
        pending = grown;
      }
      pending.set(buffer.subarray(0, bytes), have);
      const total = have + bytes;
      const used = split(pending, total);
      have = 0;
      if (used < total) keep(pending.subarray(0, total), used, total);
      return true;
    },
  };
}

/**
 * Writes `data[start, end)`: directly with the addon's writeFd while the
 * stream holds nothing, else (and for what the kernel did not take) through
 * `socket.write`, with a copy since `data` may be a reused read buffer.
 * Returns false when the caller should wait for 'drain'.
 */
export function writeRecords(socket: Socket, data: Uint8Array, start: number, end: number): boolean {
  if (socket.writableLength === 0 && !socket.connecting && !socket.destroyed) {
    const fd = (socket as unknown as { _handle: { fd?: unknown } | null })._handle?.fd;
    if (typeof fd === "number" && fd >= 0) {
      const n = addon().writeFd(fd, data, start, end);
      if (n === end - start) return true;
      if (n > 0) start += n;
    }
  }
  return socket.write(Uint8Array.prototype.slice.call(data, start, end));
}

/** Connects to `path` with reads through {@link recordReader}. */
export async function connectRecords(path: string, onRecords: OnRecords): Promise<Socket> {
  addon();
  const socket = connect({ path, onread: recordReader(onRecords) });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

/**
 * Listens on `path`; each accepted connection is re-wrapped to read through
 * {@link recordReader} (as adoptAccepted does) and handed to `onConnection`
 * with the `onRecords` it returns.
 */
export function listenRecords(path: string, onConnection: (socket: Socket) => OnRecords, onListening: () => void): Server {
  const { dupFd } = addon();
  const server = createServer({ pauseOnConnect: true }, (accepted) => {
    const fd = (accepted as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    if (typeof fd !== "number" || fd < 0) throw new Error("accepted socket has no descriptor");
    let records: OnRecords = () => undefined;
    const own = new Socket({ fd: dupFd(fd), readable: true, writable: true, onread: recordReader((b, s, e, c) => records(b, s, e, c)) } as SocketConstructorOpts);
    accepted.destroy();
    records = onConnection(own);
  });
  server.listen(path, onListening);
  return server;
}
