/**
 * A protocol plugin: `chat`, text messages with a sender, as UTF-8 JSON. Version 1.1 added
 * `sentAt`; at 1.0 it is not sent, so a 1.2 peer still talks to a 1.0 one (the negotiation
 * picks the highest version both speak). examples/protocol-plugin/README.md walks through it.
 */
import { registerProtocolHandler, type ProtocolHandlerId, type ProtocolHandler, type ProtocolRegistry, type VersionSpec } from "../../runtime/protocol/index.js";

/** One chat message. */
export interface ChatMessage {
  from: string;
  text: string;
  /** Milliseconds since the epoch; from version 1.1 on. */
  sentAt?: number;
}

const toUtf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The codec: validate, encode and decode at a given version. */
export const chatHandler: ProtocolHandler<ChatMessage> = {
  supportedVersions: "1.0-1.2",
  validate(m, version) {
    const c = m as ChatMessage | null;
    return typeof c === "object" && c !== null && typeof c.from === "string" && typeof c.text === "string" && (version.minor === 0 || typeof c.sentAt === "number");
  },
  encode(m, version) {
    return toUtf8.encode(JSON.stringify(version.minor === 0 ? { from: m.from, text: m.text } : m));
  },
  decode(bytes) {
    return JSON.parse(fromUtf8.decode(bytes)) as ChatMessage;
  },
};

/** Registers `chat` in `versions` (default: all it speaks) with `registry` (default: the process-wide one). */
export function registerChat(versions: VersionSpec = "1.0-1.2", registry?: ProtocolRegistry): ProtocolHandlerId {
  return registerProtocolHandler("chat", chatHandler, versions, registry);
}
