/**
 * The JSON form of a message used by `nova wire encode|decode` and tools:
 * u64 fields as decimal strings, values (params, value, data, error data) in
 * the tagged JSON of idl/WIRE.md "JSON tags". Input is checked strictly —
 * unknown keys and out-of-range numbers are errors — so a typo never turns
 * into a silently different frame.
 */
import { fromTaggedJson, toTaggedJson } from "../codec/value-json.js";
import { IPCError } from "../errors.js";
import { shortestF32 } from "./body.js";
import { COMPRESSION_CODES, FORMAT_CODES, U64_MAX } from "./constants.js";
import type { CompressionType, ErrorDetails, Message, PayloadFormat } from "./message.js";

/** A message as plain JSON (see the module comment). */
export type MessageJson = Record<string, unknown>;

function invalid(path: string, what: string): never {
  throw new IPCError("MessageValidationFailed", `${path}: ${what}`, { context: { path } });
}

function object(v: unknown, path: string, keys: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) invalid(path, "must be an object");
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) invalid(`${path}.${k}`, "unknown field");
  for (const k of keys) if (!(k in o)) invalid(`${path}.${k}`, "is required");
  return o;
}

function u64(v: unknown, path: string): bigint {
  if (typeof v === "string" && /^(0|[1-9][0-9]*)$/.test(v)) {
    const n = BigInt(v);
    if (n <= U64_MAX) return n;
  }
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  return invalid(path, 'must be a decimal string of an unsigned 64-bit integer, e.g. "42"');
}

function uint(v: unknown, path: string, max: number): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max) return v;
  return invalid(path, `must be an integer in 0..${max}`);
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string") invalid(path, "must be a string");
  return v as string;
}

function value(v: unknown, path: string): unknown {
  try {
    return fromTaggedJson(v);
  } catch (cause) {
    throw new IPCError("MessageValidationFailed", `${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, context: { path } });
  }
}

function errorDetails(v: unknown, path: string): ErrorDetails | null {
  if (v === null) return null;
  const o = object(v, path, ["code", "message"], ["errorName", "data"]);
  const out: ErrorDetails = { code: str(o.code, `${path}.code`), message: str(o.message, `${path}.message`) };
  if (o.errorName !== undefined) out.errorName = str(o.errorName, `${path}.errorName`);
  if ("data" in o) out.data = value(o.data, `${path}.data`);
  return out;
}

/** Parses the JSON form into a {@link Message}; throws IPCError MessageValidationFailed naming the bad field. */
export function messageFromJson(json: unknown): Message {
  const m = object(json, "$", ["type", "messageId", "correlationId", "timestampNs", "body"], ["format", "compression"]);
  const common = {
    messageId: u64(m.messageId, "$.messageId"),
    correlationId: u64(m.correlationId, "$.correlationId"),
    timestampNs: u64(m.timestampNs, "$.timestampNs"),
  } as { messageId: bigint; correlationId: bigint; timestampNs: bigint; format?: PayloadFormat; compression?: CompressionType };
  if (m.format !== undefined) {
    if (!(FORMAT_CODES as readonly unknown[]).includes(m.format)) invalid("$.format", `must be one of ${FORMAT_CODES.join(", ")}`);
    common.format = m.format as PayloadFormat;
  }
  if (m.compression !== undefined) {
    if (!(COMPRESSION_CODES as readonly unknown[]).includes(m.compression)) invalid("$.compression", `must be one of ${COMPRESSION_CODES.join(", ")}`);
    common.compression = m.compression as CompressionType;
  }
  switch (m.type) {
    case "request": {
      const b = object(m.body, "$.body", ["method", "params", "timeoutMs", "flags"]);
      return {
        ...common,
        type: "request",
        body: { method: str(b.method, "$.body.method"), params: value(b.params, "$.body.params"), timeoutMs: uint(b.timeoutMs, "$.body.timeoutMs", 0xffff_ffff), flags: uint(b.flags, "$.body.flags", 0xffff_ffff) },
      };
    }
    case "response": {
      const b = object(m.body, "$.body", ["status", "value", "error", "executionTimeUs"]);
      return {
        ...common,
        type: "response",
        body: { status: uint(b.status, "$.body.status", 0xffff_ffff), value: value(b.value, "$.body.value"), error: errorDetails(b.error, "$.body.error"), executionTimeUs: uint(b.executionTimeUs, "$.body.executionTimeUs", 0xffff_ffff) },
      };
    }
    case "event": {
      const b = object(m.body, "$.body", ["eventType", "data", "sourceId", "priority"]);
      return {
        ...common,
        type: "event",
        body: { eventType: str(b.eventType, "$.body.eventType"), data: value(b.data, "$.body.data"), sourceId: u64(b.sourceId, "$.body.sourceId"), priority: uint(b.priority, "$.body.priority", 255) },
      };
    }
    case "heartbeat": {
      const b = object(m.body, "$.body", ["pid", "loadAverage", "memoryBytes", "uptimeSeconds"]);
      if (typeof b.loadAverage !== "number") invalid("$.body.loadAverage", "must be a number");
      return {
        ...common,
        type: "heartbeat",
        body: { pid: u64(b.pid, "$.body.pid"), loadAverage: b.loadAverage as number, memoryBytes: u64(b.memoryBytes, "$.body.memoryBytes"), uptimeSeconds: u64(b.uptimeSeconds, "$.body.uptimeSeconds") },
      };
    }
    default:
      return invalid("$.type", 'must be "request", "response", "event" or "heartbeat"');
  }
}

/** The JSON form of a message (defaults msgpack / none are omitted). */
export function messageToJson(message: Message): MessageJson {
  const out: MessageJson = {
    type: message.type,
    messageId: message.messageId.toString(),
    correlationId: message.correlationId.toString(),
    timestampNs: message.timestampNs.toString(),
  };
  if (message.format !== undefined && message.format !== "msgpack") out.format = message.format;
  if (message.compression !== undefined && message.compression !== "none") out.compression = message.compression;
  switch (message.type) {
    case "request":
      out.body = { method: message.body.method, params: toTaggedJson(message.body.params), timeoutMs: message.body.timeoutMs, flags: message.body.flags };
      break;
    case "response": {
      const e = message.body.error;
      const error = e === null ? null : { code: e.code, message: e.message, ...(e.errorName !== undefined ? { errorName: e.errorName } : {}), ...("data" in e ? { data: toTaggedJson(e.data) } : {}) };
      out.body = { status: message.body.status, value: toTaggedJson(message.body.value), error, executionTimeUs: message.body.executionTimeUs };
      break;
    }
    case "event":
      out.body = { eventType: message.body.eventType, data: toTaggedJson(message.body.data), sourceId: message.body.sourceId.toString(), priority: message.body.priority };
      break;
    case "heartbeat":
      out.body = { pid: message.body.pid.toString(), loadAverage: shortestF32(message.body.loadAverage), memoryBytes: message.body.memoryBytes.toString(), uptimeSeconds: message.body.uptimeSeconds.toString() };
      break;
  }
  return out;
}
