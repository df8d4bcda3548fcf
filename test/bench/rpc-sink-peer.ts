/**
 * The receiving side of `msgs_uds_per_s_64b`: a NOVA listener that decodes
 * every frame (header, CRC, body) and counts messages. An Event of type
 * `bench.end` ends a run; it is answered with an Event `bench.result` whose
 * data is `[count, elapsedNs]`, timed from the first message of the run.
 *
 *   node dist/test/bench/rpc-sink-peer.js <unix|pipe|shm> <endpoint> [<ChannelOptions as JSON>]
 */
import { listen } from "../../runtime/transport/create-channel.js";
import { TRANSPORT_TYPES, type Channel, type ChannelOptions, type TransportType } from "../../runtime/transport/types.js";
import type { Message } from "../../runtime/wire/message.js";

/** Event type that ends a run. */
export const END_EVENT = "bench.end";
/** Event type of the answer. */
export const RESULT_EVENT = "bench.result";

function serve(channel: Channel): void {
  let count = 0;
  let first = 0n;
  channel.setHandler({
    onMessage(message: Message) {
      if (message.type === "event" && message.body.eventType === END_EVENT) {
        const elapsed = Number(process.hrtime.bigint() - first);
        void channel.send({
          type: "event",
          messageId: 1n,
          correlationId: 0n,
          timestampNs: 0n,
          body: { eventType: RESULT_EVENT, data: [count, elapsed], sourceId: 0n, priority: 0 },
        });
        count = 0;
        return;
      }
      if (count === 0) first = process.hrtime.bigint();
      count++;
    },
  });
}

async function main(): Promise<void> {
  const [transport, endpoint, options] = process.argv.slice(2);
  if (!(TRANSPORT_TYPES as readonly string[]).includes(transport) || !endpoint) {
    process.stderr.write("usage: rpc-sink-peer <unix|pipe|shm> <endpoint> [<ChannelOptions as JSON>]\n");
    process.exit(2);
  }
  // NOVA_SHM_SPIN_US: the shm transport's opt-in spin (as in rpc-peer) unless the options set spinUs.
  const channelOptions = { spinUs: Number(process.env.NOVA_SHM_SPIN_US ?? 0), ...(JSON.parse(options ?? "{}") as ChannelOptions) };
  const listener = await listen(endpoint, transport as TransportType, { ...channelOptions, bufferSize: 1_048_576 });
  listener.onConnection(serve);
  process.stdout.write(`ready ${process.pid}\n`);
  process.on("SIGTERM", () => void listener.close(false).finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`rpc-sink-peer: ${String(error)}\n`);
  process.exit(1);
});
