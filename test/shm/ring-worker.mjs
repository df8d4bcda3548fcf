// A producer or consumer of one of the shm lock-free structures, run in a
// worker_thread by rings-workers.test.ts. Plain JS importing dist/ (like the
// other child scripts of the suite): Node 20 cannot load .ts in a worker.
//
// Items are deterministic in (producer, index): the consumer recomputes each
// one and counts mismatches, so content, loss, duplication and order are all
// checked. Pauses and batch sizes come from a seeded PRNG.
import { parentPort, workerData } from "node:worker_threads";

const { kind, role, sab, offset, control, id, producers, count, seed, maxLen, distRoot } = workerData;
const { SpscByteRing, BYTE_RING_WORDS, BYTE_RING_HEADER_BYTES } = await import(`${distRoot}/runtime/shm/byte-ring.js`);
const { SpscRing } = await import(`${distRoot}/runtime/shm/slot-ring.js`);
const { MpmcQueue } = await import(`${distRoot}/runtime/shm/mpmc-queue.js`);

// control: [0] producers finished, [1] scratch word for sleeping, [2] spin sink, [3] consumer gave up (corrupt stream)
const ctl = new Int32Array(control);
let state = (seed ^ (id * 0x9e3779b9)) >>> 0 || 1;
function rand() {
  // mulberry32
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** Mostly nothing, sometimes a spin, rarely a real sleep: shakes the interleavings. */
function pause() {
  const r = rand();
  if (r < 0.7) return;
  if (r < 0.995) {
    const n = (rand() * 2000) | 0;
    for (let i = 0; i < n; i++) ctl[2] = i;
    return;
  }
  Atomics.wait(ctl, 1, 0, rand() < 0.5 ? 0 : 1);
}

function itemLength(p, i) {
  return 5 + ((Math.imul(p + 1, 2654435761) ^ Math.imul(i + 7, 40503)) >>> 0) % (maxLen - 4);
}
function fillItem(buf, p, i) {
  const len = itemLength(p, i);
  buf[0] = p;
  buf[1] = i & 0xff;
  buf[2] = (i >>> 8) & 0xff;
  buf[3] = (i >>> 16) & 0xff;
  buf[4] = (i >>> 24) & 0xff;
  for (let k = 5; k < len; k++) buf[k] = (p * 29 + i * 7 + k * 13) & 0xff;
  return len;
}
/** 0 when `buf[0, len)` is exactly item (p, i) for the p, i it names; else 1. */
function checkItem(buf, len) {
  if (len < 5) return { bad: 1, p: -1, i: -1 };
  const p = buf[0];
  const i = buf[1] | (buf[2] << 8) | (buf[3] << 16) | (buf[4] << 24);
  if (p >= producers || len !== itemLength(p, i)) return { bad: 1, p, i };
  for (let k = 5; k < len; k++) if (buf[k] !== ((p * 29 + i * 7 + k * 13) & 0xff)) return { bad: 1, p, i };
  return { bad: 0, p, i };
}

const item = new Uint8Array(maxLen);

function byteProducer() {
  const ring = SpscByteRing.attach(sab, offset);
  const h = new Int32Array(sab, offset, BYTE_RING_HEADER_BYTES / 4);
  const rec = new Uint8Array(maxLen + 4);
  let waits = 0;
  let timeouts = 0;
  const ring1 = () => {
    if (ring.takeConsumerWait()) Atomics.notify(h, BYTE_RING_WORDS.consumerWaiting);
  };
  for (let i = 0; i < count; i++) {
    const len = fillItem(item, 0, i);
    new DataView(rec.buffer).setUint32(0, len, true);
    rec.set(item.subarray(0, len), 4);
    let at = 0;
    const end = len + 4;
    // Half the records go whole (tryWrite), the rest in random pieces (writeSome), as the transport does for large frames.
    const whole = rand() < 0.5 && end <= ring.capacity;
    while (at < end) {
      if (Atomics.load(ctl, 3) !== 0) return { waits, timeouts, aborted: true };
      if (whole) {
        if (ring.tryWrite(rec, 0, end)) at = end;
      } else {
        const piece = 1 + ((rand() * (end - at)) | 0);
        at += ring.writeSome(rec, at, at + piece);
      }
      ring1();
      if (at < end) {
        const need = whole ? end : 1;
        if (ring.armProducerWait(need)) {
          waits++;
          if (Atomics.wait(h, BYTE_RING_WORDS.producerWaiting, 1, 10_000) === "timed-out") timeouts++;
        }
      }
      pause();
    }
  }
  ring.close();
  ring1();
  return { waits, timeouts };
}

function byteConsumer() {
  const ring = SpscByteRing.attach(sab, offset);
  const h = new Int32Array(sab, offset, BYTE_RING_HEADER_BYTES / 4);
  const rec = new Uint8Array(maxLen + 4);
  let have = 0; // bytes of the current record gathered in rec
  let need = 4;
  let next = 0;
  let bad = 0;
  let waits = 0;
  let timeouts = 0;
  for (;;) {
    const view = ring.peek();
    if (view.length > 0) {
      const budget = 1 + ((rand() * view.length) | 0); // consume in random batch sizes
      let used = 0;
      while (used < budget) {
        const take = Math.min(need - have, budget - used);
        rec.set(view.subarray(used, used + take), have);
        have += take;
        used += take;
        if (have === need) {
          if (need === 4) {
            need = 4 + new DataView(rec.buffer).getUint32(0, true);
            if (need > maxLen + 4) {
              // A corrupt stream: stop the producer now rather than let it wait for room forever.
              Atomics.store(ctl, 3, 1);
              Atomics.notify(h, BYTE_RING_WORDS.producerWaiting);
              return { received: next, bad: bad + 1, waits, timeouts };
            }
          } else {
            const c = checkItem(rec.subarray(4), need - 4);
            if (c.bad || c.i !== next) bad++;
            next++;
            have = 0;
            need = 4;
          }
        }
      }
      ring.consume(used);
      if (ring.takeProducerWait()) Atomics.notify(h, BYTE_RING_WORDS.producerWaiting);
      pause();
      continue;
    }
    if (ring.closed && ring.readable() === 0) break;
    if (ring.armConsumerWait()) {
      waits++;
      if (Atomics.wait(h, BYTE_RING_WORDS.consumerWaiting, 1, 10_000) === "timed-out") timeouts++;
    }
  }
  return { received: next, bad: bad + (have === 0 ? 0 : 1), waits, timeouts };
}

function slotProducer() {
  const q = kind === "spsc" ? SpscRing.attach(sab, offset) : MpmcQueue.attach(sab, offset);
  for (let i = 0; i < count; i++) {
    const len = fillItem(item, id, i);
    const src = item.subarray(0, len);
    while (!q.tryPush(src)) pause();
    pause();
  }
  Atomics.add(ctl, 0, 1);
  return {};
}

function slotConsumer() {
  const q = kind === "spsc" ? SpscRing.attach(sab, offset) : MpmcQueue.attach(sab, offset);
  const dst = new Uint8Array(q.slotSize);
  const lastIndex = new Array(producers).fill(-1);
  const got = []; // [producer, index] pairs, in the order this consumer took them
  let bad = 0;
  for (;;) {
    let n = q.tryPop(dst);
    if (n < 0) {
      if (Atomics.load(ctl, 0) !== producers) {
        pause();
        continue;
      }
      n = q.tryPop(dst); // every producer finished before this pop: empty now is empty for good
      if (n < 0) break;
    }
    const c = checkItem(dst, n);
    if (c.bad || c.i <= lastIndex[c.p]) bad++; // per-producer order as seen by one consumer
    else lastIndex[c.p] = c.i;
    got.push(c.p, c.i);
    pause();
  }
  return { received: got.length / 2, bad, got };
}

const run = { byte: { producer: byteProducer, consumer: byteConsumer } }[kind]?.[role] ?? (role === "producer" ? slotProducer : slotConsumer);
parentPort.postMessage(run());
