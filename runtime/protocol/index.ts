/**
 * The protocol-handler layer (spec 5.1.4): pluggable protocol codecs with version ranges, a
 * registry (`nova` built in; `dbus` and `wayland` registered by their runtimes), messages of any
 * registered protocol over a NOVA channel, and version negotiation between two endpoints
 * (idl/WIRE.md §14). runtime/protocol/README.md documents it.
 */
export * from "./version.js";
export { checkHandler, PROTOCOL_NAME, type ProtocolHandlerId, type NegotiatedProtocol, type ProtocolHandler, type ProtocolInfo } from "./handler.js";
export { BUILTIN_PROTOCOLS, ProtocolRegistry, protocols, registerProtocolHandler, unregisterProtocolHandler, type ProtocolRegistryOptions, type RegisteredProtocol } from "./registry.js";
export { NOVA_PROTOCOL, NOVA_PROTOCOL_VERSIONS, isNovaMessage, novaHandler } from "./nova-handler.js";
export { ChannelEndpoint, MAX_QUEUED, type ChannelEndpointOptions, type ReceivedItem } from "./endpoint.js";
export {
  connectProtocolEndpoint,
  negotiateProtocol,
  receiveProtocolMessage,
  sendProtocolMessage,
  type ProtocolMessage,
  type ProtocolOffer,
  type ProtocolSendOptions,
} from "./operations.js";
export {
  answerNegotiation,
  chooseProtocol,
  decodeEnvelope,
  decodeNegotiationRequest,
  decodeNegotiationResult,
  encodeEnvelope,
  encodeNegotiationRequest,
  encodeNegotiationResult,
  MAX_OFFERS,
  NEGOTIATE_METHOD,
  PROTOCOL_EVENT,
  type Envelope,
} from "./wire-messages.js";
