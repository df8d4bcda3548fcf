/**
 * The baseline of the cross-process event metrics (bus.bench.ts): the same
 * three-process path as publisher → `nova bus` → subscriber, with plain
 * length-prefixed messages (u32 LE length, then 64 bytes) and nothing of
 * ours: node:net sockets read with `onread` into a reused buffer (as our
 * transport does), messages batched into 64 KiB writes with backpressure.
 * The relay parses every message boundary (a router must) and copies the
 * complete messages of each read to the subscriber.
 *
 *   node dist/test/bench/raw-relay-peer.js relay <socket>
 *   node dist/test/bench/raw-relay-peer.js sub <socket>       (prints `done <count> <epoch ns>` per `go` round)
 *   node dist/test/bench/raw-relay-peer.js pub <socket> <count>   (per `go` line on stdin: prints `sent <epoch ns>`)
 *
 * A message of length 0 ends a round. Every process prints `ready <pid>`.
 */
import { createConnection, createServer, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { nowNs } from "../../runtime/wire/message-id.js";

const [mode, socketPath, countText] = process.argv.slice(2);
const PAYLOAD = 64;
const BATCH = 64 * 1024;

/** Calls `onMessage(buf, start, length)` for each complete message; keeps a partial one. */
function messageReader(onMessage: (b: Uint8Array, start: number, len: number) => void): (chunk: Uint8Array) => void {
  let carry = new Uint8Array(0);
  return (chunk) => {
    let b = chunk;
    if (carry.length > 0) {
      const joined = new Uint8Array(carry.length + chunk.length);
      joined.set(carry);
      joined.set(chunk, carry.length);
      b = joined;
    }
    let p = 0;
    while (b.length - p >= 4) {
      const len = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
      if (b.length - p - 4 < len) break;
      onMessage(b, p, len);
      p += 4 + len;
    }
    carry = p === b.length ? new Uint8Array(0) : b.slice(p);
  };
}

function onread(handler: (chunk: Uint8Array) => void): { buffer: Uint8Array; callback: (n: number, buf: Uint8Array) => boolean } {
  return { buffer: new Uint8Array(64 * 1024), callback: (n, buf) => (handler(buf.subarray(0, n)), true) };
}

/** Batches messages into 64 KiB writes; `flush` once per read or loop turn. */
class Batcher {
  private buf = Buffer.allocUnsafe(BATCH);
  private len = 0;
  constructor(private readonly socket: Socket) {}
  /** False when the socket asked us to wait ('drain'). */
  add(b: Uint8Array, start: number, total: number): boolean {
    let ok = true;
    if (this.len + total > BATCH) ok = this.flush();
    this.buf.set(b.subarray(start, start + total), this.len);
    this.len += total;
    return ok;
  }
  flush(): boolean {
    if (this.len === 0) return true;
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(BATCH);
    this.len = 0;
    return this.socket.write(out);
  }
}

async function relay(): Promise<void> {
  let subscriber: Batcher | undefined;
  const server = createServer((socket) => {
    // The first connection is the subscriber, the second the publisher.
    if (subscriber === undefined) {
      subscriber = new Batcher(socket);
      return;
    }
    const out = subscriber;
    const read = messageReader((b, start, len) => void out.add(b, start, 4 + len));
    socket.on("data", (chunk) => {
      read(chunk);
      if (!out.flush()) socket.pause();
    });
    (out as unknown as { socket: Socket }).socket.on("drain", () => socket.resume());
  });
  server.listen(socketPath, () => process.stdout.write(`ready ${process.pid}\n`));
}

async function sub(): Promise<void> {
  let count = 0;
  let sum = 0;
  const read = messageReader((b, start, len) => {
    if (len === 0) {
      process.stdout.write(`done ${count} ${nowNs()} ${sum}\n`);
      count = 0;
      return;
    }
    count++;
    sum += b[start + 4]!;
  });
  const socket = createConnection({ path: socketPath!, onread: onread(read) });
  socket.on("connect", () => process.stdout.write(`ready ${process.pid}\n`));
}

async function pub(): Promise<void> {
  const count = Number(countText);
  const socket = createConnection({ path: socketPath! });
  await new Promise((r) => socket.on("connect", r));
  const batch = new Batcher(socket);
  const message = new Uint8Array(4 + PAYLOAD).fill(0x78);
  message.set([PAYLOAD, 0, 0, 0]);
  process.stdout.write(`ready ${process.pid}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== "go") continue;
    const started = nowNs();
    for (let i = 0; i < count; i++) {
      if (!batch.add(message, 0, message.length)) await new Promise((r) => socket.once("drain", r));
    }
    batch.add(new Uint8Array(4), 0, 4);
    batch.flush();
    process.stdout.write(`sent ${started}\n`);
  }
}

const modes: Record<string, () => Promise<void>> = { relay, sub, pub };
const run = mode === undefined ? undefined : modes[mode];
if (run === undefined) {
  process.stderr.write("usage: raw-relay-peer.js relay|sub|pub <socket> [count]\n");
  process.exit(2);
}
process.on("SIGINT", () => process.exit(0));
await run();
