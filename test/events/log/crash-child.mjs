// Child process of crash.test.ts: appends persistent events to the log in
// argv[2] (group commit) and prints "ack <offset> <run> <i>" for each
// acknowledged one, until it is killed. Runs the built code in dist/.
import { EventLog } from "../../../dist/runtime/events/log/index.js";

const [dir, run, policy] = [process.argv[2], Number(process.argv[3]), process.argv[4] ?? "group"];
const log = await EventLog.open(dir, { fsync: policy, groupCommitMs: 2, segmentBytes: 64 * 1024 });
process.stdout.write(`ready ${log.nextOffset}\n`);
let i = 0;
for (;;) {
  const burst = [];
  for (let k = 0; k < 40; k++, i++) {
    const n = i;
    const event = {
      type: "event",
      messageId: BigInt(run * 1_000_000 + n + 1),
      correlationId: 0n,
      timestampNs: BigInt(Date.now()) * 1_000_000n + BigInt(n),
      body: { eventType: `crash.r${run}`, data: { run, i: n, pad: "p".repeat(n % 50) }, sourceId: BigInt(process.pid), priority: 0 },
    };
    burst.push(log.append(event).then((r) => process.stdout.write(`ack ${r.offset} ${run} ${n}\n`)));
  }
  await Promise.all(burst);
}
