// Quick append-throughput measurement (not part of the suite):
//   npm run build && node test/events/log/append-rate.mjs [count] [policy] [inflight]
// 64-byte payloads (the value section), group commit by default.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventLog } from "../../../dist/runtime/events/log/index.js";

const count = Number(process.argv[2] ?? 300_000);
const policy = process.argv[3] ?? "group";
const inflight = Number(process.argv[4] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), "nova-evlog-rate-"));
const payload = new Uint8Array(61); // msgpack bin8: 2-byte header + 61 = 63 B, plus nothing else ≈ 64 B section
const log = await EventLog.open(dir, { fsync: policy });
const event = (i) => ({
  type: "event",
  messageId: BigInt(i + 1),
  correlationId: 0n,
  timestampNs: 1_700_000_000_000_000_000n + BigInt(i),
  body: { eventType: "bench.persist", data: payload, sourceId: 1n, priority: 0 },
});
const t0 = process.hrtime.bigint();
let window = [];
for (let i = 0; i < count; i++) {
  window.push(log.append(event(i)));
  if (window.length >= inflight) {
    await Promise.all(window);
    window = [];
  }
}
await Promise.all(window);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ policy, count, inflight, seconds: +secs.toFixed(3), eventsPerSecond: Math.round(count / secs), writes: log.writeCount, fsyncs: log.fsyncCount }));
await log.close();
rmSync(dir, { recursive: true, force: true });
