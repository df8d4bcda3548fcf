// Cost of one recvmsg through the addon: recvFds (a { bytes, fds } object per
// call) against recvFdsInto (bytes returned, descriptors into a reused
// Int32Array). Not a test and not part of `npm run bench`: a before/after
// figure for the addon change. Run after `npm run build`:
//   node scripts/recvfds-bench.mjs [rounds]
// Prints ns per synchronous round trip (8 bytes each way over a socketpair,
// as a wl_display.sync and its done) and per recvmsg of an 8-byte message.
import { closeSync } from "node:fs";
import { loadNative } from "../dist/native/index.js";

const n = loadNative();
const rounds = Number(process.argv[2] ?? 200_000);
const [a, b] = n.socketPair();
const msg = new Uint8Array(8);
const buf = Buffer.allocUnsafe(65536);
const fdsOut = new Int32Array(254);
const variants = { recvFds: (fd) => n.recvFds(fd, buf, 0, buf.length).bytes };
if (typeof n.recvFdsInto === "function") variants.recvFdsInto = (fd) => n.recvFdsInto(fd, buf, 0, buf.length, fdsOut);

function roundTrips(recv, count) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    n.sendFds(a, msg, []);
    if (recv(b) !== 8) throw new Error("short read");
    n.sendFds(b, msg, []);
    if (recv(a) !== 8) throw new Error("short read");
  }
  return Number(process.hrtime.bigint() - t) / count;
}

function receives(recv, count) {
  // Queue 100 messages (more could fill the socket), then time only the receives, each of
  // exactly one message (8 bytes of room).
  let total = 0n;
  for (let done = 0; done < count; done += 100) {
    for (let i = 0; i < 100; i++) n.sendFds(a, msg, []);
    const t = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) if (recv(b) !== 8) throw new Error("short read");
    total += process.hrtime.bigint() - t;
  }
  return Number(total) / count;
}

const small = {
  recvFds: (fd) => n.recvFds(fd, buf, 0, 8).bytes,
  recvFdsInto: (fd) => n.recvFdsInto(fd, buf, 0, 8, fdsOut),
};
for (const name of Object.keys(variants)) {
  roundTrips(variants[name], 20_000); // warm-up
  receives(small[name], 20_000);
}
for (let rep = 0; rep < 3; rep++) {
  for (const name of Object.keys(variants)) {
    const rt = roundTrips(variants[name], rounds);
    const rx = receives(small[name], rounds);
    console.log(`${name.padEnd(12)} round trip ${rt.toFixed(0).padStart(6)} ns   recvmsg of 8 bytes ${rx.toFixed(0).padStart(5)} ns`);
  }
}
closeSync(a);
closeSync(b);
