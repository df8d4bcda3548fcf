/**
 * send/receive_protocol_message and negotiate_protocol over real Unix-socket channels, with
 * well-behaved endpoints on both sides and with raw channels playing broken or hostile peers.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IPCError } from "../../runtime/errors.js";
import {
  ChannelEndpoint,
  encodeEnvelope,
  MAX_QUEUED,
  encodeNegotiationRequest,
  NEGOTIATE_METHOD,
  negotiateProtocol,
  PROTOCOL_EVENT,
  ProtocolRegistry,
  receiveProtocolMessage,
  sendProtocolMessage,
  type ProtocolHandler,
} from "../../runtime/protocol/index.js";
import { createChannel, listen } from "../../runtime/transport/create-channel.js";
import type { Channel, Listener } from "../../runtime/transport/types.js";
import type { Message, RequestMessage, ResponseMessage } from "../../runtime/wire/message.js";
import { settledCode } from "../helpers/ipc-error.js";
import { endpointIn, eventMessage, makeTempDir, removeDir } from "../transport/helpers.js";

interface Chat {
  text: string;
}
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const chat: ProtocolHandler<Chat> = {
  validate: (m) => typeof (m as Chat | null)?.text === "string",
  encode: (m) => enc.encode(JSON.stringify(m)),
  decode: (b) => JSON.parse(dec.decode(b)) as Chat,
};

function registry(chatVersions?: string): ProtocolRegistry {
  const r = new ProtocolRegistry();
  if (chatVersions) r.register("chat", chat, chatVersions);
  return r;
}

let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(() => {
  dir = makeTempDir("nova-protocol-");
});
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
  removeDir(dir);
});

async function listening(): Promise<{ listener: Listener; accepted: Promise<Channel> }> {
  const listener = await listen(endpointIn(dir, "unix"), "unix");
  cleanups.push(() => listener.close(false));
  const accepted = new Promise<Channel>((resolve) => listener.onConnection(resolve));
  return { listener, accepted };
}

/** Two endpoints joined by a Unix socket, each with its own registry. */
async function pair(serverChat?: string, clientChat?: string): Promise<{ server: ChannelEndpoint; client: ChannelEndpoint }> {
  const { listener, accepted } = await listening();
  const client = new ChannelEndpoint(await createChannel(listener.endpoint, "unix"), registry(clientChat));
  cleanups.push(() => client.close());
  return { server: new ChannelEndpoint(await accepted, registry(serverChat)), client };
}

/** A client endpoint whose server side is a raw channel the test drives by hand. */
async function rawServer(clientChat = "1.0-1.4"): Promise<{ raw: Channel; client: ChannelEndpoint }> {
  const { listener, accepted } = await listening();
  const client = new ChannelEndpoint(await createChannel(listener.endpoint, "unix"), registry(clientChat));
  cleanups.push(() => client.close());
  return { raw: await accepted, client };
}

function envelope(data: unknown, id = 99n): Message {
  return { type: "event", messageId: id, correlationId: 0n, timestampNs: 1n, body: { eventType: PROTOCOL_EVENT, data, sourceId: 0n, priority: 128 } };
}

function reply(to: RequestMessage, value: unknown, error: ResponseMessage["body"]["error"] = null): ResponseMessage {
  return { type: "response", messageId: 1000n + to.messageId, correlationId: to.messageId, timestampNs: 1n, body: { status: error ? 1 : 0, value, error, executionTimeUs: 0 } };
}

describe("negotiation between two endpoints", () => {
  it("agrees on the highest common version, and both sides know it", async () => {
    const { server, client } = await pair("1.0-1.4", "1.2-2.0");
    const agreed = await negotiateProtocol(client, [{ name: "chat", versions: "1.2-2.0" }], 10_000);
    expect(agreed).toEqual({ name: "chat", version: { major: 1, minor: 4 } });
    expect(client.negotiated).toEqual(agreed);
    expect(await server.whenNegotiated(10_000)).toEqual(agreed);
  });

  it("offers the registry's protocols in registration order by default (nova first)", async () => {
    const { server, client } = await pair("1.0", "1.0");
    expect(await negotiateProtocol(client, undefined, 10_000)).toEqual({ name: "nova", version: { major: 1, minor: 0 } });
    expect(server.negotiated).toEqual({ name: "nova", version: { major: 1, minor: 0 } });
  });

  it("rejects with NoCommonProtocol when no offered version overlaps, and the responder agrees on nothing", async () => {
    const { server, client } = await pair("1.0-1.1", "2.0");
    const error = await negotiateProtocol(client, [{ name: "chat", versions: "2.0-2.3" }, { name: "other", versions: "1.0" }], 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IPCError);
    expect((error as IPCError).code).toBe("NoCommonProtocol");
    expect(server.negotiated).toBeUndefined();
    expect(await settledCode(server.whenNegotiated(50))).toBe("TimeoutExpired");
  });

  it("refuses malformed offers locally before sending", async () => {
    const { client } = await pair("1.0", "1.0");
    expect(await settledCode(negotiateProtocol(client, [{ name: "chat", versions: "2.0-1.0" }]))).toBe("UnsupportedProtocolVersion");
    expect(await settledCode(negotiateProtocol(client, [{ name: "no name", versions: "1.0" }]))).toBe("InvalidArgument");
    expect(client.negotiated).toBeUndefined();
  });
});

describe("negotiation with broken peers", () => {
  it("a peer that predates negotiation (MethodNotFound, as RpcServer answered before it knew @nova.negotiate) gives NegotiationFailed", async () => {
    const { raw, client } = await rawServer();
    const pending = negotiateProtocol(client, undefined, 10_000).catch((e: unknown) => e);
    const request = (await raw.receive(10_000)) as RequestMessage;
    await raw.send(reply(request, null, { code: "MethodNotFound", message: "no control request @nova.negotiate" }));
    const error = (await pending) as IPCError;
    expect(error.code).toBe("NegotiationFailed");
    expect(error.message).toContain("predates @nova.negotiate");
  });

  it("an answer naming a protocol or version that was not offered, or malformed, gives NegotiationFailed", async () => {
    const { raw, client } = await rawServer();
    for (const value of [{ name: "dbus", version: [1, 0] }, { name: "chat", version: [1, 9] }, { name: "chat" }, "chat 1.0"]) {
      const pending = negotiateProtocol(client, [{ name: "chat", versions: "1.0-1.4" }], 10_000);
      const request = (await raw.receive(10_000)) as RequestMessage;
      expect(request.body.method).toBe(NEGOTIATE_METHOD);
      await raw.send(reply(request, value));
      expect(await settledCode(pending), JSON.stringify(value)).toBe("NegotiationFailed");
    }
    expect(client.negotiated).toBeUndefined();
  });

  it("a peer that never answers gives TimeoutExpired; one that hangs up gives EndpointUnreachable", async () => {
    const { raw, client } = await rawServer();
    expect(await settledCode(negotiateProtocol(client, undefined, 150))).toBe("TimeoutExpired");
    const pending = negotiateProtocol(client, undefined, 10_000);
    await raw.receive(10_000);
    await raw.receive(10_000);
    await raw.close(false);
    expect(await settledCode(pending)).toBe("EndpointUnreachable");
    expect(await settledCode(negotiateProtocol(client, undefined, 10_000))).toBe("EndpointUnreachable");
  });

  it("the responder answers malformed offers with MessageValidationFailed and ignores oneway requests", async () => {
    const { listener, accepted } = await listening();
    const raw = await createChannel(listener.endpoint, "unix");
    cleanups.push(() => raw.close(false));
    const server = new ChannelEndpoint(await accepted, registry("1.0"));
    const request = (id: bigint, params: unknown, flags = 0): RequestMessage => ({
      type: "request",
      messageId: id,
      correlationId: 0n,
      timestampNs: 1n,
      format: "json",
      body: { method: NEGOTIATE_METHOD, params, timeoutMs: 0, flags },
    });
    await raw.send(request(1n, [[{ name: "chat", min: [1, 0], max: [1, 0] }]], 1)); // oneway: no reply
    await raw.send(request(2n, [[{ name: "chat", min: [3, 0], max: [1, 0] }]]));
    await raw.send(request(3n, "chat"));
    await raw.send(request(4n, encodeNegotiationRequest([{ name: "chat", versions: { min: { major: 1, minor: 0 }, max: { major: 1, minor: 0 } } }])));
    const answers = [(await raw.receive(10_000)) as ResponseMessage, (await raw.receive(10_000)) as ResponseMessage, (await raw.receive(10_000)) as ResponseMessage];
    expect(answers.map((a) => [a.correlationId, a.format, a.body.error?.code ?? a.body.value])).toEqual([
      [2n, "json", "MessageValidationFailed"],
      [3n, "json", "MessageValidationFailed"],
      [4n, "json", { name: "chat", version: [1, 0] }],
    ]);
    expect(answers[0]!.body.error?.data).toMatchObject({ path: ["params", 0, 0] });
    expect(server.negotiated).toEqual({ name: "chat", version: { major: 1, minor: 0 } });
  });
});

describe("protocol messages over a channel", () => {
  it("carries a custom protocol both ways at the negotiated version, and nova messages as themselves", async () => {
    const { server, client } = await pair("1.0-1.4", "1.0-1.2");
    await negotiateProtocol(client, [{ name: "chat", versions: "1.0-1.2" }], 10_000);
    const id = await sendProtocolMessage<Chat>("chat", client, { text: "héllo" });
    expect(id).toBeGreaterThan(0n);
    const got = await receiveProtocolMessage<Chat>("chat", server, 10_000);
    expect(got).toEqual({ protocol: "chat", version: { major: 1, minor: 2 }, messageId: id, message: { text: "héllo" } });
    await sendProtocolMessage<Chat>("chat", server, { text: "back" }, { version: "1.1" });
    expect(await receiveProtocolMessage<Chat>("chat", client, 10_000)).toMatchObject({ version: { major: 1, minor: 1 }, message: { text: "back" } });

    const event = eventMessage(41, { n: [1, 2] });
    expect(await sendProtocolMessage("nova", client, event)).toBe(41n);
    const nova = await receiveProtocolMessage<Message>("nova", server, 10_000);
    expect(nova.message).toMatchObject({ type: "event", messageId: 41n, body: { eventType: "test.data", data: { n: [1, 2] } } });
  });

  it("fails with the spec's errors on the sending side", async () => {
    const { client } = await pair("1.0", "1.0-1.2");
    expect(await settledCode(sendProtocolMessage("mqtt", client, {}))).toBe("ProtocolNotRegistered");
    expect(await settledCode(sendProtocolMessage("chat", client, { txt: "typo" }))).toBe("MessageValidationFailed");
    expect(await settledCode(sendProtocolMessage("chat", client, { text: "x" }, { version: "1.3" }))).toBe("UnsupportedProtocolVersion");
    client.registry.register("broken", { validate: () => true, encode: () => { throw new Error("boom"); }, decode: () => 0 }, "1.0");
    expect(await settledCode(sendProtocolMessage("broken", client, 1))).toBe("ProtocolError");
    client.registry.register("liar", { validate: () => true, encode: () => "bytes" as never, decode: () => 0 }, "1.0");
    expect(await settledCode(sendProtocolMessage("liar", client, 1))).toBe("ProtocolError");
    await client.close();
    expect(await settledCode(sendProtocolMessage("chat", client, { text: "x" }))).toBe("EndpointUnreachable");
    expect(await settledCode(receiveProtocolMessage("chat", client, 10_000))).toBe("ChannelClosed");
  });

  it("fails with the spec's errors on the receiving side, and each bad message costs only itself", async () => {
    const { raw, client } = await rawServer("1.0-1.4");
    expect(await settledCode(receiveProtocolMessage("mqtt", client, 10))).toBe("ProtocolNotRegistered");
    expect(await settledCode(receiveProtocolMessage("chat", client, 50))).toBe("TimeoutExpired");
    const good = (text: string, minor = 0): Message => envelope(encodeEnvelope("chat", { major: 1, minor }, enc.encode(JSON.stringify({ text }))));
    await raw.send(envelope(encodeEnvelope("chat", { major: 1, minor: 0 }, Uint8Array.of(0xff, 0xfe)))); // not UTF-8
    await raw.send(envelope(["chat", "1.0", new Uint8Array(1)])); // malformed envelope
    await raw.send(envelope(encodeEnvelope("chat", { major: 1, minor: 0 }, enc.encode('{"txt":1}')))); // decodes, invalid
    await raw.send(good("too new", 5)); // outside 1.0-1.4
    await raw.send(envelope(encodeEnvelope("unknown", { major: 1, minor: 0 }, new Uint8Array(2)))); // not registered here: dropped
    await raw.send(good("fine", 3));
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await settledCode(receiveProtocolMessage("chat", client, 10_000)));
    expect(codes).toEqual(["MessageCorrupted", "MessageCorrupted", "MessageValidationFailed", "ProtocolError"]);
    expect((await receiveProtocolMessage<Chat>("chat", client, 10_000)).message).toEqual({ text: "fine" });
    expect(client.dropped).toBe(1);
  });

  it("a receive that timed out does not swallow the message that arrives after it", async () => {
    const { server, client } = await pair("1.0", "1.0");
    expect(await settledCode(receiveProtocolMessage("chat", server, 30))).toBe("TimeoutExpired");
    const waiting = receiveProtocolMessage<Chat>("chat", server, 10_000);
    await sendProtocolMessage<Chat>("chat", client, { text: "one" });
    await sendProtocolMessage<Chat>("chat", client, { text: "two" });
    expect((await waiting).message.text).toBe("one");
    expect((await receiveProtocolMessage<Chat>("chat", server, 10_000)).message.text).toBe("two");
  });

  it("a flood stops the endpoint reading at MAX_QUEUED waiting items; receiving resumes it and nothing is lost", async () => {
    const { server, client } = await pair("1.0", "1.0");
    const total = MAX_QUEUED + 5000;
    const sends = Promise.all(Array.from({ length: total }, (_, i) => sendProtocolMessage<Chat>("chat", client, { text: String(i) }, { timeoutMs: 60_000 })));
    // Wait until the server has read as much as it will while nobody receives.
    let last = -1;
    while (server.channel.status().messagesReceived !== last) {
      last = server.channel.status().messagesReceived;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(last).toBeGreaterThanOrEqual(MAX_QUEUED);
    expect(last).toBeLessThan(total);
    for (let i = 0; i < total; i++) expect((await receiveProtocolMessage<Chat>("chat", server, 20_000)).message.text).toBe(String(i));
    expect(new Set(await sends).size).toBe(total);
  }, 60_000);
});
