/**
 * Body layouts of the four message types (idl/WIRE.md "Bodies"). Fixed fields
 * come first and stay uncompressed so a router can read a method or event type
 * without decoding the rest; the value section is last and runs to the end.
 *
 *   Request   timeoutMs u32 | flags u32 | methodLen u16 | method UTF-8 | params section
 *   Response  status u32 | executionTimeUs u32 | [value, error] section
 *   Event     sourceId u64 | priority u8 | reserved u8 (0) | typeLen u16 | eventType UTF-8 | data section
 *   Heartbeat pid u64 | loadAverage f32 | memoryBytes u64 | uptimeSeconds u64   (exactly 28 bytes)
 */
import { IPCError } from "../errors.js";
import { checkU64, checkUint, nameBytes, readName, readU16, readU32, readU64, writeU16, writeU32, writeU64 } from "./bytes.js";
import { HEARTBEAT_BODY_SIZE, MAX_NAME_BYTES } from "./constants.js";
import type { CompressionType, ErrorDetails, Message, PayloadFormat } from "./message.js";
import { decodeSection, encodeValue } from "./value-section.js";

/** What the frame encoder needs to lay out a body. */
export interface BodyPlan {
  /** Bytes before the value section (fixed fields and the name). */
  fixedSize: number;
  /** Writes the fixed part at `o`. */
  writeFixed(b: Uint8Array, o: number): void;
  /** The uncompressed value section; empty for a Heartbeat. */
  section: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const U32_MAX = 0xffff_ffff;

function checkErrorDetails(error: unknown, where: "encode" | "decode"): ErrorDetails | null {
  if (error === null || error === undefined) return null;
  const e = error as Partial<ErrorDetails>;
  if (typeof error !== "object" || Array.isArray(error) || typeof e.code !== "string" || typeof e.message !== "string" ||
    (e.errorName !== undefined && typeof e.errorName !== "string")) {
    const code = where === "encode" ? "SerializationError" : "DeserializationError";
    throw new IPCError(code, "response error must be null or {code: string, message: string, errorName?: string, data?}", {
      context: { field: "body.error" },
    });
  }
  const out: ErrorDetails = { code: e.code, message: e.message };
  if (e.errorName !== undefined) out.errorName = e.errorName;
  if ("data" in e) out.data = e.data;
  return out;
}

/** Checks a message's body fields and encodes its value section. */
export function planBody(message: Message, format: PayloadFormat): BodyPlan {
  switch (message.type) {
    case "request": {
      const { body } = message;
      const name = nameBytes(body.method, "body.method", MAX_NAME_BYTES);
      const timeoutMs = checkUint(body.timeoutMs, U32_MAX, "body.timeoutMs");
      const flags = checkUint(body.flags, U32_MAX, "body.flags");
      return {
        fixedSize: 10 + name.length,
        writeFixed(b, o) {
          writeU32(b, o, timeoutMs);
          writeU32(b, o + 4, flags);
          writeU16(b, o + 8, name.length);
          b.set(name, o + 10);
        },
        section: encodeValue(body.params, format),
      };
    }
    case "response": {
      const { body } = message;
      const status = checkUint(body.status, U32_MAX, "body.status");
      const time = checkUint(body.executionTimeUs, U32_MAX, "body.executionTimeUs");
      const error = checkErrorDetails(body.error, "encode");
      return {
        fixedSize: 8,
        writeFixed(b, o) {
          writeU32(b, o, status);
          writeU32(b, o + 4, time);
        },
        section: encodeValue([body.value, error], format),
      };
    }
    case "event": {
      const { body } = message;
      const sourceId = checkU64(body.sourceId, "body.sourceId");
      const priority = checkUint(body.priority, 255, "body.priority");
      const name = nameBytes(body.eventType, "body.eventType", MAX_NAME_BYTES);
      return {
        fixedSize: 12 + name.length,
        writeFixed(b, o) {
          writeU64(b, o, sourceId);
          b[o + 8] = priority;
          b[o + 9] = 0;
          writeU16(b, o + 10, name.length);
          b.set(name, o + 12);
        },
        section: encodeValue(body.data, format),
      };
    }
    case "heartbeat": {
      const { body } = message;
      const pid = checkU64(body.pid, "body.pid");
      const memory = checkU64(body.memoryBytes, "body.memoryBytes");
      const uptime = checkU64(body.uptimeSeconds, "body.uptimeSeconds");
      if (typeof body.loadAverage !== "number") {
        throw new IPCError("SerializationError", "body.loadAverage must be a number", { context: { field: "body.loadAverage" } });
      }
      const load = body.loadAverage;
      return {
        fixedSize: HEARTBEAT_BODY_SIZE,
        writeFixed(b, o) {
          writeU64(b, o, pid);
          f32View.setFloat32(0, load, true);
          writeU32(b, o + 8, f32View.getUint32(0, true));
          writeU64(b, o + 12, memory);
          writeU64(b, o + 20, uptime);
        },
        section: EMPTY,
      };
    }
    default:
      throw new IPCError("SerializationError", `unknown message type ${JSON.stringify((message as { type?: unknown }).type)}`, {
        context: { field: "type" },
      });
  }
}

const f32View = new DataView(new ArrayBuffer(4));

/** The f32 at `o` (exactly; tools print it with {@link shortestF32}). */
function readF32(b: Uint8Array, o: number): number {
  f32View.setUint32(0, readU32(b, o), true);
  return f32View.getFloat32(0, true);
}

/** The shortest decimal that maps to the same f32 as `x` (0.30000001192092896 -> 0.3). */
export function shortestF32(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return f;
  for (let p = 1; p < 10; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return s;
  }
  return f;
}

function tooShort(type: string, need: number, have: number): never {
  throw new IPCError("DeserializationError", `${type} body is ${have} bytes, its fixed part needs ${need}`, {
    context: { type, need, have },
  });
}

/** Offset of the value section of a body at `b[start, end)` (validates the fixed part's lengths). */
export function sectionStart(type: Message["type"], b: Uint8Array, start: number, end: number): number {
  const have = end - start;
  switch (type) {
    case "request": {
      if (have < 10) tooShort(type, 10, have);
      const need = 10 + readU16(b, start + 8);
      if (have < need) tooShort(type, need, have);
      return start + need;
    }
    case "response":
      if (have < 8) tooShort(type, 8, have);
      return start + 8;
    case "event": {
      if (have < 12) tooShort(type, 12, have);
      if (b[start + 9] !== 0) {
        throw new IPCError("DeserializationError", "event reserved byte is not zero", { context: { offset: start + 9 } });
      }
      const need = 12 + readU16(b, start + 10);
      if (have < need) tooShort(type, need, have);
      return start + need;
    }
    case "heartbeat":
      if (have !== HEARTBEAT_BODY_SIZE) {
        throw new IPCError("DeserializationError", `heartbeat body must be exactly 28 bytes, got ${have}`, { context: { have } });
      }
      return end;
  }
}

/** Decodes a body of `type` from `b[start, end)`. */
export function decodeBody(
  type: Message["type"],
  b: Uint8Array,
  start: number,
  end: number,
  format: PayloadFormat,
  compression: CompressionType,
  maxSize: number,
): Message["body"] {
  const s = sectionStart(type, b, start, end);
  switch (type) {
    case "request":
      return {
        method: readName(b, start + 10, s, "body.method"),
        params: decodeSection(b, s, end, format, compression, maxSize),
        timeoutMs: readU32(b, start),
        flags: readU32(b, start + 4),
      };
    case "response": {
      const pair = decodeSection(b, s, end, format, compression, maxSize);
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new IPCError("DeserializationError", "response section must be the pair [value, error]", { context: { offset: s } });
      }
      return { status: readU32(b, start), value: pair[0], error: checkErrorDetails(pair[1], "decode"), executionTimeUs: readU32(b, start + 4) };
    }
    case "event":
      return {
        eventType: readName(b, start + 12, s, "body.eventType"),
        data: decodeSection(b, s, end, format, compression, maxSize),
        sourceId: readU64(b, start),
        priority: b[start + 8],
      };
    case "heartbeat":
      return { pid: readU64(b, start), loadAverage: readF32(b, start + 8), memoryBytes: readU64(b, start + 12), uptimeSeconds: readU64(b, start + 20) };
  }
}
