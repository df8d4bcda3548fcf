/**
 * Endpoints and channel creation errors (spec 5.1.1 create_channel): the
 * runtime directory and its modes, name validation, unsupported transports,
 * buffer-size bounds.
 */
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createChannel, listen, resolveEndpoint, runtimeDirectory } from "../../runtime/transport/index.js";
import { makeTempDir, removeDir } from "./helpers.js";
import { settledCode as codeOf } from "../helpers/ipc-error.js";


describe("endpoints", () => {
  const savedXdg = process.env.XDG_RUNTIME_DIR;
  afterEach(() => {
    if (savedXdg === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = savedXdg;
  });

  it("puts short names under $XDG_RUNTIME_DIR/nova with a 0700 directory and a 0600 socket", async () => {
    const xdg = makeTempDir();
    process.env.XDG_RUNTIME_DIR = xdg;
    try {
      const listener = await listen("org.novade.Test", "unix");
      expect(listener.endpoint).toBe(join(xdg, "nova", "org.novade.Test.sock"));
      expect(statSync(join(xdg, "nova")).mode & 0o777).toBe(0o700);
      expect(statSync(listener.endpoint).mode & 0o777).toBe(0o600);
      const client = await createChannel("org.novade.Test", "unix");
      await client.close(false);
      await listener.close(false);
      const fifo = await listen("org.novade.Test", "pipe");
      expect(fifo.endpoint).toBe(join(xdg, "nova", "org.novade.Test.fifo"));
      expect(statSync(fifo.endpoint).mode & 0o777).toBe(0o600);
      await fifo.close(false);
    } finally {
      removeDir(xdg);
    }
  });

  it("falls back to $TMPDIR/nova-<uid> without XDG_RUNTIME_DIR", () => {
    delete process.env.XDG_RUNTIME_DIR;
    expect(runtimeDirectory()).toBe(join(tmpdir(), `nova-${process.getuid!()}`));
    expect(resolveEndpoint("x", "unix")).toBe(join(tmpdir(), `nova-${process.getuid!()}`, "x.sock"));
  });

  it("rejects bad names with InvalidEndpointName", async () => {
    for (const bad of ["", "a/b", "../x", "has space", "-lead", "x".repeat(101), "a\0b"]) {
      expect(await codeOf(createChannel(bad, "unix")), bad).toBe("InvalidEndpointName");
    }
    expect(await codeOf(listen("/tmp/" + "x".repeat(120) + ".sock", "unix"))).toBe("InvalidEndpointName");
  });

  it("fails an unknown transport with TransportNotSupported, and shm with no server with EndpointUnreachable", async () => {
    expect(await codeOf(createChannel("x", "carrier-pigeon" as never))).toBe("TransportNotSupported");
    expect(await codeOf(listen("x", "carrier-pigeon" as never))).toBe("TransportNotSupported");
    expect(await codeOf(createChannel(`nobody-${process.pid}`, "shm"))).toBe("EndpointUnreachable");
  });

  it("checks bufferSize against 4096..1048576", async () => {
    const dir = makeTempDir();
    try {
      const listener = await listen(join(dir, "b.sock"), "unix");
      expect(await codeOf(createChannel(listener.endpoint, "unix", 4095))).toBe("InvalidArgument");
      expect(await codeOf(createChannel(listener.endpoint, "unix", 1_048_577))).toBe("InvalidArgument");
      const ok = await createChannel(listener.endpoint, "unix", 4096);
      await ok.close(false);
      await listener.close(false);
      expect(await codeOf(listener.close())).toBe("ChannelAlreadyClosed");
    } finally {
      removeDir(dir);
    }
  });
});
