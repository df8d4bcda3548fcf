/**
 * How a server-side failure crosses the wire and what the caller sees.
 *
 * A handler may throw an IDL-declared error (a {@link DeclaredError}), an
 * {@link IPCError}, or anything else. On the wire all three become
 * {@link ErrorDetails}; the caller always receives an IPCError, so that
 * transports stay ignorant of generated classes. Generated clients then map
 * `RemoteError` + `context.errorName` back to the IDL's error class.
 */
import { IPCError, isIPCError, isIPCErrorCode } from "../errors.js";
import type { ErrorDetails } from "../wire/message.js";
import { isDeclaredError } from "./contract.js";

/** Turns whatever a handler threw into wire-level error details. */
export function failureToErrorDetails(failure: unknown): ErrorDetails {
  if (isDeclaredError(failure)) {
    return { code: "RemoteError", message: failure.message, errorName: failure.errorName, data: failure.data };
  }
  if (isIPCError(failure)) {
    return { code: failure.code, message: failure.message, data: failure.context };
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  const name = failure instanceof Error ? failure.name : typeof failure;
  // An undeclared exception is still the remote side's failure: RemoteError
  // without an errorName, so no generated class can claim it.
  return { code: "RemoteError", message, data: { exception: name } };
}

/** Rebuilds the IPCError a caller receives from wire-level error details. */
export function errorDetailsToIPCError(details: ErrorDetails, iface: string, member: string): IPCError {
  const code = isIPCErrorCode(details.code) ? details.code : "RemoteError";
  if (details.errorName !== undefined) {
    return new IPCError(code, details.message, {
      context: { iface, member, errorName: details.errorName, data: details.data },
    });
  }
  const extra = isPlainRecord(details.data) ? details.data : details.data === undefined ? {} : { data: details.data };
  return new IPCError(code, details.message, { context: { ...extra, iface, member } });
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Map);
}
