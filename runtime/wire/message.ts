/**
 * The message model of the NOVA wire format (spec 4.3; layout in idl/WIRE.md).
 * This file is the contract shared by the codecs, the frame decoder, the
 * transports and RPC: keep its exported names stable.
 */

/** Message type codes as written in header bytes 6..7 (low byte). */
export const MessageType = {
  Request: 1,
  Response: 2,
  Event: 3,
  Heartbeat: 4,
} as const;
/** A header type code (1..4 in version 1.0). */
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** How parameters, return values and event data are encoded. */
export type PayloadFormat = "msgpack" | "json";
/** How the body is compressed. */
export type CompressionType = "none" | "lz4" | "zstd";

/** Error details carried by a Response whose status is not 0. */
export interface ErrorDetails {
  /** An IPCErrorCode (`RemoteError` for IDL-declared errors). */
  code: string;
  message: string;
  /** For IDL-declared errors: the qualified error name. */
  errorName?: string;
  /** For IDL-declared errors: the error's fields; otherwise optional context. */
  data?: unknown;
}

/** Body of a Request (idl/WIRE.md 5.1). */
export interface RequestBody {
  method: string;
  params: unknown;
  timeoutMs: number;
  flags: number;
}

/** Body of a Response (idl/WIRE.md 5.2). */
export interface ResponseBody {
  /** 0 = success; otherwise see idl/WIRE.md "Status codes". */
  status: number;
  value: unknown;
  error: ErrorDetails | null;
  executionTimeUs: number;
}

/** Body of an Event (idl/WIRE.md 5.3). */
export interface EventBody {
  eventType: string;
  data: unknown;
  sourceId: bigint;
  /** 0..255 */
  priority: number;
}

/** Body of a Heartbeat: exactly 28 bytes on the wire (idl/WIRE.md 5.4). */
export interface HeartbeatBody {
  pid: bigint;
  loadAverage: number;
  memoryBytes: bigint;
  uptimeSeconds: bigint;
}

interface MessageCommon {
  /** Unique per sender (see idl/WIRE.md "Message ids"). */
  messageId: bigint;
  /** A Response carries its Request's id; 0 otherwise. */
  correlationId: bigint;
  /** Nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  /** Payload format; msgpack when omitted. */
  format?: PayloadFormat;
  /** Body compression; none when omitted. */
  compression?: CompressionType;
}

/** A Request message. */
export type RequestMessage = MessageCommon & { type: "request"; body: RequestBody };
/** A Response message; `correlationId` is the Request's id. */
export type ResponseMessage = MessageCommon & { type: "response"; body: ResponseBody };
/** An Event message. */
export type EventMessage = MessageCommon & { type: "event"; body: EventBody };
/** A Heartbeat message. */
export type HeartbeatMessage = MessageCommon & { type: "heartbeat"; body: HeartbeatBody };

/** Any NOVA message. */
export type Message = RequestMessage | ResponseMessage | EventMessage | HeartbeatMessage;
