/**
 * The raw baseline peer: plain node:net over a Unix socket with a 4-byte
 * little-endian length prefix, no NOVA framing at all.
 *
 *   node dist/test/bench/rpc-raw-peer.js echo <path>   # echoes every record
 *   node dist/test/bench/rpc-raw-peer.js sink <path>   # counts records; an empty
 *       record ends a run and is answered with 16 bytes: count (f64), elapsed ns (f64)
 *
 * Prints `ready <pid>` when listening; stopped by PID.
 */
import { createServer, type Socket } from "node:net";
import { unlinkSync } from "node:fs";

/** Splits length-prefixed records out of a byte stream. */
function records(socket: Socket, onRecord: (body: Buffer, whole: Buffer) => void): void {
  let pending: Buffer | undefined;
  socket.on("data", (chunk: Buffer) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= 4) {
      const n = buf.readUInt32LE(off);
      if (buf.length - off < 4 + n) break;
      onRecord(buf.subarray(off + 4, off + 4 + n), buf.subarray(off, off + 4 + n));
      off += 4 + n;
    }
    pending = off < buf.length ? buf.subarray(off) : undefined;
    buf = Buffer.alloc(0);
  });
}

function main(): void {
  const [mode, path] = process.argv.slice(2);
  if ((mode !== "echo" && mode !== "sink") || !path) {
    process.stderr.write("usage: rpc-raw-peer <echo|sink> <path>\n");
    process.exit(2);
  }
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
  const server = createServer((socket) => {
    if (mode === "echo") {
      records(socket, (_body, whole) => socket.write(whole));
      return;
    }
    let count = 0;
    let first = 0n;
    records(socket, (body) => {
      if (body.length === 0) {
        const out = Buffer.alloc(20);
        out.writeUInt32LE(16, 0);
        out.writeDoubleLE(count, 4);
        out.writeDoubleLE(Number(process.hrtime.bigint() - first), 12);
        socket.write(out);
        count = 0;
        return;
      }
      if (count === 0) first = process.hrtime.bigint();
      count++;
    });
  });
  server.listen(path, () => process.stdout.write(`ready ${process.pid}\n`));
  process.on("SIGTERM", () => process.exit(0));
}

main();
