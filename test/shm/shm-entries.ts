/** This user's shared-memory regions in /dev/shm, for the leak checks (shm-helpers.ts, the global teardown). */
import { readdirSync } from "node:fs";

/**
 * This user's /dev/shm/nova-<uid>-<namePrefix>* entries. Test files run in
 * parallel, so each checks only the names it uses (a unique prefix per file).
 */
export function novaShmEntries(namePrefix = ""): string[] {
  const prefix = `nova-${process.getuid?.() ?? 0}-${namePrefix}`;
  try {
    return readdirSync("/dev/shm").filter((e) => e.startsWith(prefix));
  } catch {
    return [];
  }
}
