/**
 * Message ids and timestamps (idl/WIRE.md "Message ids", "Timestamps").
 *
 * An id is unique per sender: each generator is a 64-bit counter that starts
 * at a random point in [1, 2^63) and counts up by one. It cannot repeat before
 * 2^63 messages, and two generators (two connections, or one process and its
 * restarted successor) overlap only if their random starts fall within the
 * number of messages sent of each other — with 2^63 possible starts, far less
 * likely than a CRC collision. 0 is never produced: it means "no id"
 * (a correlation id of 0 says "not a response").
 */
import { randomBytes } from "node:crypto";
import { U64_MAX } from "./constants.js";

const START_RANGE = 1n << 63n;

/** Generates message ids unique per sender (one generator per connection or process). */
export class MessageIdGenerator {
  #next: bigint;

  /** `start` is for tests and replays; by default a random point in [1, 2^63). */
  constructor(start?: bigint) {
    if (start !== undefined) {
      this.#next = start === 0n ? 1n : start & U64_MAX;
    } else {
      const r = randomBytes(8).readBigUInt64LE(0) % START_RANGE;
      this.#next = r === 0n ? 1n : r;
    }
  }

  /** The next id. */
  next(): bigint {
    const id = this.#next;
    this.#next = id === U64_MAX ? 1n : id + 1n;
    return id;
  }
}

const processIds = new MessageIdGenerator();

/** The next id from this process's shared generator. */
export function nextMessageId(): bigint {
  return processIds.next();
}

// Wall clock minus monotonic clock at load: one addition per timestamp afterwards.
const EPOCH_MINUS_HR = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/**
 * Nanoseconds since the Unix epoch: the wall clock at module load plus the
 * monotonic clock since, so timestamps never go backwards within a process.
 */
export function nowNs(): bigint {
  return EPOCH_MINUS_HR + process.hrtime.bigint();
}
