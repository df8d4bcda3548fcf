/**
 * `nova shm ls` and `nova shm rm`: shows and cleans this user's named
 * shared-memory regions (/dev/shm/nova-<uid>-*; runtime/shm/region.ts).
 */
import type { Command } from "commander";
import { listRegions, removeRegion, removeStaleRegions, type RegionInfo } from "../shm/region.js";
import { reportError } from "./event-lines.js";

/** One `nova shm ls` line: NAME SIZE REFS OWNERS STATE (tab-separated). */
export function regionLine(r: RegionInfo): string {
  const size = r.size === undefined ? "-" : String(r.size);
  const owners = r.owners.length === 0 ? "-" : r.owners.join(",");
  const state = r.size === undefined ? "invalid" : r.stale ? "stale" : "live";
  return `${r.name}\t${size}\t${r.refs}\t${owners}\t${state}`;
}

const LS_EXAMPLES = `
Examples:
  $ nova shm ls
  $ nova shm ls --json | jq '.[] | select(.stale)'

One line per region: NAME, usable SIZE in bytes, REFS held, live OWNER pids, and STATE:
live, stale (no live process holds it: left by a crash; "nova shm rm --stale" removes it)
or invalid (not a NovaDE region header). Listing also drops references of dead owners.`;

const RM_EXAMPLES = `
Examples:
  $ nova shm rm --stale
  $ nova shm rm ring-demo
  $ nova shm rm ring-demo --force

Removing unlinks the file: processes that have it mapped keep their memory. A region held by a
live process is refused unless --force. Exit codes: 0 ok, 1 error[Code]: message, 2 bad usage.`;

/** Registers `shm` on the `nova` program. */
export function register(program: Command): void {
  const shm = program.command("shm").description("list and remove shared-memory regions (/dev/shm/nova-<uid>-*)");
  shm
    .command("ls")
    .description("list this user's regions")
    .option("--json", "print a JSON array instead of lines")
    .addHelpText("after", LS_EXAMPLES)
    .action((options: { json?: boolean }) => {
      const regions = listRegions();
      if (options.json === true) process.stdout.write(JSON.stringify(regions) + "\n");
      else for (const r of regions) process.stdout.write(regionLine(r) + "\n");
    });
  shm
    .command("rm")
    .description("remove regions by name, or every stale one")
    .argument("[names...]", "region names (as nova shm ls prints them)")
    .option("--stale", "remove every region no live process holds")
    .option("--force", "remove even regions a live process holds")
    .addHelpText("after", RM_EXAMPLES)
    .action((names: string[], options: { stale?: boolean; force?: boolean }) => {
      if (names.length === 0 && options.stale !== true) {
        process.stderr.write("error: name a region or pass --stale (see nova shm rm --help)\n");
        process.exitCode = 2;
        return;
      }
      try {
        if (options.stale === true) for (const name of removeStaleRegions()) process.stdout.write(`removed ${name}\n`);
        for (const name of names) {
          removeRegion(name, options.force === true);
          process.stdout.write(`removed ${name}\n`);
        }
      } catch (err) {
        reportError(err);
      }
    });
}
