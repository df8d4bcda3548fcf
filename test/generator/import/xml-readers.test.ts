import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readDbusXml, allInterfaces } from "../../../generator/import/dbus-xml.js";
import { readWaylandXml, messagesOf, enumsOf } from "../../../generator/import/wayland-xml.js";
import { dbusCorpus, waylandCorpus, corpusFile } from "../../helpers/corpus.js";
import { compareDbusXml, compareWaylandXml } from "../../helpers/semantic-xml.js";

describe("XML readers on the real corpus", () => {
  it("read every Wayland file without problems", () => {
    let interfaces = 0;
    for (const f of waylandCorpus()) {
      const r = readWaylandXml(readFileSync(f, "utf8"));
      expect(r.problems, f).toEqual([]);
      expect(r.protocol?.interfaces.length, f).toBeGreaterThan(0);
      interfaces += r.protocol!.interfaces.length;
    }
    expect(interfaces).toBeGreaterThan(100);
  });

  it("read every D-Bus file without problems and keep its doc comments", () => {
    for (const f of dbusCorpus()) {
      const r = readDbusXml(readFileSync(f, "utf8"));
      expect(r.problems, f).toEqual([]);
      const ifs = allInterfaces(r.node!);
      expect(ifs.length, f).toBe(1);
      expect(ifs[0]!.doc, f).toBeTruthy();
    }
  });

  it("keep hex values, cross-interface enums, allow-null and destructors of wayland.xml", () => {
    const p = readWaylandXml(readFileSync(corpusFile("wayland.xml"), "utf8")).protocol!;
    const shm = p.interfaces.find((i) => i.name === "wl_shm")!;
    const xrgb = enumsOf(shm).find((e) => e.name === "format")!.entries.find((e) => e.name === "c8")!;
    expect([xrgb.value, xrgb.numeric]).toEqual(["0x20203843", 0x20203843]);
    const surface = p.interfaces.find((i) => i.name === "wl_surface")!;
    const transform = messagesOf(surface, "request").find((m) => m.name === "set_buffer_transform")!;
    expect(transform.args[0]!.enum).toBe("wl_output.transform");
    expect(messagesOf(surface, "request").find((m) => m.name === "destroy")!.destructor).toBe(true);
    const attach = messagesOf(surface, "request").find((m) => m.name === "attach")!;
    expect(attach.args[0]!.allowNull).toBe(true);
  });
});

describe("semantic comparison helper", () => {
  const wl = `<protocol name="p"><interface name="a" version="2">
    <request name="r" since="1"><arg name="x" type="uint" enum="e"/></request>
    <enum name="e"><entry name="one" value="0x10"/></enum></interface></protocol>`;

  it("treats equal spellings as equal (hex vs decimal, default since, qualified enum refs)", () => {
    const same = `<protocol name="p">
      <interface name="a" version="2"><enum name="e"><entry name="one" value="16"/></enum>
      <request name="r"><arg type="uint" name="x" enum="a.e"/></request></interface></protocol>`;
    expect(compareWaylandXml(wl, same)).toEqual([]);
  });

  it("reports each changed aspect readably", () => {
    const changed = wl.replace('version="2"', 'version="3"').replace('value="0x10"', 'value="17"').replace('type="uint"', 'type="int"');
    const diffs = compareWaylandXml(wl, changed);
    expect(diffs).toHaveLength(3);
    expect(diffs.join("\n")).toMatch(/version 2 != 3/);
    expect(diffs.join("\n")).toMatch(/a\.e\.one: value 16 != 17/);
    expect(diffs.join("\n")).toMatch(/arg 0 \(x\): type "uint" != "int"/);
  });

  it("compares D-Bus args per direction and ignores signal arg direction", () => {
    const a = `<node><interface name="x.Y"><method name="M"><arg name="a" type="s"/><arg name="r" type="u" direction="out"/></method>
      <signal name="S"><arg name="v" type="a{sv}" direction="out"/></signal><property name="p" type="b" access="read"/></interface></node>`;
    const b = `<node><interface name="x.Y"><property access="read" name="p" type="b"/><signal name="S"><arg name="v" type="a{sv}"/></signal>
      <method name="M"><arg name="r" type="u" direction="out"/><arg name="a" type="s" direction="in"/></method></interface></node>`;
    expect(compareDbusXml(a, b)).toEqual([]);
    expect(compareDbusXml(a, b.replace('access="read"', 'access="readwrite"'))).toEqual([`x.Y.property p: access "read" != "readwrite"`]);
  });

  it("equals itself on every corpus file, docs included", () => {
    for (const f of waylandCorpus()) expect(compareWaylandXml(readFileSync(f, "utf8"), readFileSync(f, "utf8"), { docs: true }), f).toEqual([]);
    for (const f of dbusCorpus()) expect(compareDbusXml(readFileSync(f, "utf8"), readFileSync(f, "utf8"), { docs: true }), f).toEqual([]);
  });
});

describe("XML readers never throw", () => {
  it("random text gives problems, not exceptions", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const w = readWaylandXml(s);
        const d = readDbusXml(s);
        expect(w.protocol !== undefined || w.problems.length > 0).toBe(true);
        expect(d.node !== undefined || d.problems.length > 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("mutated real XML gives problems or a model, never an exception", () => {
    const text = readFileSync(corpusFile("wayland.xml"), "utf8").slice(0, 4000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3999 }), fc.string({ maxLength: 8 }), (at, ins) => {
        const mutated = text.slice(0, at) + ins + text.slice(at + 1);
        expect(() => readWaylandXml(mutated)).not.toThrow();
        expect(() => readDbusXml(mutated)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});
