/**
 * A standalone RPC server process for the RPC benchmarks and the transport
 * tests (peer crash, separate-process round trips):
 *
 *   node dist/test/bench/rpc-peer.js <unix|pipe> <endpoint>
 *
 * Serves the generated `org.novade.demo.Calculator` skeleton (examples/demo)
 * and the hand-written `nova.bench.Echo` service, prints `ready <pid>` on stdout,
 * and runs until it gets SIGTERM/SIGINT (clean close) or SIGKILL (the crash
 * tests); callers stop it by PID.
 */
import { serveRpc } from "../../runtime/rpc/connect.js";
import { IPCError } from "../../runtime/errors.js";
import type { ServiceDefinition } from "../../runtime/rpc/contract.js";
import type { TransportType } from "../../runtime/transport/types.js";
import { CalculatorEmitter, registerCalculator } from "../../examples/demo/generated/org.novade.demo.js";
import { createCalculator } from "../../examples/demo/calculator-service.js";

/** The benchmark/test service, as a generated skeleton would register it. */
export const ECHO_IFACE = "nova.bench.Echo";

let sinkCount = 0;

/** The service definition served by this process. */
export const echoService: ServiceDefinition = {
  iface: ECHO_IFACE,
  version: 1,
  methods: {
    echo: { handler: (args) => args[0] },
    /** Never answers: for timeouts, cancellation and crash tests. */
    hang: { handler: () => new Promise(() => undefined) },
    fail: {
      handler: (args) => {
        throw new IPCError("InvalidArgument", `fail(${String(args[0])})`, { context: { arg: args[0] } });
      },
    },
    /** Oneway sink: counts what arrives. */
    sink: { oneway: true, handler: () => void sinkCount++ },
    sinkCount: { handler: () => sinkCount },
    pid: { handler: () => process.pid },
  },
};

async function main(): Promise<void> {
  const [transport, endpoint] = process.argv.slice(2);
  if ((transport !== "unix" && transport !== "pipe" && transport !== "shm") || !endpoint) {
    process.stderr.write("usage: rpc-peer <unix|pipe|shm> <endpoint>\n");
    process.exit(2);
  }
  // NOVA_SHM_SPIN_US: the shm transport's opt-in spin (benchmarks measure with and without it).
  const spinUs = Number(process.env.NOVA_SHM_SPIN_US ?? 0);
  const served = await serveRpc(endpoint, { transport: transport as TransportType, bufferSize: 1_048_576, detectCycles: process.env.NOVA_NO_CYCLES !== "1", spinUs });
  served.server.register(echoService);
  registerCalculator(served.server, createCalculator(new CalculatorEmitter(served.server)));
  process.stdout.write(`ready ${process.pid}\n`);
  const stop = (): void => {
    served.close(false).finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  main().catch((error: unknown) => {
    process.stderr.write(`rpc-peer: ${String(error)}\n`);
    process.exit(1);
  });
}
