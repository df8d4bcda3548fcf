/**
 * The demo server process: serves the generated Calculator skeleton on a Unix
 * socket and prints `ready <endpoint>` once it listens.
 *
 *   node dist/examples/demo/server.js <endpoint>
 */
import { serveRpc } from "../../runtime/rpc/connect.js";
import { createCalculator } from "./calculator-service.js";
import { CalculatorEmitter, registerCalculator } from "./generated/org.novade.demo.js";

async function main(): Promise<void> {
  const endpoint = process.argv[2];
  if (!endpoint) {
    process.stderr.write("usage: server <endpoint>\n");
    process.exit(2);
  }
  const served = await serveRpc(endpoint, { transport: "unix" });
  registerCalculator(served.server, createCalculator(new CalculatorEmitter(served.server)));
  process.stdout.write(`ready ${served.listener.endpoint}\n`);
  const stop = (): void => void served.close(true).finally(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo server: ${String(error)}\n`);
  process.exit(1);
});
