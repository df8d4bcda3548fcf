/**
 * The raw baseline peer: a Unix socket read and written exactly as our
 * transport does it (./raw-io.ts: `onread` into a reused buffer, direct
 * writes from the addon), with a 4-byte little-endian length prefix and no
 * NOVA framing, codec or RPC at all.
 *
 *   node dist/test/bench/rpc-raw-peer.js echo <path>   # echoes every record
 *   node dist/test/bench/rpc-raw-peer.js sink <path>   # counts records; an empty
 *       record ends a run and is answered with 16 bytes: count (f64), elapsed ns (f64)
 *
 * Prints `ready <pid>` when listening; stopped by PID.
 */
import { unlinkSync } from "node:fs";
import type { Socket } from "node:net";
import { listenRecords, writeRecords, type OnRecords } from "./raw-io.js";

/** Sends every run of records back as it came, with one write. */
function echo(socket: Socket): OnRecords {
  return (bytes, start, end) => void writeRecords(socket, bytes, start, end);
}

/** Counts records; an empty one is answered with the count and the time since the first. */
function sink(socket: Socket): OnRecords {
  let count = 0;
  let first = 0n;
  const answer = Buffer.alloc(20);
  return (bytes, start, end) => {
    for (let p = start; p < end; ) {
      const len = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
      p += 4 + len;
      if (len !== 0) {
        if (count === 0) first = process.hrtime.bigint();
        count++;
        continue;
      }
      answer.writeUInt32LE(16, 0);
      answer.writeDoubleLE(count, 4);
      answer.writeDoubleLE(Number(process.hrtime.bigint() - first), 12);
      writeRecords(socket, answer, 0, answer.length);
      count = 0;
    }
  };
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
  listenRecords(path, mode === "echo" ? echo : sink, () => process.stdout.write(`ready ${process.pid}\n`));
  process.on("SIGTERM", () => process.exit(0));
}

main();
