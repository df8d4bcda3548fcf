import { smallMessage } from "./dist/test/bench/codec-suite.js";
import { encodeMessage } from "./dist/runtime/wire/frame.js";
const ms = Array.from({ length: 256 }, (_, i) => smallMessage(i));
let x; const t = performance.now(); for (let i = 0; i < 2e6; i++) x = encodeMessage(ms[i & 255]);
console.log((2e6 / (performance.now() - t) * 1000).toFixed(0), "msgs/s");
