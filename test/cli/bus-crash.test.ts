/**
 * Issue 12 acceptance, "Crash test (in the suite)": a publisher process
 * (crash-publisher.mjs) streams acknowledged persistent emits with sequence
 * numbers to a `nova bus --log DIR --fsync group` child process, which is
 * killed with SIGKILL at a random moment, 20 times. After each restart the
 * log holds every acknowledged event exactly once and in order, at the offset
 * its acknowledgement named, with no corrupt record; at most the unacknowledged
 * tail of each round is missing. The publisher reconnects and continues with
 * new sequence numbers (never resending an unacknowledged one). At the end,
 * `nova replay` prints the same history and exits 0.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLog } from "../../runtime/events/log/event-log.js";
import type { CorruptionReport } from "../../runtime/events/log/recovery.js";
import { ensureBuilt, makeTempDir, removeDir } from "../transport/helpers.js";
import { runNova, startBus, startNode, type Proc } from "./processes.js";

const PUBLISHER = fileURLToPath(new URL("./crash-publisher.mjs", import.meta.url));
const ROUNDS = 20;

/** What one round of the publisher reported. */
interface Round {
  first: number;
  lastSent: number;
  acked: Map<number, number>; // seq -> offset
  nacked: number[];
}

/** Stats for the report. */
interface RoundStats {
  acked: number;
  unacked: number;
  unackedPersisted: number;
  unackedLost: number;
  killAfterMs: number;
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** The log as a list of {offset, seq, id}, with every corrupt stretch reported. */
async function readLog(dir: string): Promise<{ records: { offset: number; seq: number; id: bigint }[]; corruptions: CorruptionReport[]; truncated: number }> {
  const corruptions: CorruptionReport[] = [];
  const log = await EventLog.open(dir, { onCorruption: (c) => corruptions.push(c) });
  const records = [];
  try {
    for await (const { offset, event } of log.replay()) {
      expect(event.body.eventType).toBe("crash.seq");
      records.push({ offset, seq: (event.body.data as { seq: number }).seq, id: event.messageId });
    }
  } finally {
    await log.close();
  }
  return { records, corruptions, truncated: log.recovery.truncatedBytes };
}

/** The publisher's lines of the round that starts at line `from`, up to its `end` line. */
function parseRound(lines: readonly string[], from: number, first: number): { round: Round; next: number } {
  const round: Round = { first, lastSent: -1, acked: new Map(), nacked: [] };
  let i = from;
  for (; i < lines.length; i++) {
    const [kind, a, b] = lines[i]!.split(" ");
    if (kind === "ack") round.acked.set(Number(a), Number(b));
    else if (kind === "nack") round.nacked.push(Number(a));
    else if (kind === "end") {
      round.lastSent = Number(a);
      return { round, next: i + 1 };
    } else expect(kind).toBe("connected");
  }
  throw new Error("round without an end line");
}

describe("crash test: nova bus killed with SIGKILL while a publisher streams persistent events", () => {
  let dir: string;
  let bus: Proc | undefined;
  let publisher: Proc | undefined;
  beforeAll(() => {
    ensureBuilt("runtime/bus/index.js");
    dir = makeTempDir("nova-crash-");
  });
  afterAll(async () => {
    await publisher?.stop("SIGKILL");
    await bus?.stop("SIGKILL");
    removeDir(dir);
  });

  it(`loses no acknowledged event, duplicates none and corrupts nothing over ${ROUNDS} kills`, async () => {
    const socket = join(dir, "bus.sock");
    const logDir = join(dir, "log");
    const busArgs = ["--log", logDir, "--fsync", "group"];
    bus = await startBus(socket, busArgs);
    publisher = startNode(PUBLISHER, [socket, "16"], "crash publisher");
    const rounds: Round[] = [];
    const stats: RoundStats[] = [];
    let cursor = 0;
    let nextSeq = 1;
    let tornTails = 0; // restarts whose log open cut a torn tail (reported by nova bus on stderr)

    for (let r = 0; r < ROUNDS; r++) {
      publisher.write("go\n");
      // A random moment once this round is streaming (at least one acknowledgement).
      await publisher.until(() => publisher!.out.slice(cursor).some((l) => l.startsWith("ack ")), `round ${r}: a first ack`);
      const killAfterMs = Math.floor(Math.random() * 80);
      await delay(killAfterMs);
      expect(await bus.stop("SIGKILL")).toMatchObject({ signal: "SIGKILL" });
      expect(bus.err.filter((l) => !l.startsWith("note: event log: cut a torn tail"))).toEqual([]);
      // (stderr of a bus is what it found when it opened the log: the previous kill's torn tail)
      if (bus.err.length > 0) tornTails++;
      await publisher.until(() => publisher!.out.slice(cursor).some((l) => l.startsWith("end ")), `round ${r}: its end`);
      const { round, next } = parseRound(publisher.out, cursor, nextSeq);
      cursor = next;
      nextSeq = round.lastSent + 1;
      rounds.push(round);

      // The round's acks are a prefix of what it sent; the rest failed (never acknowledged).
      const sent = round.lastSent - round.first + 1;
      expect(round.acked.size).toBeGreaterThan(0);
      expect([...round.acked.keys()]).toEqual(Array.from({ length: round.acked.size }, (_, k) => round.first + k));
      expect(round.acked.size + round.nacked.length).toBe(sent);

      // Restart on the same socket and log; the publisher stays away until the check is done.
      bus = await startBus(socket, busArgs);
      const { records, corruptions, truncated } = await readLog(logDir);
      expect(corruptions).toEqual([]);
      expect(truncated).toBe(0); // the restarted bus already cut any torn tail
      expect(records.map((x) => x.offset)).toEqual(records.map((_, k) => k));
      for (let k = 1; k < records.length; k++) {
        expect(records[k]!.seq).toBeGreaterThan(records[k - 1]!.seq); // exactly once, in order
        expect(records[k]!.id > records[k - 1]!.id).toBe(true); // event ids stay unique across restarts
      }
      const bySeq = new Map(records.map((x) => [x.seq, x.offset]));
      for (const past of rounds) {
        // Every acknowledged event, at the offset its acknowledgement named.
        for (const [seq, offset] of past.acked) expect(bySeq.get(seq), `seq ${seq}`).toBe(offset);
        // Of each round only an unacknowledged tail may be missing: what is there is a prefix.
        const kept = records.filter((x) => x.seq >= past.first && x.seq <= past.lastSent).map((x) => x.seq);
        expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => past.first + k));
        expect(kept.length).toBeGreaterThanOrEqual(past.acked.size);
      }
      expect(records.at(-1)!.seq).toBeLessThanOrEqual(round.lastSent);
      const kept = records.filter((x) => x.seq >= round.first).length;
      stats.push({ acked: round.acked.size, unacked: round.nacked.length, unackedPersisted: kept - round.acked.size, unackedLost: round.lastSent - round.first + 1 - kept, killAfterMs });
    }

    publisher.child.stdin!.end("quit\n");
    expect((await publisher.exited).code).toBe(0);
    const last = await bus.stop("SIGTERM");
    expect(last).toMatchObject({ code: 0 });
    if (last.stderr !== "") tornTails++;
    expect(lines(last.stderr).filter((l) => !l.startsWith("note: event log: cut a torn tail"))).toEqual([]);
    bus = undefined;

    // The whole history through the CLI: exit 0 (no corrupt record), every acknowledged event once, in order.
    const replayed = await runNova(["replay", "--log", logDir]);
    expect(replayed).toMatchObject({ code: 0, stderr: "" });
    const printed = lines(replayed.stdout).map((l) => JSON.parse(l) as { offset: number; topic: string; data: { seq: number } });
    expect(printed.map((l) => l.offset)).toEqual(printed.map((_, k) => k));
    const seqs = printed.map((l) => l.data.seq);
    for (let k = 1; k < seqs.length; k++) expect(seqs[k]!).toBeGreaterThan(seqs[k - 1]!);
    const ackedAll = rounds.flatMap((x) => [...x.acked.entries()]);
    const offsetOf = new Map(printed.map((l) => [l.data.seq, l.offset]));
    for (const [seq, offset] of ackedAll) expect(offsetOf.get(seq)).toBe(offset);
    const lostAll = stats.reduce((n, s) => n + s.unackedLost, 0);
    expect(seqs.length).toBe(nextSeq - 1 - lostAll);

    const sum = (f: (s: RoundStats) => number): number => stats.reduce((n, s) => n + f(s), 0);
    console.log(
      `crash test: ${ROUNDS} SIGKILLs; acknowledged per round ${stats.map((s) => s.acked).join(",")} (total ${sum((s) => s.acked)}); ` +
        `unacknowledged per round ${stats.map((s) => s.unacked).join(",")}, of which persisted anyway ${sum((s) => s.unackedPersisted)} and lost ${sum((s) => s.unackedLost)}; ` +
        `log ${seqs.length} records, 0 corrupt; ${tornTails} restarts cut a torn tail`,
    );
  }, 60_000);
});
