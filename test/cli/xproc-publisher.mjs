// Publisher process of bus-xproc.test.ts: reads one {"topic", "data"} JSON object per stdin
// line and publishes it on the bus at argv[2] fire-and-forget (BusClient.publish, FIFO per
// publisher), then emits "xproc.done" and waits for its acknowledgement: the daemon handles a
// connection's frames in order, so every event before it has been routed. Prints "done N".
// Runs the built code in dist/.
import { createInterface } from "node:readline";
import { connectBus } from "../../dist/runtime/bus/index.js";

const client = await connectBus(process.argv[2]);
let n = 0;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === "") continue;
  const { topic, data } = JSON.parse(line);
  client.publish(topic, data);
  if (++n % 256 === 0) await client.writable();
}
await client.emit("xproc.done", n);
process.stdout.write(`done ${n}\n`);
await client.close();
