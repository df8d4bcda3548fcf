/**
 * Issue 11, item 1: a missing system tool or corpus package fails the test with ONE line naming the
 * Debian package, and each corpus helper needs only its own package. Every case below makes the
 * dependency really missing (a path that does not exist, a package that is not installed, an empty
 * PATH, a Python without its site packages) and runs the real helper.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { corpusFile, dbusCorpus, waylandCorpus } from "../helpers/corpus.js";
import { dbusToolFailures, dbusValidatorPath, waylandScannerFailures } from "../helpers/external-validators.js";
import { checkWaylandXml } from "../generator/support/real-tools.js";
import { debianPackageFor, debianPackages, runTool } from "../helpers/system-deps.js";

const NOT_INSTALLED = "nova-no-such-package";
const empty = mkdtempSync(join(tmpdir(), "nova-missing-"));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** The error `fn` throws (or its promise rejects with). */
async function errorOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure, got none");
}

function expectOneLineNaming(error: Error, pkg: string): void {
  expect(error.message).not.toContain("\n");
  expect(error.message).toContain(`install the Debian package ${pkg}`);
}

describe("corpus helpers ask only for their own package", () => {
  it("a Wayland corpus file is found while the D-Bus corpus cannot be listed at all", () => {
    // Without dpkg on PATH the D-Bus corpus is unreadable, as on a machine without xdg-desktop-portal-dev.
    const path = process.env.PATH;
    process.env.PATH = empty;
    try {
      expect(corpusFile("xdg-shell.xml")).toMatch(/\/xdg-shell\.xml$/);
      expect(corpusFile("wayland.xml")).toBe("/usr/share/wayland/wayland.xml");
      expect(() => dbusCorpus()).toThrow(/install the Debian package xdg-desktop-portal-dev/);
    } finally {
      process.env.PATH = path;
    }
    expect(corpusFile("xdg-shell.xml", { dbusPackage: NOT_INSTALLED })).toMatch(/\/xdg-shell\.xml$/);
  });

  it("a D-Bus corpus file is found while the Wayland corpus is missing", () => {
    const missing = { coreXml: join(empty, "wayland.xml"), protocolsDir: join(empty, "protocols") };
    expect(corpusFile("org.freedesktop.portal.Print.xml", missing)).toMatch(/\/org\.freedesktop\.portal\.Print\.xml$/);
  });

  it("a missing D-Bus corpus package fails in one line naming it", async () => {
    expectOneLineNaming(await errorOf(() => dbusCorpus(NOT_INSTALLED)), NOT_INSTALLED);
    expectOneLineNaming(await errorOf(() => corpusFile("org.freedesktop.portal.Print.xml", { dbusPackage: NOT_INSTALLED })), NOT_INSTALLED);
  });

  it("a missing wayland.xml names libwayland-dev, a missing protocols folder names wayland-protocols", async () => {
    expectOneLineNaming(await errorOf(() => waylandCorpus({ coreXml: join(empty, "wayland.xml") })), "libwayland-dev");
    expectOneLineNaming(await errorOf(() => waylandCorpus({ protocolsDir: join(empty, "protocols") })), "wayland-protocols");
  });
});

describe("spawned tools", () => {
  it.each([
    ["wayland-scanner", "libwayland-bin"],
    ["gdbus-codegen", "libglib2.0-dev-bin"],
    ["gcc", "gcc"],
    ["dbus-daemon", "dbus-daemon"],
  ])("%s missing from PATH fails in one line naming %s", async (tool, pkg) => {
    expectOneLineNaming(await errorOf(() => runTool(tool, ["--version"], { env: { PATH: empty } })), pkg);
  });

  it("the batch validators fail in one line instead of reporting every file rejected", async () => {
    const print = corpusFile("org.freedesktop.portal.Print.xml");
    const path = process.env.PATH;
    process.env.PATH = empty;
    try {
      expectOneLineNaming(await errorOf(() => waylandScannerFailures(["/usr/share/wayland/wayland.xml"])), "libwayland-bin");
      expectOneLineNaming(await errorOf(() => dbusToolFailures([print])), "libglib2.0-dev-bin");
      expectOneLineNaming(await errorOf(() => checkWaylandXml(["/usr/share/wayland/wayland.xml"])), "libwayland-bin");
    } finally {
      process.env.PATH = path;
    }
  });

  it("the D-Bus validator without python3-gi fails in one line naming python3-gi", async () => {
    const xml = join(empty, "empty.xml");
    writeFileSync(xml, "<node/>\n");
    // -S: no site packages, so `from gi.repository import ...` really fails as it does without python3-gi.
    expectOneLineNaming(await errorOf(() => runTool("/usr/bin/python3", ["-S", dbusValidatorPath(), xml])), "python3-gi");
    // With them, the same run succeeds: the failure above is the missing module, nothing else.
    expect((await runTool("/usr/bin/python3", [dbusValidatorPath(), xml])).code).toBe(0);
  });

  it("a tool that runs and rejects its input is a result, not a missing package", async () => {
    const r = await runTool("wayland-scanner", ["-s", "client-header", join(empty, "absent.xml"), join(empty, "out.h")]);
    expect(r.code).not.toBe(0);
  });
});

describe("scripts/debian-packages.txt", () => {
  it("maps commands, files under listed folders, and python modules to packages", () => {
    expect(debianPackageFor("wayland-scanner")).toBe("libwayland-bin");
    expect(debianPackageFor("/usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml")).toBe("wayland-protocols");
    expect(debianPackageFor("python3:gi")).toBe("python3-gi");
    expect(debianPackageFor("weston")).toBe("weston");
    expect(debianPackageFor("wayland-info")).toBe("wayland-utils");
    expect(debianPackageFor("no-such-tool")).toBeUndefined();
    expect(new Set(debianPackages().map((p) => p.name)).size).toBe(debianPackages().length);
  });
});
