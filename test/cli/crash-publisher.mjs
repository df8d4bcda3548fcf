// Publisher process of bus-crash.test.ts. On each "go" line on stdin it connects to the bus at
// argv[2] and streams persistent events {seq} on topic crash.seq, `argv[3]` (default 16)
// acknowledged emits in flight, until the connection is lost; then it prints "end <last seq
// sent>" and waits for the next "go" ("quit" ends it). Sequence numbers only grow: an emit that
// was not acknowledged is never sent again. Stdout, one line each, in order:
//   connected <connection id> | ack <seq> <offset> | nack <seq> <error code> | end <last seq sent>
// Runs the built code in dist/.
import { createInterface } from "node:readline";
import { connectBus } from "../../dist/runtime/bus/index.js";

const socket = process.argv[2];
const window = Number(process.argv[3] ?? 16);
let seq = 0;
const out = (line) => process.stdout.write(line + "\n");

for await (const command of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (command === "quit") break;
  if (command !== "go") continue;
  const client = await connectBus(socket, { onError: () => undefined, callTimeoutMs: 15_000 });
  out(`connected ${client.id}`);
  const inflight = [];
  let lost = false;
  while (!lost || inflight.length > 0) {
    while (!lost && inflight.length < window) {
      const s = ++seq;
      const settled = client.emit("crash.seq", { seq: s }, { persist: true }).then(
        (receipt) => ({ receipt }),
        (error) => ({ error }),
      );
      inflight.push({ s, settled });
    }
    const { s, settled } = inflight.shift();
    const outcome = await settled;
    if (outcome.receipt !== undefined) {
      out(`ack ${s} ${outcome.receipt.offset}`);
    } else {
      lost = true;
      out(`nack ${s} ${outcome.error?.code ?? String(outcome.error)}`);
    }
  }
  out(`end ${seq}`);
  await client.close(false).catch(() => undefined);
}
// Stop reading: an open stdin pipe would keep the process alive.
process.stdin.destroy();
