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
import { checkU64, checkUint, nameBytes, readName, readU16, readU32, readU64, setU64 } from "./bytes.js";
import { HEARTBEAT_BODY_SIZE, MAX_NAME_BYTES, U32_MAX } from "./constants.js";
import type { CompressionType, ErrorDetails, Message, PayloadFormat } from "./message.js";
import { decodeSection, decodeValue, encodeValue } from "./value-section.js";

const EMPTY = new Uint8Array(0);

/** Checks a Response's error field; SerializationError / DeserializationError when it is malformed. */
export function checkErrorDetails(error: unknown, where: "encode" | "decode"): ErrorDetails | null {
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

/**
 * What the frame encoder needs to lay out a body. One instance is reused for
 * every synchronous encode (no closure or object per frame); an async encode
 * that awaits between planning and writing takes a {@link BodyPlan.clone}.
 */
export class BodyPlan {
  /** Header type code of the planned message (1..4). */
  typeCode = 0;
  /** Bytes before the value section (fixed fields and the name). */
  fixedSize = 0;
  /** The uncompressed value section; empty for a Heartbeat. May be a view into a scratch buffer. */
  section: Uint8Array = EMPTY;
  // Validated fixed fields; their meaning depends on typeCode (see writeFixed).
  private u32a = 0;
  private u32b = 0;
  private f32 = 0;
  private big1 = 0n;
  private big2 = 0n;
  private big3 = 0n;
  private name: Uint8Array = EMPTY;

  /** Writes the fixed part at `o` of `b`, through `dv` over `b` (the caller guarantees `fixedSize` bytes). */
  writeFixed(dv: DataView, b: Uint8Array, o: number): void {
    if (this.typeCode !== 4) {
      writeFixedFields(dv, b, o, this.typeCode, this.u32a, this.u32b, this.big1, this.name);
      return;
    }
    setU64(dv, o, this.big1);
    dv.setFloat32(o + 8, this.f32, true);
    setU64(dv, o + 12, this.big2);
    setU64(dv, o + 20, this.big3);
  }

  /** An independent copy (with its own copy of the section) for use across an await. */
  clone(): BodyPlan {
    const c = new BodyPlan();
    c.typeCode = this.typeCode;
    c.fixedSize = this.fixedSize;
    c.section = this.section.length === 0 ? EMPTY : new Uint8Array(this.section);
    c.u32a = this.u32a;
    c.u32b = this.u32b;
    c.f32 = this.f32;
    c.big1 = this.big1;
    c.big2 = this.big2;
    c.big3 = this.big3;
    c.name = this.name;
    return c;
  }

  /** Checks a message's body fields and encodes its value section into this plan. */
  plan(message: Message, format: PayloadFormat): this {
    switch (message.type) {
      case "request": {
        const { body } = message;
        const name = nameBytes(body.method, "body.method", MAX_NAME_BYTES);
        this.u32a = checkUint(body.timeoutMs, U32_MAX, "body.timeoutMs");
        this.u32b = checkUint(body.flags, U32_MAX, "body.flags");
        this.section = encodeValue(body.params, format);
        this.typeCode = 1;
        this.fixedSize = 10 + name.length;
        this.name = name;
        return this;
      }
      case "response": {
        const { body } = message;
        this.u32a = checkUint(body.status, U32_MAX, "body.status");
        this.u32b = checkUint(body.executionTimeUs, U32_MAX, "body.executionTimeUs");
        const error = checkErrorDetails(body.error, "encode");
        this.section = encodeValue([body.value, error], format);
        this.typeCode = 2;
        this.fixedSize = 8;
        return this;
      }
      case "event": {
        const { body } = message;
        this.big1 = checkU64(body.sourceId, "body.sourceId");
        this.u32a = checkUint(body.priority, 255, "body.priority");
        const name = nameBytes(body.eventType, "body.eventType", MAX_NAME_BYTES);
        this.section = encodeValue(body.data, format);
        this.typeCode = 3;
        this.fixedSize = 12 + name.length;
        this.name = name;
        return this;
      }
      case "heartbeat": {
        const { body } = message;
        this.big1 = checkU64(body.pid, "body.pid");
        this.big2 = checkU64(body.memoryBytes, "body.memoryBytes");
        this.big3 = checkU64(body.uptimeSeconds, "body.uptimeSeconds");
        if (typeof body.loadAverage !== "number") {
          throw new IPCError("SerializationError", "body.loadAverage must be a number", { context: { field: "body.loadAverage" } });
        }
        this.f32 = body.loadAverage;
        this.section = EMPTY;
        this.typeCode = 4;
        this.fixedSize = HEARTBEAT_BODY_SIZE;
        return this;
      }
      default:
        throw new IPCError("SerializationError", `unknown message type ${JSON.stringify((message as { type?: unknown }).type)}`, {
          context: { field: "type" },
        });
    }
  }
}

/**
 * The fixed part of a Request (1), Response (2) or Event (3) through a
 * DataView over `b` (bytes.ts viewOf): `u32a`/`u32b` are
 * timeout/flags, status/execution time, or the priority; `big` is an Event's
 * source id; `name` the method or event type. All already checked.
 */
export function writeFixedFields(dv: DataView, b: Uint8Array, o: number, typeCode: number, u32a: number, u32b: number, big: bigint, name: Uint8Array): void {
  if (typeCode === 3) {
    setU64(dv, o, big);
    dv.setUint32(o + 8, u32a | (name.length << 16), true);
    copyName(b, o + 12, name);
    return;
  }
  dv.setUint32(o, u32a, true);
  dv.setUint32(o + 4, u32b, true);
  if (typeCode === 1) {
    dv.setUint16(o + 8, name.length, true);
    copyName(b, o + 10, name);
  }
}

/** Short names are copied byte by byte: TypedArray#set costs more than the copy for a few bytes. */
function copyName(b: Uint8Array, o: number, name: Uint8Array): void {
  const n = name.length;
  if (n > 32) {
    b.set(name, o);
    return;
  }
  for (let i = 0; i < n; i++) b[o + i] = name[i];
}

const sharedPlan = new BodyPlan();

/**
 * Checks a message's body fields and encodes its value section. Returns a
 * shared plan that the next call overwrites: use it before encoding again
 * (or {@link BodyPlan.clone} it).
 */
export function planBody(message: Message, format: PayloadFormat): BodyPlan {
  return sharedPlan.plan(message, format);
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

function sectionValue(
  b: Uint8Array,
  s: number,
  end: number,
  format: PayloadFormat,
  compression: CompressionType,
  maxSize: number,
  plain: Uint8Array | undefined,
): unknown {
  return plain === undefined ? decodeSection(b, s, end, format, compression, maxSize) : decodeValue(plain, 0, plain.length, format);
}

/**
 * Decodes a body of `type` from `b[start, end)`. With `plain`, the value
 * section is taken from it (already decompressed elsewhere, e.g. off the
 * event loop) instead of from `b`.
 */
export function decodeBody(
  type: Message["type"],
  b: Uint8Array,
  start: number,
  end: number,
  format: PayloadFormat,
  compression: CompressionType,
  maxSize: number,
  plain?: Uint8Array,
): Message["body"] {
  const s = sectionStart(type, b, start, end);
  switch (type) {
    case "request":
      return {
        method: readName(b, start + 10, s, "body.method"),
        params: sectionValue(b, s, end, format, compression, maxSize, plain),
        timeoutMs: readU32(b, start),
        flags: readU32(b, start + 4),
      };
    case "response": {
      const pair = sectionValue(b, s, end, format, compression, maxSize, plain);
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new IPCError("DeserializationError", "response section must be the pair [value, error]", { context: { offset: s } });
      }
      return { status: readU32(b, start), value: pair[0], error: checkErrorDetails(pair[1], "decode"), executionTimeUs: readU32(b, start + 4) };
    }
    case "event":
      return {
        eventType: readName(b, start + 12, s, "body.eventType"),
        data: sectionValue(b, s, end, format, compression, maxSize, plain),
        sourceId: readU64(b, start),
        priority: b[start + 8],
      };
    case "heartbeat":
      return { pid: readU64(b, start), loadAverage: readF32(b, start + 8), memoryBytes: readU64(b, start + 12), uptimeSeconds: readU64(b, start + 20) };
  }
}
