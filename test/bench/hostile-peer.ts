/**
 * A hostile client process for the stall test (test/rpc/stall.test.ts):
 *
 *   node dist/test/bench/hostile-peer.js <unix socket path>
 *
 * Opens connections to an RPC server and keeps it busy with what a peer can
 * send cheaply and a server must not let stall anyone else: zstd bombs
 * (a ~0.5 KB section that decompresses to 16 MiB of zeros, at the default
 * size limit, so it is really decompressed), sections that declare more
 * than the limit, and frames left half sent. Prints `ready` once everything
 * is flowing, then `replies <bytes of replies so far>` every 250 ms, and runs until killed; every bomb is written as soon as the
 * socket takes it (backpressure is the only brake).
 */
import { connect, type Socket } from "node:net";
import { compressSectionAsync } from "../../runtime/codec/compression.js";
import { encodeMessage } from "../../runtime/wire/frame.js";
import { sealFrames } from "../../runtime/wire/frame-check.js";
import type { RequestMessage } from "../../runtime/wire/message.js";

const METHOD = "nova.bench.Echo.echo";
/** Bytes of error replies received, printed every 250 ms (the test checks that the bombs were really served). */
let replyBytes = 0;

/** An echo Request frame whose value section is `section` with compression zstd (flags 0x08). */
function bombFrame(id: bigint, section: Uint8Array): Uint8Array {
  const req: RequestMessage = { type: "request", messageId: id, correlationId: 0n, timestampNs: 1n, body: { method: METHOD, params: null, timeoutMs: 5000, flags: 0 } };
  const plain = encodeMessage(req);
  // params=null is the one byte C0 at the end: swap it for the section.
  const f = new Uint8Array(plain.length - 1 + section.length);
  f.set(plain.subarray(0, plain.length - 1));
  f.set(section, plain.length - 1);
  new DataView(f.buffer).setUint32(32, f.length - 40, true);
  f[7] = 0x08;
  sealFrames(f, 0, f.length);
  return f;
}

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once("error", reject);
  });
}

/** Writes bombs on `socket` forever, as fast as it takes them; replies are read and dropped. */
function flood(socket: Socket, frames: Uint8Array[]): void {
  socket.on("data", (chunk: Buffer) => (replyBytes += chunk.length));
  socket.on("error", () => undefined);
  let n = 0;
  const pump = (): void => {
    while (!socket.destroyed) {
      if (!socket.write(frames[n++ % frames.length])) {
        socket.once("drain", pump);
        return;
      }
    }
  };
  pump();
}

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write("usage: hostile-peer <unix socket path>\n");
    process.exit(2);
  }
  const zeros = await compressSectionAsync(new Uint8Array(16 * 1024 * 1024), "zstd");
  const over = Buffer.from(zeros);
  over.writeUInt32LE(16 * 1024 * 1024 + 1, 0);
  const bombs: Uint8Array[] = [];
  for (let i = 1; i <= 64; i++) bombs.push(bombFrame(BigInt(i), i % 4 === 0 ? over : zeros));
  for (let i = 0; i < Number(process.env.FLOODS ?? 2); i++) flood(await open(path), bombs);
  // Half-sent frames: a header that promises a body that never comes.
  const partial = bombFrame(1000n, zeros).subarray(0, 30);
  const idle: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = await open(path);
    s.on("error", () => undefined);
    s.write(partial);
    idle.push(s);
  }
  process.stdout.write("ready\n");
  setInterval(() => process.stdout.write(`replies ${replyBytes}\n`), 250);
}

void main();
