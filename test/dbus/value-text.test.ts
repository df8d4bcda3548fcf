/**
 * The two text forms `nova dbus` reads arguments in: GVariant text (gvariant-parse.ts) and
 * busctl's words (busctl-args.ts). GVariant text must read back everything formatBody prints
 * (which the GLib oracle holds to g_variant_print), for random bodies of every type; both report
 * malformed input as InvalidArgument. Interop with the real gdbus and busctl is in
 * test/cli/dbus-cli.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBusctlArgs } from "../../runtime/dbus/busctl-args.js";
import { parseGVariant, parseGVariantBody, parseGVariantInferred } from "../../runtime/dbus/gvariant-parse.js";
import { Variant, formatBody, formatValue } from "../../runtime/dbus/wire/index.js";
import { IPCError } from "../../runtime/errors.js";
import { thrownCode } from "../helpers/ipc-error.js";
import { body } from "./wire-arbitraries.js";

describe("GVariant text", () => {
  it("reads back every body formatBody prints (annotated and not)", () => {
    fc.assert(
      fc.property(body, ({ signature, values }) => {
        expect(parseGVariantBody(signature, formatBody(signature, values))).toEqual(values);
        // Unannotated text too: the expected types say what each value is.
        expect(parseGVariantBody(signature, formatBody(signature, values, false))).toEqual(values);
      }),
      { numRuns: 400 },
    );
  });

  it("reads what people type to gdbus call", () => {
    expect(parseGVariantBody("dd", "(2, 3.5)")).toEqual([2, 3.5]);
    expect(parseGVariantBody("s", "('it\\'s',)")).toEqual(["it's"]);
    expect(parseGVariantBody("s", '("tab\\there \\u00e9 \\U0001F600",)')).toEqual(["tab\there é 😀"]);
    expect(parseGVariantBody("a{sv}", "({'n': <int64 -5>, 'b': <true>, 'l': <['a', 'b']>, 'd': <1e3>},)")).toEqual([
      new Map<string, Variant>([["n", new Variant("x", -5n)], ["b", new Variant("b", true)], ["l", new Variant("as", ["a", "b"])], ["d", new Variant("d", 1000)]]),
    ]);
    expect(parseGVariantBody("ayqt", "(b'A\\377', 0x10, 18446744073709551615)")).toEqual([Uint8Array.of(65, 255, 0), 16, 18446744073709551615n]);
    expect(parseGVariantBody("ai", "(@ai [],)")).toEqual([[]]);
    expect(parseGVariantBody("", "()")).toEqual([]);
    expect(parseGVariantBody("", "")).toEqual([]);
    expect(parseGVariant("(ib)", "(010, false)")).toEqual([8, false]); // a leading 0 is octal, as in GLib
    expect(parseGVariant("v", "<[1, 2.5]>")).toEqual(new Variant("ad", [1, 2.5]));
  });

  it("infers a value's type as GLib does when none is expected", () => {
    expect(parseGVariantInferred("uint32 7")).toEqual(new Variant("u", 7));
    expect(parseGVariantInferred("7")).toEqual(new Variant("i", 7));
    expect(parseGVariantInferred("(objectpath '/a', [byte 0x01, 0x02], {'k': <5.0>})")).toEqual(
      new Variant("(oaya{sv})", ["/a", Uint8Array.of(1, 2), new Map([["k", new Variant("d", 5)]])]),
    );
  });

  it("rejects malformed text and values that do not fit their type with InvalidArgument", () => {
    const cases: [string, string][] = [
      ["i", "2147483648"], ["y", "-1"], ["u", "'7'"], ["s", "'open"], ["o", "'no/slash'"], ["(ii)", "(1,)"],
      ["i", "1 2"], ["i", "uint32 1"], ["as", "[1]"], ["v", "<[]>"], ["d", "1.2.3"], ["s", "'\\u12'"], ["g", "'Q'"],
    ];
    for (const [sig, text] of cases) expect(thrownCode(() => parseGVariant(sig, text)), `${sig} ${text}`).toBe("InvalidArgument");
    expect(thrownCode(() => parseGVariantBody("ii", "(1, 2, 3)"))).toBe("InvalidArgument");
    expect(thrownCode(() => parseGVariantBody("i", "5"))).toBe("InvalidArgument");
    expect(thrownCode(() => parseGVariantInferred("<".repeat(100_000)))).toBe("InvalidArgument");
    // Random text made of GVariant's own characters and keywords: a value or an InvalidArgument, never anything else.
    const token = fc.constantFrom("(", ")", "[", "]", "{", "}", "<", ">", "@", "'", '"', "b'", ",", ":", " ", "\\", "\\u", "-", "0x", "1", "07", "2.5e3",
      "true", "uint32 ", "int64 ", "objectpath ", "@as ", "@a{sv} ", "a", "s", "v", "inf", "nan");
    fc.assert(
      fc.property(fc.array(token, { maxLength: 16 }).map((t) => t.join("")), (text) => {
        try {
          parseGVariantInferred(text);
        } catch (error) {
          expect(error).toBeInstanceOf(IPCError);
          expect((error as IPCError).code).toBe("InvalidArgument");
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("busctl arguments", () => {
  it("reads busctl(1)'s own examples and every kind of type", () => {
    expect(parseBusctlArgs("s", ["jawoll"])).toEqual(["jawoll"]);
    expect(parseBusctlArgs("as", ["3", "hello", "world", "foobar"])).toEqual([["hello", "world", "foobar"]]);
    expect(parseBusctlArgs("a{sv}", ["3", "One", "s", "Eins", "Two", "u", "2", "Yes", "b", "true"])).toEqual([
      new Map<string, Variant>([["One", new Variant("s", "Eins")], ["Two", new Variant("u", 2)], ["Yes", new Variant("b", true)]]),
    ]);
    expect(parseBusctlArgs("(iy)bbxtdogay", ["-3", "255", "yes", "off", "-9223372036854775808", "0x10", "-1.5e3", "/a/b", "a{sv}", "2", "1", "2"])).toEqual([
      [-3, 255], true, false, -(2n ** 63n), 16n, -1500, "/a/b", "a{sv}", Uint8Array.of(1, 2),
    ]);
  });

  it("agrees with formatValue on what it read (busctl words → value → GVariant text)", () => {
    expect(formatValue("a(sv)", parseBusctlArgs("a(sv)", ["2", "x", "i", "5", "y", "as", "1", "z"])[0])).toBe("[('x', <5>), ('y', <['z']>)]");
  });

  it("rejects missing, extra and malformed words with InvalidArgument", () => {
    const cases: [string, string[]][] = [
      ["i", []], ["i", ["1", "2"]], ["as", ["2", "a"]], ["as", ["-1"]], ["b", ["maybe"]], ["o", ["x"]], ["y", ["256"]], ["as", ["99999999999"]], ["v", ["Q", "1"]],
    ];
    for (const [sig, words] of cases) expect(thrownCode(() => parseBusctlArgs(sig, words)), `${sig} ${words.join(" ")}`).toBe("InvalidArgument");
    expect(thrownCode(() => parseBusctlArgs("v", [...Array<string>(100_000).fill("v"), "i", "1"]))).toBe("InvalidArgument");
  });
});
