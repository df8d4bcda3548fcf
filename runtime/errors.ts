/**
 * The one error type of NovaDE IPC.
 *
 * Every failure that crosses a public API is an {@link IPCError} whose `code`
 * is one of the names of spec section 5 (plus the codes this implementation
 * adds for the wire format, listed at the end of {@link IPC_ERROR_CODES}).
 * Codes are stable strings: match on `err.code`, never on the message.
 */

/** Every error code, grouped by the spec interface that names it. */
export const IPC_ERROR_CODES = [
  // 5.1.1 Message transport
  "InvalidEndpointName",
  "TransportNotSupported",
  "InsufficientResources",
  "ChannelClosed",
  "MessageTooLarge",
  "TimeoutExpired",
  "SerializationError",
  "DeserializationError",
  "CorruptedMessage",
  "ChannelAlreadyClosed",
  "PendingMessages",
  // 5.1.2 Event bus
  "InvalidEventType",
  "HandlerAlreadyRegistered",
  "TooManyHandlers",
  "HandlerNotFound",
  "HandlerStillActive",
  "NoHandlersRegistered",
  "EventQueueFull",
  "InvalidFilter",
  "TooManySubscriptions",
  "SubscriptionNotFound",
  // 5.1.3 Synchronization
  "MutexAlreadyExists",
  "MutexPoisoned",
  "DeadlockDetected",
  "LockNotOwned",
  "MutexDestroyed",
  "ConditionVariableAlreadyExists",
  "InvalidMutex",
  "ConditionDestroyed",
  "SpuriousWakeup",
  "NoWaitingThreads",
  // 5.1.4 Protocol handling
  "ProtocolAlreadyRegistered",
  "UnsupportedProtocolVersion",
  "InvalidHandler",
  "ProtocolNotRegistered",
  "EndpointUnreachable",
  "ProtocolError",
  "MessageValidationFailed",
  "MessageCorrupted",
  "NegotiationFailed",
  "NoCommonProtocol",
  // Added by this implementation (documented in docs/errors.md)
  "UnsupportedVersion",
  "TruncatedMessage",
  "RemoteError",
  "MethodNotFound",
  "Cancelled",
  "NativeError",
  "InvalidArgument",
  "RegionAlreadyExists",
  "RegionNotFound",
] as const;

/** A stable error code. */
export type IPCErrorCode = (typeof IPC_ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(IPC_ERROR_CODES);

/** Options accepted by the {@link IPCError} constructor. */
export interface IPCErrorOptions {
  /** The underlying error, if any (standard `Error.cause`). */
  cause?: unknown;
  /** Structured context: endpoint, message id, byte offset, limits, ... */
  context?: Readonly<Record<string, unknown>>;
}

/** The single error class of the NovaDE IPC runtime and generator runtime APIs. */
export class IPCError extends Error {
  /** One of {@link IPC_ERROR_CODES}. */
  readonly code: IPCErrorCode;
  /** Structured details for logs and tools; never needed to branch on. */
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: IPCErrorCode, message: string, options: IPCErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "IPCError";
    this.code = code;
    this.context = options.context ?? {};
  }

  /** A plain, JSON-safe view: what goes into a Response's error details or a log line. */
  toJSON(): { name: string; code: IPCErrorCode; message: string; context: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, context: { ...this.context } };
  }

  override toString(): string {
    return `IPCError[${this.code}]: ${this.message}`;
  }
}

/** True when `value` is an {@link IPCError} (optionally with the given code). */
export function isIPCError(value: unknown, code?: IPCErrorCode): value is IPCError {
  return value instanceof IPCError && (code === undefined || value.code === code);
}

/** True when `code` is a known {@link IPCErrorCode}. */
export function isIPCErrorCode(code: unknown): code is IPCErrorCode {
  return typeof code === "string" && CODE_SET.has(code);
}
