/**
 * Why the msgpack encoder stopped, and how it is told: an {@link EncodeFailure}
 * travels up through the containers being written, each adding its key, and
 * becomes one IPCError SerializationError whose message names the path
 * ("value.params[2].when: symbol cannot be encoded") and, for nesting that
 * deep, the cycle it almost certainly is.
 */
import { IPCError } from "../errors.js";

/** One frame of the path to a failure, innermost first while the stack unwinds. */
export interface Frame {
  container: object;
  key: unknown;
}

/** Why encoding stopped, carried up through the container frames that add the path. */
export class EncodeFailure extends Error {
  readonly frames: Frame[] = [];
  constructor(
    readonly reason: string,
    readonly origin?: unknown,
    readonly tooDeep = false,
  ) {
    super(reason);
  }
}

/** Adds one container frame to a failure (wrapping foreign errors: getters, toJSON, msgpackr, stack overflow). */
export function at(e: unknown, container: object, key: unknown): EncodeFailure {
  const f = e instanceof EncodeFailure ? e : new EncodeFailure(e instanceof Error ? e.message : String(e), e);
  f.frames.push({ container, key });
  return f;
}


const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function segment(frame: Frame): string {
  const { container, key } = frame;
  if (Array.isArray(container)) return `[${String(key)}]`;
  if (typeof key === "string") return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return `[${typeof key === "bigint" ? `${key}n` : String(key)}]`;
}

/** "value" and the path through `frames[0, n)`; long paths keep their two ends. */
function pathOf(frames: readonly Frame[], n: number): string {
  if (n <= 16) return "value" + frames.slice(0, n).map(segment).join("");
  const head = frames.slice(0, 6).map(segment).join("");
  const tail = frames.slice(n - 6, n).map(segment).join("");
  return `value${head}…(${n - 12} more)…${tail}`;
}

/** The IPCError for a failure (or a foreign exception) that reached the top of the encoder. */
export function toIPCError(e: unknown): IPCError {
  const f = e instanceof EncodeFailure ? e : new EncodeFailure(e instanceof Error ? e.message : String(e), e);
  const frames = f.frames.slice().reverse();
  let message = `${pathOf(frames, frames.length)}: ${f.reason}`;
  if (f.tooDeep) {
    // Nesting this deep is nearly always a cycle: name the object that comes back.
    const seen = new Map<object, number>();
    for (let j = 0; j < frames.length; j++) {
      const first = seen.get(frames[j].container);
      if (first !== undefined) {
        message = `${pathOf(frames, j)}: cycle (the same object as ${pathOf(frames, first)})`;
        break;
      }
      seen.set(frames[j].container, j);
    }
  }
  return new IPCError("SerializationError", message, {
    cause: f.origin,
    context: { format: "msgpack", path: pathOf(frames, frames.length) },
  });
}
