/**
 * The codec against GLib (python3-gi, one long-lived process): random
 * signatures and values, both directions, both byte orders.
 *  - our encode → GLib's Gio.DBusMessage.new_from_blob → GLib prints exactly what formatBody prints;
 *  - GLib builds the body from formatBody's text (GLib.Variant.parse) and encodes it ('l' and 'B')
 *    → our decode gives back the values.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Variant, decodeMessage, encodeMessage, formatBody, type DbusMessage } from "../../runtime/dbus/wire/index.js";
import { debianPackageFor, missingDependency } from "../helpers/system-deps.js";
import { GlibOracle } from "./wire-glib-oracle.js";
import { FD_COUNT, body } from "./wire-arbitraries.js";

const FDS = Array.from({ length: FD_COUNT }, (_, i) => i);
let oracle: GlibOracle;

beforeAll(async () => {
  oracle = GlibOracle.start();
  const probe = await oracle.ask({ op: "decode", blob: "" }).catch((e: Error) => ({ ok: false, error: e.message }));
  if (/No module named 'gi'/.test(`${probe.error ?? ""}${oracle.stderr}`)) throw missingDependency("python module gi", debianPackageFor("python3:gi"));
});
afterAll(async () => {
  await oracle?.stop();
});

function call(signature: string, values: unknown[], serial: number): DbusMessage {
  return {
    type: "method_call",
    flags: 0,
    serial,
    path: "/org/novade/Test",
    interface: "org.novade.Test",
    member: "Echo",
    destination: "org.novade.Peer",
    signature,
    body: values,
    fds: signature.includes("h") ? FDS : [],
  };
}

/** Whether GLib decodes its own encoding of `values` (built from our text form) back to the same text. */
async function glibRoundTrips(signature: string, values: unknown[]): Promise<boolean> {
  const text = signature === "" ? "()" : formatBody(signature, values);
  const encoded = await oracle.ask({ op: "encode", kind: "call", endian: "l", serial: 1, path: "/x", member: "M", signature, text, nfds: FD_COUNT });
  if (encoded.error !== undefined) return false;
  const decoded = await oracle.ask({ op: "decode", blob: encoded.blob });
  return decoded.error === undefined && decoded.print === text;
}

describe("D-Bus codec vs GLib", () => {
  it("GLib decodes what we encode, and prints it as formatBody does", async () => {
    let serial = 1;
    await fc.assert(
      fc.asyncProperty(body, async ({ signature, values }) => {
        const msg = call(signature, values, serial++);
        const { bytes, fds } = encodeMessage(msg);
        const answer = await oracle.ask({ op: "decode", blob: Buffer.from(bytes).toString("base64") });
        if (answer.error !== undefined || answer.print !== formatBody(signature, decodeMessage(bytes, FDS).body)) {
          // GLib 2.74 cannot read back some of its own encodings (a{ng} {0: 'av(y(yyyy)y)', -1: ''} loses an
          // entry): such a value is a GLib defect, not ours, when GLib's own encoding of it fails the same way.
          fc.pre(await glibRoundTrips(signature, values));
        }
        expect(answer.error).toBeUndefined();
        expect(answer).toMatchObject({ ok: true, signature, serial: msg.serial, type: 1, path: msg.path, interface: msg.interface, member: msg.member, destination: msg.destination });
        expect(answer.nfds).toBe(fds.length);
        // Our own decode with descriptor i at index i gives the indices GLib prints for `h`.
        const ours = decodeMessage(bytes, FDS);
        expect(answer.print).toBe(formatBody(signature, ours.body));
      }),
      { numRuns: 400 },
    );
  });

  it.each(["l", "B"])("we decode what GLib encodes in byte order '%s'", async (endian) => {
    let serial = 1;
    await fc.assert(
      fc.asyncProperty(body, async ({ signature, values }) => {
        const text = signature === "" ? "()" : formatBody(signature, values);
        const answer = await oracle.ask({
          op: "encode", kind: "signal", endian, serial: serial++, path: "/a/b", interface: "org.novade.Sig", member: "Changed",
          sender: ":1.7", signature, text, nfds: FD_COUNT,
        });
        expect(answer.error).toBeUndefined();
        const bytes = Buffer.from(answer.blob!, "base64");
        expect(String.fromCharCode(bytes[0]!)).toBe(endian);
        const msg = decodeMessage(bytes, FDS);
        expect(msg).toMatchObject({ type: "signal", path: "/a/b", interface: "org.novade.Sig", member: "Changed", sender: ":1.7", signature });
        expect(msg.body).toEqual(values);
      }),
      { numRuns: 400 },
    );
  });

  it("GLib reads our method returns, errors and signals with their header fields", async () => {
    const cases: [DbusMessage, Record<string, unknown>][] = [
      [{ type: "method_return", flags: 1, serial: 9, replySerial: 4, destination: ":1.2", signature: "s", body: ["r"], fds: [] }, { type: 2, reply_serial: 4, destination: ":1.2", print: "('r',)" }],
      [{ type: "error", flags: 1, serial: 10, replySerial: 5, errorName: "org.novade.Error.Bad", signature: "s", body: ["why"], fds: [] }, { type: 3, error_name: "org.novade.Error.Bad", reply_serial: 5 }],
      [{ type: "signal", flags: 0, serial: 11, path: "/s", interface: "org.novade.S", member: "Changed", sender: ":1.9", signature: "", body: [], fds: [] }, { type: 4, path: "/s", member: "Changed", sender: ":1.9", print: "()" }],
    ];
    for (const [msg, expected] of cases) {
      const answer = await oracle.ask({ op: "decode", blob: Buffer.from(encodeMessage(msg).bytes).toString("base64") });
      expect(answer).toMatchObject({ ok: true, serial: msg.serial, flags: msg.flags, ...expected });
    }
  });

  it("covers every type, nested dicts, variants in variants and special doubles in both byte orders", async () => {
    const signature = "ybnqiuxtdsogha{sa{sv}}(i(dv))avhd";
    const values: unknown[] = [
      255, true, -32768, 65535, -2147483648, 4294967295, -(2n ** 63n), 2n ** 64n - 1n, -0, "zwölf ✓ 😀 'q' \"d\" \\ \n", "/a/b_c", "a{sv}(ii)", 3,
      new Map([["outer", new Map([["k", new Variant("v", new Variant("ay", new Uint8Array([104, 105, 0])))]])]]),
      [7, [-Number.MAX_VALUE, new Variant("a{ot}", new Map([["/", 1n]]))]],
      [new Variant("s", ""), new Variant("ai", []), new Variant("(sb)", ["x", false])],
      1, Number.POSITIVE_INFINITY,
    ];
    const encoded = encodeMessage(call(signature, values, 99));
    const decodedByGlib = await oracle.ask({ op: "decode", blob: Buffer.from(encoded.bytes).toString("base64") });
    expect(decodedByGlib.print).toBe(formatBody(signature, decodeMessage(encoded.bytes, FDS).body));
    // GLib prints subnormals with %.17g like any double (it cannot parse them back, so only this direction).
    const tiny = encodeMessage(call("ad", [[Number.MIN_VALUE, -1e-310, 1e300]], 100));
    const tinyByGlib = await oracle.ask({ op: "decode", blob: Buffer.from(tiny.bytes).toString("base64") });
    expect(tinyByGlib.print).toBe(formatBody("ad", [[Number.MIN_VALUE, -1e-310, 1e300]]));
    expect(tinyByGlib.print).toBe("([4.9406564584124654e-324, -9.9999999999999694e-311, 1.0000000000000001e+300],)");
    // Exact ties at the 18th significant digit round to even, as C's printf does (GLib prints 1727593670469747.25 as ...747.2).
    const ties = [1727593670469747.25, -1727593670469747.25, 2 ** 50 + 0.75, 2 ** 52 + 0.5];
    const tieMsg = encodeMessage(call("ad", [ties], 101));
    const tiesByGlib = await oracle.ask({ op: "decode", blob: Buffer.from(tieMsg.bytes).toString("base64") });
    expect(tiesByGlib.print).toBe(formatBody("ad", [ties]));
    for (const endian of ["l", "B"]) {
      const answer = await oracle.ask({ op: "encode", kind: "call", endian, serial: 5, path: "/x", member: "M", signature, text: formatBody(signature, values), nfds: FD_COUNT });
      expect(answer.error).toBeUndefined();
      expect(decodeMessage(Buffer.from(answer.blob!, "base64"), FDS).body).toEqual(values);
    }
  });
});
