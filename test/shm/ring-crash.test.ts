/**
 * Issue 13 acceptance: "a child killed mid-ring-write leaves the ring
 * readable, with the partial slot never delivered". A child process writes
 * checksummed records of random sizes (up to 60 KiB, so the kill often lands
 * inside a copy) into a byte ring in a named region as fast as it can; the
 * parent reads them concurrently and SIGKILLs the child at a random moment,
 * then drains the ring. Every record read is whole (length, sequence and
 * checksum verified), the sequence has no gap, and the ring still works
 * afterwards. Ten rounds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createRegion, type SharedRegion } from "../../runtime/shm/region.js";
import { SpscByteRing } from "../../runtime/shm/byte-ring.js";
import { dist, expectNoShmLeft, startScript, uniquePrefix } from "./shm-helpers.js";

const P = uniquePrefix("rc");
const CAPACITY = 256 * 1024;
let region: SharedRegion | undefined;

afterEach(() => {
  region?.close();
  region = undefined;
  expectNoShmLeft(P);
});

/** Reads whole records out of a byte stream; returns what was left incomplete. */
class RecordReader {
  private buf = new Uint8Array(0);
  next = 0;
  add(chunk: Uint8Array): void {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    let p = 0;
    const v = new DataView(merged.buffer);
    while (merged.length - p >= 12) {
      const len = v.getUint32(p, true);
      if (merged.length - p < 12 + len) break;
      const seq = v.getUint32(p + 4, true);
      const sum = v.getUint32(p + 8, true);
      let s = seq;
      for (let i = 0; i < len; i++) s = (Math.imul(s, 31) + merged[p + 12 + i]!) >>> 0;
      if (seq !== this.next) throw new Error(`sequence gap: got ${seq}, expected ${this.next}`);
      if (s !== sum) throw new Error(`record ${seq} is corrupt`);
      this.next++;
      p += 12 + len;
    }
    this.buf = merged.slice(p);
  }
  get pending(): number {
    return this.buf.length;
  }
}

describe("byte ring: a producer killed mid-write", () => {
  it("never exposes a partial record, and the ring stays readable", async () => {
    for (let round = 0; round < 10; round++) {
      const name = `${P}${round}`;
      region = createRegion(name, SpscByteRing.bytesFor(CAPACITY));
      const ring = SpscByteRing.init(region.buffer, region.dataOffset, CAPACITY);
      const child = startScript(`
        const { openRegion } = await import(${dist("runtime/shm/region.js")});
        const { SpscByteRing } = await import(${dist("runtime/shm/byte-ring.js")});
        const r = openRegion(${JSON.stringify(name)});
        const ring = SpscByteRing.attach(r.buffer, r.dataOffset);
        const rec = new Uint8Array(12 + 61440);
        const v = new DataView(rec.buffer);
        let seq = 0, x = ${round * 7919 + 1};
        console.log("writing");
        for (;;) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          const len = x % 61440;
          let s = seq;
          for (let i = 0; i < len; i++) { const b = (seq + i) & 255; rec[12 + i] = b; s = (Math.imul(s, 31) + b) >>> 0; }
          v.setUint32(0, len, true); v.setUint32(4, seq, true); v.setUint32(8, s, true);
          while (!ring.tryWrite(rec, 0, 12 + len)) {}
          seq++;
        }
      `);
      await child.until(() => child.out.includes("writing"), "the writer");
      const reader = new RecordReader();
      const killAt = performance.now() + 20 + Math.random() * 80;
      while (performance.now() < killAt) {
        const chunk = ring.peek();
        if (chunk.length > 0) {
          reader.add(chunk);
          ring.consume(chunk.length);
        } else {
          await new Promise((r) => setImmediate(r));
        }
      }
      await child.stop("SIGKILL");
      // Drain what the dead writer published.
      for (let chunk = ring.peek(); chunk.length > 0; chunk = ring.peek()) {
        reader.add(chunk);
        ring.consume(chunk.length);
      }
      expect(reader.next).toBeGreaterThan(0);
      // Published bytes are whole records only (tryWrite is all or nothing).
      expect(reader.pending).toBe(0);
      // The ring still works: a new producer (this process) writes, the record reads back.
      const probe = new Uint8Array([1, 2, 3, 4]);
      expect(ring.tryWrite(probe, 0, 4)).toBe(true);
      expect([...ring.peek()]).toEqual([1, 2, 3, 4]);
      region.close();
      region = undefined;
    }
  }, 120_000);
});
