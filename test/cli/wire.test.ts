/**
 * `nova wire encode|decode`, run as the real CLI from dist/ (built by
 * `npm test`'s pretest; rebuilt here when missing or stale), checked against
 * frames computed by hand from idl/WIRE.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { referenceCrc32 } from "../wire/arbitraries.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = `${root}dist/bin/nova.js`;
const fixture = (name: string) => `${root}test/fixtures/wire/${name}`;

function nova(args: string[], input: string | Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** Parses an annotated hex fixture: whitespace and `#` comments are ignored. */
function hexFixture(name: string): Buffer {
  const text = readFileSync(fixture(name), "utf8").replace(/#[^\n]*/g, "").replace(/\s+/g, "");
  return Buffer.from(text, "hex");
}

beforeAll(() => {
  const sources = ["bin/nova.ts", "runtime/cli/wire-command.ts", "runtime/wire/frame.ts", "runtime/wire/body.ts", "runtime/wire/message-json.ts"];
  const stale = !existsSync(cli) || sources.some((s) => statSync(`${root}${s}`).mtimeMs > statSync(cli).mtimeMs);
  if (stale) {
    // Other folders may be mid-edit; tsc still emits our files, so only the output matters.
    spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.build.json`], { cwd: root, stdio: "ignore" });
  }
  expect(existsSync(cli), "dist/bin/nova.js: run npm run build").toBe(true);
});

describe("nova wire: hand-computed test vectors", { timeout: 60_000 }, () => {
  for (const name of ["heartbeat", "request-json"]) {
    it(`${name}: the fixture's CRC is right and encode matches it byte for byte`, () => {
      const expected = hexFixture(`${name}.hex`);
      const zeroed = Buffer.from(expected);
      zeroed.fill(0, 36, 40);
      expect(expected.readUInt32LE(36)).toBe(referenceCrc32(zeroed));
      const r = nova(["wire", "encode"], readFileSync(fixture(`${name}.json`)));
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout.toString("hex")).toBe(expected.toString("hex"));
      const hex = nova(["wire", "encode", "--hex"], readFileSync(fixture(`${name}.json`)));
      expect(hex.stdout.toString()).toBe(`${expected.toString("hex")}\n`);
    });

    it(`${name}: decode of the fixture prints the input JSON`, () => {
      const r = nova(["wire", "decode"], hexFixture(`${name}.hex`));
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toBe(readFileSync(fixture(`${name}.json`), "utf8"));
    });
  }
});

describe("nova wire: decode(encode(x)) = x for all four types", { timeout: 60_000 }, () => {
  const common = '"messageId":"18446744073709551615","correlationId":"7","timestampNs":"1764158400123456789"';
  const inputs = [
    `{"type":"request",${common},"compression":"lz4","body":{"method":"org.novade.Shell.launch","params":["term",{"$n":"-9"},{"$b":"AAEC"},null,{"x":[1.5,true]}],"timeoutMs":5000,"flags":1}}`,
    `{"type":"response",${common},"format":"json","compression":"zstd","body":{"status":1,"value":null,"error":{"code":"RemoteError","message":"denied","errorName":"org.novade.Denied","data":{"who":"me"}},"executionTimeUs":250}}`,
    `{"type":"event",${common},"body":{"eventType":"window.opened","data":{"id":{"$n":"12"},"title":"Terminal"},"sourceId":"99","priority":200}}`,
    `{"type":"heartbeat",${common},"body":{"pid":"4242","loadAverage":0.3,"memoryBytes":"123456789012","uptimeSeconds":"86400"}}`,
  ];
  for (const input of inputs) {
    it(JSON.parse(input).type, () => {
      const frame = nova(["wire", "encode"], input);
      expect(frame.status).toBe(0);
      const back = nova(["wire", "decode"], frame.stdout);
      expect(back.stderr).toBe("");
      expect(back.stdout.toString()).toBe(`${input}\n`);
    });
  }
});

describe("nova wire: errors and usage", { timeout: 60_000 }, () => {
  const good = hexFixture("request-json.hex");

  it("a corrupt frame exits 1 with CorruptedMessage on stderr", () => {
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 0xff;
    const r = nova(["wire", "decode"], bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error\[CorruptedMessage\]: CRC mismatch/);
    expect(r.stdout.length).toBe(0);
  });

  it("a truncated frame exits 1 with TruncatedMessage on stderr", () => {
    const r = nova(["wire", "decode"], good.subarray(0, good.length - 5));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error\[TruncatedMessage\]/);
  });

  it("invalid JSON and an invalid message exit 1 naming the problem", () => {
    expect(nova(["wire", "encode"], "{not json")).toMatchObject({ status: 1, stderr: expect.stringMatching(/^error\[InvalidArgument\]/) });
    const r = nova(["wire", "encode"], '{"type":"event","messageId":"-1","correlationId":"0","timestampNs":"0","body":{}}');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error\[MessageValidationFailed\]: \$\.messageId/);
  });

  it("bad usage exits 2; --help exits 0 and shows examples", () => {
    expect(nova(["wire", "frobnicate"], "").status).toBe(2);
    expect(nova(["wire", "encode", "--format", "xml"], "").status).toBe(2);
    expect(nova([], "").status).toBe(2);
    const help = nova(["wire", "--help"], "");
    expect(help.status).toBe(0);
    expect(help.stdout.toString()).toContain("Examples:");
  });
});
