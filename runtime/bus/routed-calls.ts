/**
 * RPC calls the daemon routes from a caller to the owner of a bus name
 * (idl/WIRE.md §12.5). The daemon gives each forwarded Request its own
 * message id (ids are unique per sender, and the owner sees one sender: the
 * daemon), remembers whose call it was, and on the owner's Response puts the
 * caller's id back as the correlation id. Calls whose owner disconnects are
 * failed with ChannelClosed; calls nobody answers are failed with
 * TimeoutExpired at their deadline, so the table never leaks.
 */
import { readU16, readU32 } from "../wire/bytes.js";
import { HEADER_SIZE, Offset } from "../wire/constants.js";
import type { DaemonConnection } from "./daemon-conn.js";
import { resealFrame, writeIdField } from "./protocol.js";

/** One forwarded call. */
export interface RoutedCall {
  readonly id: number;
  readonly caller: DaemonConnection;
  /** The caller's message id, as the two u32 halves of the header field. */
  readonly callerIdLo: number;
  readonly callerIdHi: number;
  readonly callerIdText: string;
  /** The caller's payload format bits, for error replies made by the daemon. */
  readonly format: number;
  readonly target: DaemonConnection;
  readonly method: string;
  readonly deadline: number;
}

/**
 * Builds the Request the owner receives: the caller's frame with the method
 * name `rest` (the part after the destination), the daemon's message id `id`
 * and correlation id 0. Everything else (timeout, flags, value section,
 * format bits, timestamp) is kept byte for byte.
 */
export function forwardedRequest(b: Uint8Array, p: number, rest: Uint8Array, id: number): Uint8Array {
  const payload = readU32(b, p + Offset.payloadLength);
  const nameLen = readU16(b, p + HEADER_SIZE + 8);
  const valueStart = p + HEADER_SIZE + 10 + nameLen;
  const valueLen = p + HEADER_SIZE + payload - valueStart;
  const newPayload = 10 + rest.length + valueLen;
  const out = new Uint8Array(HEADER_SIZE + newPayload);
  out.set(b.subarray(p, p + HEADER_SIZE + 8), 0);
  out[HEADER_SIZE + 8] = rest.length & 0xff;
  out[HEADER_SIZE + 9] = rest.length >>> 8;
  out.set(rest, HEADER_SIZE + 10);
  out.set(b.subarray(valueStart, valueStart + valueLen), HEADER_SIZE + 10 + rest.length);
  writeIdField(out, Offset.messageId, id);
  writeIdField(out, Offset.correlationId, 0);
  out[Offset.payloadLength] = newPayload & 0xff;
  out[Offset.payloadLength + 1] = (newPayload >>> 8) & 0xff;
  out[Offset.payloadLength + 2] = (newPayload >>> 16) & 0xff;
  out[Offset.payloadLength + 3] = newPayload >>> 24;
  resealFrame(out, 0);
  return out;
}

/** The table of calls in flight; see the file comment. */
export class RoutedCalls {
  private readonly calls = new Map<number, RoutedCall>();
  private nextId = 1;

  /** Calls in flight. */
  get size(): number {
    return this.calls.size;
  }

  /** A fresh daemon message id for a forwarded request. */
  allocate(): number {
    return this.nextId++;
  }

  add(call: RoutedCall): void {
    this.calls.set(call.id, call);
    call.caller.outCalls.set(call.callerIdText, call.id);
  }

  /** Removes and returns the call `id`. */
  take(id: number): RoutedCall | undefined {
    const call = this.calls.get(id);
    if (call === undefined) return undefined;
    this.calls.delete(id);
    call.caller.outCalls.delete(call.callerIdText);
    return call;
  }

  /** Removes and returns every call past its deadline. */
  expired(now: number): RoutedCall[] {
    const out: RoutedCall[] = [];
    for (const call of this.calls.values()) if (call.deadline <= now) out.push(call);
    for (const call of out) this.take(call.id);
    return out;
  }

  /** Removes and returns every call that involves `conn` (as caller or as owner). */
  involving(conn: DaemonConnection): RoutedCall[] {
    const out: RoutedCall[] = [];
    for (const call of this.calls.values()) if (call.caller === conn || call.target === conn) out.push(call);
    for (const call of out) this.take(call.id);
    return out;
  }

  /** Removes and returns every call. */
  clear(): RoutedCall[] {
    const out = [...this.calls.values()];
    this.calls.clear();
    for (const call of out) call.caller.outCalls.delete(call.callerIdText);
    return out;
  }
}
