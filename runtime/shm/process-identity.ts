/**
 * Who owns a piece of shared memory: a process id plus the process's start
 * time (field 22 of /proc/<pid>/stat, in clock ticks since boot). The pair
 * survives pid reuse: a new process that got a dead owner's pid has another
 * start time, so a region or a lock it never touched is not taken for its.
 */
import { readFileSync } from "node:fs";

/**
 * Fields 3.. of /proc/<pid>/stat (index 0 is field 3, the state; index 19 is
 * field 22, the start time), or undefined when it cannot be read.
 */
function statFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')': split after the LAST ')'.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The start time of `pid` in clock ticks since boot, or undefined when it does not exist (or /proc is not readable). */
export function processStartTime(pid: number): number | undefined {
  const ticks = Number(statFields(pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

let ownStart: number | undefined;

/** This process's start time (read once). 0 when /proc is not readable. */
export function ownStartTime(): number {
  ownStart ??= processStartTime(process.pid) ?? 0;
  return ownStart;
}

/**
 * Whether the process recorded as (`pid`, `startTime`) still runs. A start
 * time of 0 (unknown when recorded) compares by pid alone; start times
 * compare as uint32, the width shared-memory tables store. A zombie (exited,
 * not yet reaped: state Z) counts as dead: it holds nothing any more.
 */
export function processAlive(pid: number, startTime: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else (still alive).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const rest = statFields(pid);
  if (rest === undefined) return true;
  if (rest[0] === "Z" || rest[0] === "X") return false;
  if (startTime === 0) return true;
  // Shared-memory tables keep the start time as a uint32 (ticks wrap after 497 days at 100 Hz).
  return Number(rest[19]) >>> 0 === startTime >>> 0;
}
