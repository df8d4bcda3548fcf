/**
 * The pipe transport's rendezvous FIFO is a decoder of untrusted input: any
 * bytes written into it, and records pointing at things that are not a
 * client's FIFO pair, must leave the listener serving real clients, and must
 * never make it write into a file it was pointed at.
 */
import { closeSync, constants, openSync, readFileSync, writeFileSync, mkdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createChannel, listen, type Channel, type Listener } from "../../runtime/transport/index.js";
import { dataOf, endpointIn, eventMessage, makeTempDir, removeDir } from "./helpers.js";

describe("pipe rendezvous", () => {
  let dir: string;
  let listener: Listener;

  beforeAll(async () => {
    dir = makeTempDir();
    listener = await listen(endpointIn(dir, "pipe", "rdv"), "pipe");
    listener.onConnection((ch) => ch.setHandler({ onMessage: (m) => void ch.send(m) }));
  });
  afterAll(async () => {
    await listener.close(false);
    removeDir(dir);
  });

  async function echoWorks(): Promise<void> {
    const client: Channel = await createChannel(listener.endpoint, "pipe");
    await client.send(eventMessage(1, "still serving"));
    expect(dataOf(await client.receive(5000))).toBe("still serving");
    await client.close(false);
  }

  function inject(bytes: Uint8Array): void {
    const fd = openSync(listener.endpoint, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
  }

  it("ignores records that point at regular files, symlinks or nothing", async () => {
    const trap = join(dir, "trap");
    mkdirSync(trap);
    writeFileSync(join(trap, "c2s"), "untouched");
    writeFileSync(join(trap, "s2c"), "untouched");
    for (const target of [trap, "/nonexistent/dir", "relative/dir", "/etc"]) inject(Buffer.from(`NOVA-PIPE/1 ${target}\n`));
    await echoWorks();
    expect(readFileSync(join(trap, "s2c"), "utf8")).toBe("untouched");
    expect(readFileSync(join(trap, "c2s"), "utf8")).toBe("untouched");
  });

  it("keeps serving after arbitrary bytes in the rendezvous FIFO", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        inject(bytes);
        inject(Buffer.from("\n"));
        await echoWorks();
      }),
      { numRuns: 15 },
    );
  });
});
