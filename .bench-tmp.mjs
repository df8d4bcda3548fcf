import { frame64 } from "./dist/test/bench/codec-suite.js";
import { FrameDecoder } from "./dist/runtime/wire/frame-decoder.js";
const stream = Buffer.concat(Array.from({ length: 4096 }, (_, i) => frame64(i)));
const chunks = []; for (let o = 0; o < stream.length; o += 65536) chunks.push(stream.subarray(o, o + 65536));
let n = 0; const d = new FrameDecoder({ onMessage() { n++; }, onError(e) { throw e; } });
let best = 0;
for (let r = 0; r < 30; r++) { n = 0; const t = performance.now(); for (let p = 0; p < 20; p++) for (const c of chunks) d.push(c); best = Math.max(best, n / (performance.now() - t) * 1000); }
console.log("best", best.toFixed(0), "msgs/s");
