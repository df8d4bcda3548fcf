/**
 * Message ids for RPC traffic: the wire format's per-process generator
 * (idl/WIRE.md "Message ids"), so ids are unique per sender and a
 * Response's correlation id finds its call in O(1).
 */
export { nextMessageId } from "../wire/message-id.js";
