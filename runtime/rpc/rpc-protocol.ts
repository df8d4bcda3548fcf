/**
 * How RPC maps onto NOVA messages (documented in runtime/rpc/README.md).
 * Pure functions only: building requests, responses and events, and turning
 * errors into wire error details and back.
 *
 * - A call is a Request whose `method` is `<iface>.<member>` (split at the
 *   last dot; interface names contain dots, member names never do) and whose
 *   `params` are the positional arguments as an array.
 * - Request `flags` bit 0 (ONEWAY): no Response is sent. Bit 1 (CALL_CHAIN):
 *   `params` is `[args, chain]`, where `chain` lists the node ids of the
 *   processes already waiting on this call (deadlock detection).
 * - The Response carries status 0 and the value, or status 1 and error details,
 *   in the payload format of its Request (a JSON-only peer gets JSON back).
 * - Signals are Events whose `eventType` is `<iface>.<member>` and whose
 *   `data` is the argument array.
 * - Control messages use the reserved interface `@nova` (NIDL names cannot
 *   start with `@`): `@nova.subscribe` / `@nova.unsubscribe` (`[iface, member]`)
 *   and `@nova.cancel` (`[requestId as decimal string]`). RpcClient sends them
 *   oneway; sent without ONEWAY they get a reply like any request (rpc-server.ts).
 */
import { IPCError } from "../errors.js";
import type { ErrorDetails, EventMessage, PayloadFormat, RequestMessage, ResponseMessage } from "../wire/message.js";
import { nowNs } from "../wire/message-id.js";
import { errorDetailsToIPCError, failureToErrorDetails } from "./remote-failure.js";

/** Request flag: fire-and-forget, no Response. */
export const FLAG_ONEWAY = 0x1;
/** Request flag: params are `[args, callChain]`. */
export const FLAG_CALL_CHAIN = 0x2;
/** Response status: success. */
export const STATUS_OK = 0;
/** Response status: failure, see the error details. */
export const STATUS_ERROR = 1;

/** The reserved interface of control messages. */
export const CONTROL_IFACE = "@nova";
/** Control member: start receiving a signal. */
export const SUBSCRIBE = "subscribe";
/** Control member: stop receiving a signal. */
export const UNSUBSCRIBE = "unsubscribe";
/** Control member: the caller gave up on a request. */
export const CANCEL = "cancel";

const joined = new Map<string, Map<string, string>>();
const split = new Map<string, { iface: string; member: string } | undefined>();
/** Bound on the split cache: a peer sending endless distinct names cannot grow it without limit. */
const SPLIT_CACHE_LIMIT = 4096;

/**
 * Joins an interface and a member into a wire method name. Cached: the same
 * string object comes back every time, so encoders that cache by name
 * (idl/WIRE.md name fields) hit without re-hashing a fresh string per call.
 */
export function methodName(iface: string, member: string): string {
  let byMember = joined.get(iface);
  if (!byMember) {
    byMember = new Map();
    joined.set(iface, byMember);
  }
  let name = byMember.get(member);
  if (name === undefined) {
    name = iface + "." + member;
    byMember.set(member, name);
  }
  return name;
}

/** Splits a wire method name; undefined when it has no dot. */
export function splitMethod(method: string): { iface: string; member: string } | undefined {
  const hit = split.get(method);
  if (hit !== undefined || split.has(method)) return hit;
  const dot = method.lastIndexOf(".");
  const value = dot <= 0 || dot === method.length - 1 ? undefined : { iface: method.slice(0, dot), member: method.slice(dot + 1) };
  if (split.size >= SPLIT_CACHE_LIMIT) split.clear();
  split.set(method, value);
  return value;
}

/** Builds a call Request. */
export function buildRequest(
  messageId: bigint,
  iface: string,
  member: string,
  args: readonly unknown[],
  timeoutMs: number,
  oneway: boolean,
  chain: readonly number[] | undefined,
): RequestMessage {
  // 0 is never a message id (idl/WIRE.md §7): its Response could not be told from "not a response".
  if (messageId === 0n) throw new IPCError("SerializationError", "a request cannot have message id 0", { context: { field: "messageId" } });
  const withChain = chain !== undefined && chain.length > 0;
  return {
    type: "request",
    messageId,
    correlationId: 0n,
    timestampNs: nowNs(),
    body: {
      method: methodName(iface, member),
      params: withChain ? [args, chain] : args,
      timeoutMs: Number.isFinite(timeoutMs) ? Math.min(Math.max(0, Math.round(timeoutMs)), 0xffffffff) : 0,
      flags: (oneway ? FLAG_ONEWAY : 0) | (withChain ? FLAG_CALL_CHAIN : 0),
    },
  };
}

/** The arguments and call chain of a received Request, validated. */
export function readRequestParams(request: RequestMessage): { args: readonly unknown[]; chain: readonly number[] } {
  const { params, flags } = request.body;
  if ((flags & FLAG_CALL_CHAIN) !== 0) {
    if (Array.isArray(params) && params.length === 2 && Array.isArray(params[0]) && Array.isArray(params[1])) {
      return { args: params[0] as unknown[], chain: (params[1] as unknown[]).filter((n): n is number => typeof n === "number") };
    }
    throw new IPCError("MessageValidationFailed", `request ${request.body.method}: CALL_CHAIN params must be [args, chain]`);
  }
  if (params === undefined || params === null) return { args: [], chain: [] };
  if (!Array.isArray(params)) throw new IPCError("MessageValidationFailed", `request ${request.body.method}: params must be an array of arguments`);
  return { args: params, chain: [] };
}

/** Builds a success Response, in the format of its Request. */
export function buildResponse(messageId: bigint, request: RequestMessage, value: unknown, executionTimeUs: number): ResponseMessage {
  return {
    type: "response",
    messageId,
    correlationId: request.messageId,
    timestampNs: nowNs(),
    format: request.format,
    body: { status: STATUS_OK, value: value === undefined ? null : value, error: null, executionTimeUs },
  };
}

/** Builds an error Response, in the format of its Request. */
export function buildErrorResponse(messageId: bigint, request: RequestMessage, error: ErrorDetails, executionTimeUs: number): ResponseMessage {
  return {
    type: "response",
    messageId,
    correlationId: request.messageId,
    timestampNs: nowNs(),
    format: request.format,
    body: { status: STATUS_ERROR, value: null, error, executionTimeUs },
  };
}

/** Builds a signal Event in `format` (that of the subscriber's `@nova.subscribe`). */
export function buildEvent(messageId: bigint, iface: string, member: string, args: readonly unknown[], format?: PayloadFormat): EventMessage {
  return {
    type: "event",
    messageId,
    correlationId: 0n,
    timestampNs: nowNs(),
    format,
    body: { eventType: methodName(iface, member), data: args, sourceId: 0n, priority: 128 },
  };
}

/** What a thrown value becomes on the wire (shared with the in-process port). */
export function toErrorDetails(error: unknown): ErrorDetails {
  return failureToErrorDetails(error);
}

/** What error details become at the caller: always an IPCError (see contract.ts for errorName/data). */
export function fromErrorDetails(details: ErrorDetails | null, method: string): IPCError {
  const target = splitMethod(method) ?? { iface: method, member: "" };
  if (!details) return new IPCError("RemoteError", `${method} failed without details`, { context: { ...target } });
  return errorDetailsToIPCError(details, target.iface, target.member);
}
