/**
 * Codec and frame metrics (issue 2): encode/decode throughput of small
 * (~100 B) and large (~100 KB) msgpack messages with header and CRC, the
 * streaming decoder's rate for 64-byte-payload frames in 64 KiB chunks, and
 * baselines measured in the same run: plain JSON, and msgpackr's pack/unpack
 * of the same messages (baseline_msgpackr_*).
 */
import { Packr } from "msgpackr";
import { decodeMessage, encodeMessage } from "../../runtime/wire/frame.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import { FrameWriter } from "../../runtime/wire/frame-writer.js";
import type { Message, RequestMessage } from "../../runtime/wire/message.js";
import { consume, mbPerSec, measureThroughput, timing, type BenchContext, type BenchSuite } from "./harness.js";

const TS = 1_764_158_400_000_000_000n;

/** ~100-byte frame: a typical small RPC call. */
export function smallMessage(seq: number): RequestMessage {
  return {
    type: "request",
    messageId: 0x1234_5678_9abc_0000n + BigInt(seq),
    correlationId: 0n,
    timestampNs: TS + BigInt(seq),
    body: { method: "org.novade.Bench.ping", params: [seq, "some payload text", 3.5], timeoutMs: 5000, flags: 0 },
  };
}

/** ~100 KB frame: a mixed document — 64 KiB of bytes, 30 KB of text, 500 numbers, a few fields. */
export function largeMessage(): RequestMessage {
  const blob = new Uint8Array(64 * 1024);
  for (let i = 0; i < blob.length; i++) blob[i] = (i * 131 + 7) & 0xff;
  const text = "NovaDE inter-process communication. ".repeat(834);
  const numbers = Array.from({ length: 500 }, (_, i) => i * 1.25 + 0.1);
  return {
    type: "request",
    messageId: 42n,
    correlationId: 0n,
    timestampNs: TS,
    body: { method: "org.novade.Files.store", params: [{ name: "snapshot.bin", mime: "application/octet-stream", blob, text, numbers, version: 3 }], timeoutMs: 30_000, flags: 0 },
  };
}

/** A Request whose payload is exactly 64 bytes: 20 fixed+name bytes and a 44-byte msgpack params section [u32, str8(35), true]. */
export function frame64(seq: number): Buffer {
  const m: Message = {
    type: "request",
    messageId: 0x1000_0000_0000n + BigInt(seq),
    correlationId: 0n,
    timestampNs: TS + BigInt(seq),
    body: { method: "bench.ping", params: [0x10000 + seq, "x".repeat(35), true], timeoutMs: 1000, flags: 0 },
  };
  const f = encodeMessage(m);
  if (f.length !== 40 + 64) throw new Error(`frame64 is ${f.length - 40} bytes of payload, not 64`);
  return f;
}

function jsonForm(m: RequestMessage): unknown {
  return { type: m.type, messageId: String(m.messageId), correlationId: String(m.correlationId), timestampNs: String(m.timestampNs), body: m.body };
}

/**
 * The msgpackr baseline: msgpackr, configured as our codec's reference
 * (runtime/codec/msgpack-encoder.ts: no records, bigints as int64, decoded
 * binaries copied), packing and unpacking each whole message object, the
 * same values the codec_* figures encode into frames. MB/s count msgpackr's
 * own output bytes; msgs/s compare directly with codec_*_small_msgs_per_s.
 */
export function msgpackrBaseline(t: { warmupMs: number; measureMs: number; rounds: number }, log: (line: string) => void = () => undefined): Record<string, number> {
  const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: "bigint", copyBuffers: true, moreTypes: false });
  const smalls = Array.from({ length: 256 }, (_, i) => smallMessage(i));
  const packedSmalls = smalls.map((m) => Uint8Array.from(packr.pack(m)));
  const smallBytes = packedSmalls.reduce((n, b) => n + b.length, 0) / packedSmalls.length;
  const large = largeMessage();
  const packedLarge = Uint8Array.from(packr.pack(large));
  log(`  msgpackr: small message ${smallBytes.toFixed(0)} B, large ${packedLarge.length} B`);
  const encSmall = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(packr.pack(smalls[i & 255]));
  }, t);
  const decSmall = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(packr.unpack(packedSmalls[i & 255]));
  }, t);
  const encLarge = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(packr.pack(large));
  }, t);
  const decLarge = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(packr.unpack(packedLarge));
  }, t);
  return {
    baseline_msgpackr_encode_small_mb_s: mbPerSec(smallBytes, encSmall.opsPerSec),
    baseline_msgpackr_decode_small_mb_s: mbPerSec(smallBytes, decSmall.opsPerSec),
    baseline_msgpackr_encode_large_mb_s: mbPerSec(packedLarge.length, encLarge.opsPerSec),
    baseline_msgpackr_decode_large_mb_s: mbPerSec(packedLarge.length, decLarge.opsPerSec),
    baseline_msgpackr_encode_small_msgs_per_s: encSmall.opsPerSec,
    baseline_msgpackr_decode_small_msgs_per_s: decSmall.opsPerSec,
  };
}

function codecMetrics(ctx: BenchContext): Record<string, number> {
  const t = timing(ctx);
  const smalls = Array.from({ length: 256 }, (_, i) => smallMessage(i));
  const smallFrames = smalls.map((m) => encodeMessage(m));
  const smallBytes = smallFrames.reduce((n, f) => n + f.length, 0) / smallFrames.length;
  ctx.log(`  small frame ${smallBytes.toFixed(0)} B, large frame ${encodeMessage(largeMessage()).length} B`);

  const encSmall = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(encodeMessage(smalls[i & 255]));
  }, t);
  // The transport's fast path: frames appended to one batch buffer, flushed every 64 frames.
  const writer = new FrameWriter();
  const encWriter = measureThroughput((n) => {
    for (let i = 0; i < n; i++) {
      writer.write(smalls[i & 255]);
      if ((i & 63) === 63) consume(writer.flush());
    }
    consume(writer.flush());
  }, t);
  const decSmall = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(decodeMessage(smallFrames[i & 255]));
  }, t);
  const jsonSmall = smalls.map(jsonForm);
  const jsonBytes = jsonSmall.reduce((n: number, o) => n + Buffer.byteLength(JSON.stringify(o)), 0) / jsonSmall.length;
  const encJson = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(Buffer.from(JSON.stringify(jsonSmall[i & 255])));
  }, t);

  const large = largeMessage();
  const largeFrame = encodeMessage(large);
  const encLarge = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(encodeMessage(large));
  }, t);
  const decLarge = measureThroughput((n) => {
    for (let i = 0; i < n; i++) consume(decodeMessage(largeFrame));
  }, t);

  return {
    codec_encode_small_mb_s: mbPerSec(smallBytes, encSmall.opsPerSec),
    codec_decode_small_mb_s: mbPerSec(smallBytes, decSmall.opsPerSec),
    codec_encode_large_mb_s: mbPerSec(largeFrame.length, encLarge.opsPerSec),
    codec_decode_large_mb_s: mbPerSec(largeFrame.length, decLarge.opsPerSec),
    baseline_json_encode_small_mb_s: mbPerSec(jsonBytes, encJson.opsPerSec),
    codec_encode_small_msgs_per_s: encSmall.opsPerSec,
    codec_decode_small_msgs_per_s: decSmall.opsPerSec,
    codec_encode_small_writer_msgs_per_s: encWriter.opsPerSec,
  };
}

function frameDecoderMetrics(ctx: BenchContext): Record<string, number> {
  const t = timing(ctx);
  // 4,096 distinct frames; 64 KiB chunks split frames at arbitrary points, as a socket would.
  const stream = Buffer.concat(Array.from({ length: 4096 }, (_, i) => frame64(i)));
  const CHUNK = 64 * 1024;
  const chunks: Buffer[] = [];
  for (let o = 0; o < stream.length; o += CHUNK) chunks.push(stream.subarray(o, o + CHUNK));
  let received = 0;
  let errors = 0;
  const decoder = new FrameDecoder({
    onMessage: (m) => {
      received++;
      consume(m);
    },
    onError: () => {
      errors++;
    },
  });
  // One "op" of the loop is one pass over the stream: 4,096 messages.
  const r = measureThroughput((passes) => {
    for (let p = 0; p < passes; p++) for (const c of chunks) decoder.push(c);
  }, t);
  if (errors !== 0 || received % 4096 !== 0 || decoder.bufferedBytes !== 0) throw new Error("frame decoder benchmark lost frames");
  // The median round is the metric; the best round shows the ceiling on a noisy shared machine.
  return { frame_decode_msgs_per_s: r.opsPerSec * 4096, frame_decode_best_round_msgs_per_s: r.bestOpsPerSec * 4096 };
}

/** The codec suite. */
export const codecSuite: BenchSuite = {
  name: "codec",
  async run(ctx) {
    const frame = frameDecoderMetrics(ctx);
    return { ...codecMetrics(ctx), ...msgpackrBaseline(timing(ctx), (line) => ctx.log(line)), ...frame };
  },
};
