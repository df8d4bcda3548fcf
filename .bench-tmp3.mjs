import { largeMessage } from "./dist/test/bench/codec-suite.js";
import { encodeMessage } from "./dist/runtime/wire/frame.js";
const m = largeMessage(); let x;
let best = Infinity; for (let r = 0; r < 10; r++) { const t = performance.now(); for (let i = 0; i < 500; i++) x = encodeMessage(m); best = Math.min(best, (performance.now() - t) / 500); }
console.log((x.length / best / 1000).toFixed(0), "MB/s best");
