/**
 * The reply uses the request's payload format (runtime/rpc/README.md, "Wire
 * protocol for peers"): a peer that speaks only JSON gets JSON responses,
 * error responses, and the events of the signals it subscribed to in JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveRpc, type RpcEndpoint } from "../../runtime/rpc/connect.js";
import { createChannel } from "../../runtime/transport/create-channel.js";
import type { Channel } from "../../runtime/transport/types.js";
import type { Message, PayloadFormat, RequestMessage } from "../../runtime/wire/message.js";
import { endpointIn, makeTempDir, removeDir } from "../transport/helpers.js";

const IFACE = "test.format.Svc";

/** A raw channel that records what arrives, so the test sees each frame's format. */
async function rawPeer(endpoint: string): Promise<{ channel: Channel; next(type: Message["type"]): Promise<Message> }> {
  const channel = await createChannel(endpoint, "unix");
  const inbox: Message[] = [];
  const waiting: Array<() => void> = [];
  channel.setHandler({
    onMessage: (m) => {
      inbox.push(m);
      waiting.splice(0).forEach((wake) => wake());
    },
    onClose: () => undefined,
  });
  const next = async (type: Message["type"]): Promise<Message> => {
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0];
      await new Promise<void>((wake) => waiting.push(wake));
    }
  };
  return { channel, next };
}

let seq = 1000n;
function request(method: string, params: unknown[], format: PayloadFormat, flags = 0): RequestMessage {
  return { type: "request", messageId: ++seq, correlationId: 0n, timestampNs: 0n, format, body: { method, params, timeoutMs: 1000, flags } };
}

describe("the reply uses the request's format", () => {
  let dir: string;
  let served: RpcEndpoint;

  beforeAll(async () => {
    dir = makeTempDir();
    served = await serveRpc(endpointIn(dir, "unix"), { transport: "unix" });
    served.server.register({
      iface: IFACE,
      version: 1,
      methods: {
        sizes: { handler: () => new Map<unknown, unknown>([[1, "one"], [2n, 2n ** 60n]]) },
        fail: {
          handler: () => {
            throw new Error("no");
          },
        },
      },
    });
  });
  afterAll(async () => {
    await served.close(false).catch(() => undefined);
    removeDir(dir);
  });

  it("a JSON request gets a JSON response and a JSON error response; msgpack gets msgpack", async () => {
    const peer = await rawPeer(served.listener.endpoint);
    for (const format of ["json", "msgpack"] as const) {
      const ok = request(`${IFACE}.sizes`, [], format);
      await peer.channel.send(ok);
      const reply = await peer.next("response");
      expect(reply.format).toBe(format);
      expect(reply.correlationId).toBe(ok.messageId);
      expect(reply.type === "response" && reply.body.value).toEqual({ "1": "one", "2": 2n ** 60n });

      const bad = request(`${IFACE}.fail`, [], format);
      await peer.channel.send(bad);
      const error = await peer.next("response");
      expect(error.format).toBe(format);
      expect(error.type === "response" && error.body).toMatchObject({ status: 1, error: { code: "RemoteError" } });

      const missing = request(`${IFACE}.nope`, [], format);
      await peer.channel.send(missing);
      const notFound = await peer.next("response");
      expect(notFound.format).toBe(format);
      expect(notFound.type === "response" && notFound.body.error?.code).toBe("MethodNotFound");
    }
    await peer.channel.close(false);
  });

  it("events follow the format of each connection's subscribe request", async () => {
    const jsonPeer = await rawPeer(served.listener.endpoint);
    const msgpackPeer = await rawPeer(served.listener.endpoint);
    await jsonPeer.channel.send(request("@nova.subscribe", [IFACE, "ping"], "json", 1));
    await msgpackPeer.channel.send(request("@nova.subscribe", [IFACE, "ping"], "msgpack", 1));
    // Requests on one connection are handled in order: once a later call is answered, the subscription holds.
    await jsonPeer.channel.send(request(`${IFACE}.sizes`, [], "json"));
    await msgpackPeer.channel.send(request(`${IFACE}.sizes`, [], "msgpack"));
    await jsonPeer.next("response");
    await msgpackPeer.next("response");
    served.server.emit(IFACE, "ping", [7n, "x"]);
    const [a, b] = await Promise.all([jsonPeer.next("event"), msgpackPeer.next("event")]);
    expect(a.format).toBe("json");
    expect(b.format).toBe("msgpack");
    for (const event of [a, b]) expect(event.type === "event" && event.body).toMatchObject({ eventType: `${IFACE}.ping`, data: [7n, "x"] });
    await jsonPeer.channel.close(false);
    await msgpackPeer.channel.close(false);
  });
});
