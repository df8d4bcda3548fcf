/**
 * Two processes speaking the `chat` plugin protocol over a Unix socket: they negotiate the
 * version first (idl/WIRE.md §14), then exchange chat messages in `@nova.protocol` envelopes.
 *
 *   node dist/examples/protocol-plugin/peer.js serve <endpoint> [versions]        prints "ready <endpoint>"
 *   node dist/examples/protocol-plugin/peer.js connect <endpoint> [versions] <text>
 *
 * `versions` is what this side registers, e.g. `1.0-1.2` (default) or `1.0`. The server answers
 * every message with its text in upper case; the client prints the outcome and exits 0, or prints
 * `error <code>: <message>` and exits 1 (NoCommonProtocol when the versions do not overlap).
 */
import { listen } from "../../runtime/transport/create-channel.js";
import { isIPCError } from "../../runtime/errors.js";
import { ChannelEndpoint, connectProtocolEndpoint, formatVersion, negotiateProtocol, receiveProtocolMessage, sendProtocolMessage } from "../../runtime/protocol/index.js";
import { registerChat, type ChatMessage } from "./chat-plugin.js";

const say = (line: string): boolean => process.stdout.write(`${line}\n`);

async function serve(endpoint: string, versions: string): Promise<void> {
  registerChat(versions);
  const listener = await listen(endpoint, "unix");
  listener.onConnection((channel) => {
    const peer = new ChannelEndpoint(channel);
    void (async () => {
      const agreed = await peer.whenNegotiated(30_000);
      say(`negotiated ${agreed.name} ${formatVersion(agreed.version)}`);
      for (;;) {
        const { message } = await receiveProtocolMessage<ChatMessage>("chat", peer, Infinity);
        say(`got ${message.from}: ${message.text}`);
        await sendProtocolMessage<ChatMessage>("chat", peer, { from: "server", text: message.text.toUpperCase(), sentAt: Date.now() });
      }
    })().catch((error: unknown) => {
      if (!isIPCError(error, "ChannelClosed")) say(`error ${isIPCError(error) ? error.code : "?"}: ${String(error)}`);
    });
  });
  say(`ready ${listener.endpoint}`);
  process.on("SIGTERM", () => void listener.close(false).finally(() => process.exit(0)));
}

async function connect(endpoint: string, versions: string, text: string): Promise<void> {
  registerChat(versions);
  const peer = await connectProtocolEndpoint(endpoint, "unix");
  try {
    const agreed = await negotiateProtocol(peer, [{ name: "chat", versions }], 10_000);
    say(`negotiated ${agreed.name} ${formatVersion(agreed.version)}`);
    await sendProtocolMessage<ChatMessage>("chat", peer, { from: `client ${process.pid}`, text, sentAt: Date.now() });
    const reply = await receiveProtocolMessage<ChatMessage>("chat", peer, 10_000);
    say(`reply ${reply.message.from}: ${reply.message.text} (v${formatVersion(reply.version)}, sentAt ${reply.message.sentAt === undefined ? "absent" : "present"})`);
  } finally {
    await peer.close();
  }
}

const [mode, endpoint, ...rest] = process.argv.slice(2);
const versions = rest.length > (mode === "connect" ? 1 : 0) ? rest[0]! : "1.0-1.2";
const run = mode === "serve" && endpoint ? serve(endpoint, versions) : mode === "connect" && endpoint ? connect(endpoint, versions, rest.at(-1) ?? "hello") : undefined;
if (!run) {
  process.stderr.write("usage: peer serve <endpoint> [versions] | peer connect <endpoint> [versions] <text>\n");
  process.exit(2);
}
run.catch((error: unknown) => {
  say(`error ${isIPCError(error) ? error.code : "?"}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
