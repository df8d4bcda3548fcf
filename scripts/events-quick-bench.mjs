// Quick in-process event bus measurement (issue 12 item 1), before the real bench exists:
// `npm run build && node scripts/events-quick-bench.mjs`. Prints events/s for node's EventEmitter and the bus.
import { EventEmitter } from "node:events";
import { createEventBus } from "../dist/runtime/index.js";
const N = 20_000_000;
function rate(fn) { fn(1e6); const t = process.hrtime.bigint(); fn(N); const s = Number(process.hrtime.bigint() - t) / 1e9; return N / s; }
let sink = 0;
const ee = new EventEmitter(); ee.on("window.focused", (d) => { sink += d; });
const eeRate = rate((n) => { for (let i = 0; i < n; i++) ee.emit("window.focused", i); });
const bus = createEventBus(); bus.registerEventHandler("window.focused", (e) => { sink += e.data; });
const oneRate = rate((n) => { for (let i = 0; i < n; i++) bus.emit("window.focused", i); });
const big = createEventBus();
for (let i = 0; i < 10_000; i++) big.registerEventHandler(`app.t${i}.changed`, (e) => { sink += e.data; });
const tenkRate = rate((n) => { for (let i = 0; i < n; i++) big.emit("app.t4242.changed", i); });
// p95 of single dispatches, timed in groups of 100 to get above timer resolution
const lat = [];
for (let r = 0; r < 20000; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < 100; i++) bus.emit("window.focused", i); lat.push(Number(process.hrtime.bigint() - t) / 100); }
lat.sort((a, b) => a - b);
const single = [];
for (let r = 0; r < 100000; r++) { const t = process.hrtime.bigint(); bus.emit("window.focused", r); single.push(Number(process.hrtime.bigint() - t)); }
single.sort((a, b) => a - b);
console.log(JSON.stringify({ eventemitter_per_s: Math.round(eeRate), inproc_per_s: Math.round(oneRate), ratio_vs_ee: +(oneRate / eeRate).toFixed(2), tenk_per_s: Math.round(tenkRate), tenk_ratio: +(tenkRate / oneRate).toFixed(2), p95_ns_batched100: lat[Math.floor(lat.length * 0.95)], p95_ns_single_incl_hrtime: single[Math.floor(single.length * 0.95)], sink: sink > 0 }));
// Map path (no one-entry memo): alternate two topics
const two = createEventBus(); two.registerEventHandler("window.focused", (e) => { sink += e.data; }); two.registerEventHandler("window.closed", (e) => { sink += e.data; });
const altRate = rate((n) => { for (let i = 0; i < n; i += 2) { two.emit("window.focused", i); two.emit("window.closed", i); } });
const wild = createEventBus(); let hits = 0; wild.registerEventHandler("window.**", () => { hits++; });
for (let i = 0; i < 1000; i++) wild.registerEventHandler(`other${i}.**`, () => {});
const wildRate = rate((n) => { for (let i = 0; i < n; i++) wild.emit("window.focused", i); });
// p95 with an empty baseline loop subtracted is not done: figures above include the timer
const t0 = process.hrtime.bigint(); const emp = []; for (let r = 0; r < 100000; r++) { const t = process.hrtime.bigint(); emp.push(Number(process.hrtime.bigint() - t)); } emp.sort((a,b)=>a-b);
console.log(JSON.stringify({ alternating_two_topics_per_s: Math.round(altRate), wildcard_among_1000_per_s: Math.round(wildRate), hrtime_pair_p95_ns: emp[95000] }));
