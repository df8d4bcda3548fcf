// A/B of two builds of the in-process event bus in ONE process (issue 12 item 1):
//   node scripts/events-ab.mjs DIST_A DIST_B
// where each DIST is a `dist/` folder built from a different commit (npm run build). Both buses run
// the same three loops (exact topic with one handler; one topic of 10,000 handlers; 64 topics of
// the 10,000 round robin), interleaved, 15 rounds of 2 M emits after a warm-up. Rates are per CPU
// second (process.cpuUsage), not wall time: on the shared VM other load deschedules us, and that
// should not count against whichever version happened to run then. Prints the median per loop.
// Run it twice with A and B swapped: V8 may favour whichever build's loops it optimises first.
const [A, B] = process.argv.slice(2);
if (!A || !B) {
  process.stderr.write("usage: node scripts/events-ab.mjs DIST_A DIST_B\n");
  process.exit(2);
}
const sink = { v: 0 };
async function buses(dist) {
  const { createEventBus } = await import(new URL(`file://${dist.startsWith("/") ? dist : `${process.cwd()}/${dist}`}/runtime/events/index.js`).href);
  const ex = createEventBus();
  ex.registerEventHandler("window.focused", (e) => { sink.v += e.data; });
  const tenK = createEventBus();
  for (let i = 0; i < 10_000; i++) tenK.registerEventHandler(`app.t${i}.changed`, (e) => { sink.v += e.data; });
  return { ex, tenK };
}
const one = `app.t${Math.floor(Math.random() * 10_000)}.changed`;
const rr = Array.from({ length: 64 }, (_, i) => `app.t${(i * 157) % 10_000}.changed`);
const loops = (x) => ({
  ex: (n) => { for (let i = 0; i < n; i++) x.ex.emit("window.focused", i); },
  one: (n) => { for (let i = 0; i < n; i++) x.tenK.emit(one, i); },
  rr64: (n) => { for (let i = 0; i < n; i++) x.tenK.emit(rr[i & 63], i); },
});
const a = loops(await buses(A));
const b = loops(await buses(B));
const bodies = {};
for (const k of Object.keys(a)) {
  bodies[`A.${k}`] = a[k];
  bodies[`B.${k}`] = b[k];
}
const N = 2_000_000;
for (const f of Object.values(bodies)) for (let w = 0; w < 5; w++) f(N);
const rates = Object.fromEntries(Object.keys(bodies).map((k) => [k, []]));
for (let r = 0; r < 15; r++) {
  for (const [k, f] of Object.entries(bodies)) {
    const u = process.cpuUsage();
    f(N);
    const d = process.cpuUsage(u);
    rates[k].push(N / ((d.user + d.system) / 1e6));
  }
}
const median = (x) => x.sort((p, q) => p - q)[x.length >> 1];
console.log(Object.entries(rates).map(([k, v]) => `${k} ${(median(v) / 1e6).toFixed(1)} M/s`).join("  "));
if (sink.v === 0) throw new Error("no handler ran");
