/**
 * The FrameDecoder never decompresses on the calling thread: compressed
 * frames go to the libuv thread pool and the frames behind them wait, in
 * order. Also: frames with an intact header and CRC but any body at all end
 * in exactly one message or one typed error that names the frame.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IPCError, isIPCErrorCode } from "../../runtime/errors.js";
import { compressSectionAsync } from "../../runtime/codec/compression.js";
import { encodeMessage, encodeMessageAsync } from "../../runtime/wire/frame.js";
import { FrameDecoder, type SkippedFrame } from "../../runtime/wire/frame-decoder.js";
import type { Message, RequestMessage } from "../../runtime/wire/message.js";
import { fixCrc } from "./arbitraries.js";

function req(id: bigint, params: unknown): RequestMessage {
  return { type: "request", messageId: id, correlationId: 0n, timestampNs: 1n, body: { method: "a.B.c", params, timeoutMs: 10, flags: 0 } };
}

interface Seen {
  events: string[];
  skipped: SkippedFrame[];
  stalls: boolean[];
}

function decoder(): { d: FrameDecoder; seen: Seen } {
  const seen: Seen = { events: [], skipped: [], stalls: [] };
  const d = new FrameDecoder({
    onMessage: (m) => seen.events.push(`msg:${m.messageId}`),
    onError: (e, _fatal, frame) => {
      if (!(e instanceof IPCError) || !isIPCErrorCode(e.code)) throw new Error("not an IPCError");
      seen.events.push(`err:${e.code}:${frame?.messageId ?? "-"}`);
      if (frame) seen.skipped.push(frame);
    },
    onStall: (s) => seen.stalls.push(s),
  });
  return { d, seen };
}

/** A request frame whose value section is `section` (flags byte `flags`), CRC fixed. */
function withSection(id: bigint, section: Uint8Array, flags: number): Uint8Array {
  const head = encodeMessage(req(id, null));
  // The section of params=null in msgpack is one byte (C0) at the end.
  const f = new Uint8Array(head.length - 1 + section.length);
  f.set(head.subarray(0, head.length - 1));
  f.set(section, head.length - 1);
  const dv = new DataView(f.buffer);
  dv.setUint32(32, f.length - 40, true);
  f[7] = flags;
  return fixCrc(f);
}

/**
 * A compressed section (u32 prefix `prefix`) holding one zstd frame whose
 * header declares Frame_Content_Size `fcs` (4-byte field) and whose content
 * is `size` copies of `byte` as RLE blocks.
 */
function rleSection(prefix: number, fcs: number, byte: number, size: number): Uint8Array {
  const out = [prefix & 0xff, (prefix >> 8) & 0xff, (prefix >> 16) & 0xff, prefix >>> 24, 0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x58];
  out.push(fcs & 0xff, (fcs >> 8) & 0xff, (fcs >> 16) & 0xff, fcs >>> 24);
  for (let left = size; left > 0; ) {
    const n = Math.min(left, 128 * 1024);
    left -= n;
    const h = (left === 0 ? 1 : 0) | (1 << 1) | (n << 3);
    out.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, byte);
  }
  return Uint8Array.from(out);
}

describe("FrameDecoder: decompression off the event loop", () => {
  it("push returns before a zstd frame is decompressed; the frames behind it wait and keep their order", async () => {
    const { d, seen } = decoder();
    const zstd = await encodeMessageAsync({ ...req(1n, ["z".repeat(5000)]), compression: "zstd" });
    const lz4 = encodeMessage({ ...req(2n, ["l".repeat(5000)]), compression: "lz4" });
    const plain = encodeMessage(req(3n, ["p"]));
    d.push(Buffer.concat([zstd, plain, lz4, plain]));
    // Nothing yet: the zstd frame is on the thread pool and everything else waits behind it.
    expect(seen.events).toEqual([]);
    expect(d.stalled).toBe(true);
    // More input while stalled is queued, not decoded.
    d.push(encodeMessage(req(4n, ["late"])));
    expect(seen.events).toEqual([]);
    await d.whenIdle();
    expect(seen.events).toEqual(["msg:1", "msg:3", "msg:2", "msg:3", "msg:4"]);
    expect(d.stalled).toBe(false);
    // One stall for the whole run: the lz4 frame started before the decoder caught up.
    expect(seen.stalls).toEqual([true, false]);
    expect(d.bufferedBytes).toBe(0);
  });

  it("uncompressed frames are still delivered before push returns", () => {
    const { d, seen } = decoder();
    d.push(Buffer.concat([encodeMessage(req(1n, [1])), encodeMessage({ ...req(2n, [2]), format: "json" })]));
    expect(seen.events).toEqual(["msg:1", "msg:2"]);
    expect(seen.stalls).toEqual([]);
  });

  it("a zstd bomb costs the calling thread no decompression: push returns at once, the error comes later", async () => {
    const { d, seen } = decoder();
    const bomb = await compressSectionAsync(new Uint8Array(16 * 1024 * 1024), "zstd");
    const t0 = performance.now();
    d.push(withSection(9n, bomb, 0x08));
    const pushMs = performance.now() - t0;
    expect(seen.events).toEqual([]);
    await d.whenIdle();
    // 16 MiB of zeros is the msgpack value 0 followed by trailing bytes.
    expect(seen.events).toEqual(["err:DeserializationError:9"]);
    expect(pushMs).toBeLessThan(50);
  });

  it("zstd sizes are bounded before decompression: a Frame_Content_Size over the limit, or different from the prefix", async () => {
    const events: string[] = [];
    const small = new FrameDecoder({ maxMessageSize: 50_000, onMessage: (m) => events.push(`msg:${JSON.stringify(m.body)}`), onError: (e) => events.push(e.code) });
    // The prefix claims less than the limit, but the zstd header declares 100,000 bytes.
    small.push(withSection(1n, rleSection(40_000, 100_000, 0x41, 100_000), 0x08));
    await small.whenIdle();
    expect(events).toEqual(["MessageTooLarge"]);
    // Prefix and header disagree.
    small.push(withSection(2n, rleSection(999, 1000, 0x41, 1000), 0x08));
    await small.whenIdle();
    expect(events.slice(1)).toEqual(["DeserializationError"]);
    // Prefix, header and content agree: decoded (one msgpack nil).
    small.push(withSection(3n, rleSection(1, 1, 0xc0, 1), 0x08));
    await small.whenIdle();
    expect(events.slice(2)).toEqual([`msg:${JSON.stringify({ method: "a.B.c", params: null, timeoutMs: 10, flags: 0 })}`]);
  });

  it("reset while a decompression is pending drops it and the input behind it", async () => {
    const { d, seen } = decoder();
    d.push(Buffer.concat([await encodeMessageAsync({ ...req(1n, ["z"]), compression: "zstd" }), encodeMessage(req(2n, [2]))]));
    d.reset();
    expect(d.stalled).toBe(false);
    d.push(encodeMessage(req(3n, [3])));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.events).toEqual(["msg:3"]);
  });
});

describe("FrameDecoder properties: intact header and CRC, any body", () => {
  it("every such frame yields exactly one message or one IPCError naming it, never a crash or silence, and the next frame still arrives", async () => {
    const good = encodeMessage(req(0xfeedn, ["after"]));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 255 }),
        fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
        fc.oneof(
          fc.uint8Array({ maxLength: 120 }),
          // A plausible compressed section: length prefix then random (or zstd-looking) bytes.
          fc.tuple(fc.integer({ min: 0, max: 1 << 20 }), fc.boolean(), fc.uint8Array({ maxLength: 80 })).map(([n, z, rest]) => {
            const b = Buffer.alloc(4);
            b.writeUInt32LE(n, 0);
            return Uint8Array.from([...b, ...(z ? [0x28, 0xb5, 0x2f, 0xfd] : []), ...rest]);
          }),
        ),
        fc.integer({ min: 1, max: 64 }),
        async (type, flags, messageId, body, chunk) => {
          const f = new Uint8Array(40 + body.length);
          f.set(encodeMessage(req(messageId, null)).subarray(0, 40));
          f[6] = type;
          f[7] = flags;
          new DataView(f.buffer).setUint32(32, body.length, true);
          f.set(body, 40);
          const stream = Buffer.concat([fixCrc(f), good]);
          const { d, seen } = decoder();
          for (let o = 0; o < stream.length; o += chunk) d.push(stream.subarray(o, o + chunk));
          await d.whenIdle();
          expect(seen.events).toHaveLength(2);
          expect(seen.events[1]).toBe("msg:65261");
          const first = seen.events[0];
          if (first.startsWith("err:")) {
            expect(first.endsWith(`:${messageId}`)).toBe(true);
            expect(seen.skipped[0]).toMatchObject({ typeCode: type, flags, messageId, frameBytes: f.length });
          } else {
            expect(first).toBe(`msg:${messageId}`);
          }
          expect(d.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("decoded messages keep their order across any mix of compressed and plain frames and any chunking", async () => {
    const kinds = ["none", "lz4", "zstd"] as const;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 200 }), async (mix, chunk) => {
        const frames = await Promise.all(mix.map((c, i) => encodeMessageAsync({ ...req(BigInt(i + 1), [c, i]), compression: c } as Message)));
        const stream = Buffer.concat(frames);
        const { d, seen } = decoder();
        for (let o = 0; o < stream.length; o += chunk) d.push(stream.subarray(o, o + chunk));
        await d.whenIdle();
        expect(seen.events).toEqual(mix.map((_, i) => `msg:${i + 1}`));
      }),
      { numRuns: 60 },
    );
  });
});
