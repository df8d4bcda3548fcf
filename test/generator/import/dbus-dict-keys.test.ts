/**
 * Every basic D-Bus type is a valid dict key (`a{uv}`, `a{bs}`, `a{hv}`, …): through the whole chain, import →
 * .nidl → check → D-Bus XML (accepted by gdbus-codegen and the validator), TypeScript and schema entries; and
 * the other way, every NIDL map key type maps onto the right D-Bus key. The D-Bus limits (32 nested arrays,
 * 32 nested structs, 255 bytes) are checked on NIDL types as on imported signatures.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { compile, generate } from "../../../generator/index.js";
import { importDbus } from "../../../generator/import/dbus.js";
import { readDbusXml } from "../../../generator/import/dbus-xml.js";
import { SchemaRegistry } from "../../../runtime/registry/index.js";
import { decodeJsonValue, decodeMsgpackValue, encodeJsonValue, encodeMsgpackValue } from "../../../runtime/codec/index.js";
import type { PayloadSchema } from "../../../runtime/rpc/stub-support.js";
import { checkDbusXml } from "../support/real-tools.js";
import { freshTempDir, tscStrict, writeFiles, writeRuntimeShim } from "../ts/helpers/generate.js";

/** Each basic D-Bus type with its NIDL spelling. */
const KEYS: Record<string, string> = {
  y: "u8", b: "bool", n: "i16", q: "u16", i: "i32", u: "u32", x: "i64", t: "u64", d: "f64", s: "string", o: "objpath", g: "signature", h: "fd",
};

const KEYS_XML = `<node><interface name="org.example.Keys">${Object.keys(KEYS)
  .map((k) => `<method name="M${k}"><arg name="a" type="a{${k}v}" direction="in"/><arg name="b" type="a{${k}${k}}" direction="out"/></method><signal name="S${k}"><arg name="a" type="a{${k}(sa{${k}u})}"/></signal><property name="P${k}" type="a{${k}u}" access="readwrite"/>`)
  .join("")}</interface></node>`;

/** The signature of every argument and property of a D-Bus XML text, in order. */
function signatures(xml: string): string[] {
  return readDbusXml(xml).node!.interfaces.flatMap((i) => i.members.flatMap((m) => (m.kind === "property" ? [m.type] : m.args.map((a) => a.type))));
}

async function compileAndGenerate(path: string, text: string) {
  const c = compile([{ path, text }]);
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return generate(c.model, ["ts", "dbus", "schema"], { runtimeImport: "./runtime-shim.js" });
}

describe("every basic D-Bus type is a dict key", () => {
  it("imports a{Kv}, a{KK} and a{K(sa{Ku})} for every basic K, checks, and emits the same signatures", async () => {
    const r = importDbus([{ path: "keys.xml", text: KEYS_XML }]);
    expect(r.diagnostics).toEqual([]);
    const nidl = r.files[0]!.text;
    for (const [k, t] of Object.entries(KEYS)) {
      expect(nidl).toContain(`method M${k}(a: map<${t}, variant>) -> (b: map<${t}, ${t}>);`);
      expect(nidl).toContain(`property P${k}: map<${t}, u32> { read; write; notify; }`);
    }
    const out = await compileAndGenerate(r.files[0]!.path, nidl);
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const xml = out.files.find((f) => f.path.endsWith(".xml"))!;
    expect(signatures(xml.content)).toEqual(signatures(KEYS_XML));
    const dir = freshTempDir("dbus-dict-keys-xml");
    writeFiles(dir, [xml]);
    for (const run of await checkDbusXml([join(dir, xml.path)])) expect(run.code, `${run.tool}: ${run.output}`).toBe(0);
  }, 60_000);

  it("maps each NIDL map key type onto its D-Bus key, and refuses the ones D-Bus has no key for", async () => {
    const keyTypes = { ...Object.fromEntries(Object.entries(KEYS).map(([k, t]) => [t, k])), Small: "q", Wide: "t" };
    const text = `@dbus(node = "/") package maps;
enum Small : u16 { a = 1; }
flags Wide : u64 { x = 1; }
@dbus(name = "org.example.Maps") interface Maps {
${Object.keys(keyTypes).map((t, i) => `    method M${i}(m: map<${t}, string>);`).join("\n")}
}
`;
    const out = await compileAndGenerate("maps.nidl", text);
    expect(signatures(out.files.find((f) => f.path.endsWith(".xml"))!.content)).toEqual(Object.values(keyTypes).map((k) => `a{${k}s}`));

    // i8 is a valid map key in NIDL but D-Bus has no signed byte: the D-Bus check says so, pointing at the argument.
    const i8 = compile([{ path: "i8.nidl", text: 'package p;\n@dbus(name = "org.example.P") interface P { method M(m: map<i8, string>); }\n' }]);
    expect(i8.diagnostics.map((d) => [d.code, d.message])).toEqual([["NIDL3001", expect.stringContaining("D-Bus has no signed 8-bit type")]]);
    // f32, bytes and variant are no map keys anywhere.
    for (const bad of ["f32", "bytes", "variant"]) {
      const c = compile([{ path: "bad.nidl", text: `package p;\n@dbus(name = "org.example.P") interface P { method M(m: map<${bad}, string>); }\n` }]);
      expect(c.diagnostics.map((d) => d.code), bad).toEqual(["NIDL2016"]);
    }
  });

  it("gives TypeScript and the schema registry the same typed keys, whether a map arrives as a Map or as a plain object", async () => {
    const fields = Object.entries(KEYS).map(([k, t]) => `    k_${k}: map<${t}, u8>;`).join("\n");
    const text = `package keys;\nstruct AllKeys {\n${fields}\n}\n@dbus(name = "org.example.K") interface K { method M(all: AllKeys); }\n`;
    const out = await compileAndGenerate("keys.nidl", text);
    const dir = freshTempDir("dbus-dict-keys-ts");
    writeRuntimeShim(dir);
    writeFiles(dir, out.files);
    const ts = out.files.filter((f) => f.path.endsWith(".ts")).map((f) => f.path);
    const tsc = await tscStrict(dir, ts);
    expect(tsc.output).toBe("");
    const mod = (await import(pathToFileURL(join(dir, ts[0]!)).href)) as { AllKeysSchema: PayloadSchema<Record<string, Map<unknown, number>>> };
    const registry = SchemaRegistry.fromEntries(out.files.filter((f) => f.path.startsWith("schema/")).map((f) => JSON.parse(f.content) as unknown));

    // One key of each type, as TypeScript holds it and as text (what a msgpack or JSON peer may send).
    const typed: Record<string, [unknown, string]> = {
      y: [255, "255"], b: [true, "true"], n: [-32768, "-32768"], q: [65535, "65535"], i: [-2147483648, "-2147483648"], u: [4294967295, "4294967295"],
      x: [-(2n ** 63n), "-9223372036854775808"], t: [2n ** 64n - 1n, "18446744073709551615"], d: [-1.5, "-1.5"],
      s: ["key", "key"], o: ["/org/x", "/org/x"], g: ["a{sv}", "a{sv}"], h: [3, "3"],
    };
    const asMaps = Object.fromEntries(Object.entries(typed).map(([k, [key]]) => [`k_${k}`, new Map([[key, 1]])]));
    const asObjects = Object.fromEntries(Object.entries(typed).map(([k, [, text]]) => [`k_${k}`, { [text]: 1 }]));
    for (const payload of [asMaps, asObjects]) {
      const parsed = mod.AllKeysSchema.safeParse(payload);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      if (parsed.success) for (const [k, [key]] of Object.entries(typed)) expect([...parsed.data[`k_${k}`]!.keys()], k).toEqual([key]);
      expect(registry.check("keys.AllKeys", payload)).toBeNull();
    }
    // Sent as TypeScript holds them, through both codecs, every key type arrives as the same key.
    for (const [name, roundTrip] of [
      ["msgpack", (v: unknown) => { const b = encodeMsgpackValue(v); return decodeMsgpackValue(b, 0, b.length); }],
      ["json", (v: unknown) => { const b = encodeJsonValue(v); return decodeJsonValue(b, 0, b.length); }],
    ] as const) {
      const parsed = mod.AllKeysSchema.safeParse(roundTrip(asMaps));
      expect(parsed.success ? [] : parsed.error.issues, name).toEqual([]);
      if (parsed.success) for (const [k, [key]] of Object.entries(typed)) expect([...parsed.data[`k_${k}`]!.keys()], `${name} ${k}`).toEqual([key]);
    }
    // Out-of-range and mistyped keys are refused by both.
    for (const [k, bad] of [["y", 256], ["u", -1], ["t", 2n ** 64n], ["b", 1], ["d", "x"], ["h", -1], ["o", "no/path"]] as const) {
      const payload = { ...asMaps, [`k_${k}`]: new Map([[bad, 1]]) };
      expect(mod.AllKeysSchema.safeParse(payload).success, `${k} ${String(bad)}`).toBe(false);
      expect(registry.check("keys.AllKeys", payload), `${k} ${String(bad)}`).not.toBeNull();
    }
  }, 60_000);
});

describe("D-Bus limits on NIDL types", () => {
  const check = (type: string) => compile([{ path: "d.nidl", text: `package d;\n@dbus(name = "org.example.D") interface D { method M(a: ${type}); }\n` }]).diagnostics;
  const lists = (n: number, inner: string): string => "list<".repeat(n) + inner + ">".repeat(n);
  const tuples = (n: number, inner: string): string => "(".repeat(n) + inner + ", u8)".repeat(n);

  it("allows 32 nested arrays and 32 nested structs together, as libdbus does", () => {
    expect(check(lists(32, tuples(32, "u8")))).toEqual([]);
    // 30 lists, the map's array and bytes' array make 32.
    expect(check(lists(30, "map<string, " + tuples(32, "bytes") + ">"))).toEqual([]);
  });

  it("refuses a 33rd array or struct, and signatures over 255 bytes", () => {
    expect(check(lists(33, "u8")).map((d) => d.code)).toEqual(["NIDL3001"]);
    expect(check(lists(32, "bytes")).map((d) => d.code)).toEqual(["NIDL3001"]);
    expect(check(tuples(33, "u8")).map((d) => d.code)).toEqual(["NIDL3001"]);
    expect(check(`(${Array(253).fill("u8").join(", ")})`)).toEqual([]);
    expect(check(`(${Array(254).fill("u8").join(", ")})`).map((d) => [d.code, d.message])).toEqual([["NIDL3001", expect.stringContaining("256 characters long")]]);
  });
});
