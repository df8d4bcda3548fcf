/**
 * RpcServer answers `@nova.negotiate` (idl/WIRE.md §14) from its protocol registry, so a
 * runtime/protocol initiator negotiates with a plain RPC server and the channel stays usable for
 * calls; malformed offers and offers with nothing in common get the spec's errors.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerChat } from "../../examples/protocol-plugin/chat-plugin.js";
import { connectProtocolEndpoint, negotiateProtocol, ProtocolRegistry, type ChannelEndpoint } from "../../runtime/protocol/index.js";
import { connectRpc, serveRpc, type RpcEndpoint } from "../../runtime/rpc/connect.js";
import { settledCode } from "../helpers/ipc-error.js";
import { endpointIn, makeTempDir, removeDir } from "../transport/helpers.js";

const IFACE = "test.negotiate.Svc";

describe("RpcServer answers @nova.negotiate", () => {
  let dir: string;
  let served: RpcEndpoint;
  let endpoint: ChannelEndpoint | undefined;

  beforeEach(async () => {
    dir = makeTempDir("nova-rpc-negotiate-");
    const registry = new ProtocolRegistry();
    registerChat("1.0-1.2", registry);
    served = await serveRpc(endpointIn(dir, "unix"), { transport: "unix", protocols: registry });
    served.server.register({ iface: IFACE, version: 1, methods: { twice: { handler: ([n]) => (n as number) * 2 } } });
  });
  afterEach(async () => {
    await endpoint?.close().catch(() => undefined);
    endpoint = undefined;
    await served.close(false);
    removeDir(dir);
  });

  it("picks the first offered protocol it speaks, at the highest common version", async () => {
    endpoint = await connectProtocolEndpoint(served.listener.endpoint, "unix", { registry: new ProtocolRegistry() });
    const chosen = await negotiateProtocol(endpoint, [{ name: "video", versions: "1.0" }, { name: "chat", versions: "1.1-2.0" }], 5000);
    expect(chosen).toEqual({ name: "chat", version: { major: 1, minor: 2 } });
    const nova = await negotiateProtocol(endpoint, [{ name: "nova", versions: "1.0-9.0" }], 5000);
    expect(nova.name).toBe("nova");
  });

  it("nothing in common is NoCommonProtocol, a malformed offer MessageValidationFailed; calls still work", async () => {
    const client = await connectRpc(served.listener.endpoint, { transport: "unix" });
    try {
      expect(await settledCode(client.call("@nova", "negotiate", [[{ name: "chat", min: [2, 0], max: [3, 0] }]], { timeoutMs: 5000 }))).toBe("NoCommonProtocol");
      expect(await settledCode(client.call("@nova", "negotiate", [[{ name: "chat", min: [1, 2], max: [1, 0] }]], { timeoutMs: 5000 }))).toBe("MessageValidationFailed");
      expect(await settledCode(client.call("@nova", "negotiate", [], { timeoutMs: 5000 }))).toBe("MessageValidationFailed");
      expect(await client.call("@nova", "negotiate", [[{ name: "chat", min: [1, 0], max: [1, 1] }]], { timeoutMs: 5000 })).toEqual({ name: "chat", version: [1, 1] });
      expect(await client.call(IFACE, "twice", [21], { timeoutMs: 5000 })).toBe(42);
    } finally {
      await client.close(false);
    }
  });
});
