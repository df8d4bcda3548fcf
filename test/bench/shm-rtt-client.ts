/**
 * The client process of the shm suite's round trips (shm.bench.ts):
 *
 *   node dist/test/bench/shm-rtt-client.js <uds endpoint> <shm spin endpoint> <shm endpoint> <spinUs> <calls> <rounds>
 *
 * Connects the generated CalculatorClient (examples/demo) to the three
 * endpoints of one rpc-peer.ts process (unix; shm with `spinUs`; shm without
 * spin), prints `ready <pid>`, runs the three series of `echo(64-byte
 * string)` calls in interleaved rounds (rpc.bench.ts `interleaved`) and
 * prints one JSON line: each series' p50 and p95 in µs. It is a process of
 * its own, not the bench process, so that it can be pinned to a CPU.
 */
import { connectRpc } from "../../runtime/rpc/connect.js";
import { CalculatorClient } from "../../examples/demo/generated/org.novade.demo.js";
import { ARG_64, interleaved, quantile } from "./rpc.bench.js";

async function main(): Promise<void> {
  const [udsPath, spinPath, nospinPath, spin, calls, rounds] = process.argv.slice(2);
  const n = Number(calls);
  const spinUs = Number(spin);
  const clients = [
    await connectRpc(udsPath, { transport: "unix" }),
    await connectRpc(spinPath, { transport: "shm", spinUs }),
    await connectRpc(nospinPath, { transport: "shm" }),
  ];
  const [uds, spinning, parked] = clients.map((c) => new CalculatorClient(c));
  process.stdout.write(`ready ${process.pid}\n`);
  const [udsLat, spinLat, nospinLat] = await interleaved(
    [
      { n, once: () => uds.echo(ARG_64) },
      { n, once: () => spinning.echo(ARG_64) },
      { n, once: () => parked.echo(ARG_64) },
    ],
    Number(rounds),
  );
  await Promise.allSettled(clients.map((c) => c.close(false)));
  const p = (lat: Float64Array) => ({ p50: quantile(lat, 0.5), p95: quantile(lat, 0.95) });
  process.stdout.write(`${JSON.stringify({ uds: p(udsLat), spin: p(spinLat), nospin: p(nospinLat) })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`shm-rtt-client: ${String(error)}\n`);
    process.exit(1);
  },
);
