/**
 * FIFO helpers of the pipe transport: creation through the native addon's
 * mkfifo(3) (mode 0600), typed errors, and the refusal to open non-FIFOs.
 */
import { lstatSync, writeFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closeQuietly } from "../../runtime/transport/descriptors.js";
import { makeFifos, openFifo } from "../../runtime/transport/fifo.js";
import { loadNative, mkfifo } from "../../native/index.js";
import { IPCError } from "../../runtime/errors.js";
import { makeTempDir, removeDir } from "./helpers.js";

describe("FIFO helpers", () => {
  it("the native addon provides mkfifo(3)", () => {
    expect(typeof loadNative().mkfifo).toBe("function");
    const dir = makeTempDir();
    try {
      mkfifo(join(dir, "f"), 0o600);
      expect(lstatSync(join(dir, "f")).isFIFO()).toBe(true);
      expect(() => mkfifo(join(dir, "f"), 0o600)).toThrow(IPCError);
    } finally {
      removeDir(dir);
    }
  });

  it("creates FIFOs with mode 0600 and reports failures as IPCErrors", async () => {
    const dir = makeTempDir();
    try {
      await makeFifos([join(dir, "a"), join(dir, "b")]);
      for (const name of ["a", "b"]) {
        const st = lstatSync(join(dir, name));
        expect(st.isFIFO()).toBe(true);
        expect(st.mode & 0o777).toBe(0o600);
      }
      await expect(makeFifos([join(dir, "a")])).rejects.toSatisfy((e: unknown) => e instanceof IPCError && e.code === "InsufficientResources");
    } finally {
      removeDir(dir);
    }
  });

  it("opens FIFOs without blocking, and refuses regular files and symlinks", async () => {
    const dir = makeTempDir();
    try {
      await makeFifos([join(dir, "f")]);
      const reader = openFifo(join(dir, "f"), "read");
      const writer = openFifo(join(dir, "f"), "write");
      closeQuietly(writer);
      closeQuietly(reader);
      expect(() => openFifo(join(dir, "f"), "write")).toThrow(/ENXIO/);
      writeFileSync(join(dir, "plain"), "x");
      expect(() => openFifo(join(dir, "plain"), "readwrite")).toThrow(IPCError);
      symlinkSync(join(dir, "f"), join(dir, "link"));
      expect(() => openFifo(join(dir, "link"), "read")).toThrow(/ELOOP/);
    } finally {
      removeDir(dir);
    }
  });
});
