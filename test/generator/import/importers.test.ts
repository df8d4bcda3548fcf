/**
 * Importer behaviour beyond the corpus: every D-Bus annotation form, unnamed args, <doc:doc>, Wayland
 * deprecated-since, digit and keyword names, and the warnings/errors for what cannot be imported.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, generate } from "../../../generator/index.js";
import { importDbus } from "../../../generator/import/dbus.js";
import { importWayland } from "../../../generator/import/wayland.js";
import { readFileSync } from "node:fs";
import { compareDbusXml, compareWaylandXml } from "../../helpers/semantic-xml.js";
import { corpusFile } from "../../helpers/corpus.js";
import { dbusToolFailures, waylandScannerFailures } from "../../helpers/external-validators.js";

const DBUS = `<?xml version="1.0"?>
<!-- licence header -->
<node name="/org/example/Thing" xmlns:doc="http://www.freedesktop.org/dbus/1.0/doc.dtd">
  <!-- The thing.
       Second line. -->
  <interface name="org.example.Thing">
    <annotation name="org.freedesktop.DBus.Deprecated" value="true"/>
    <annotation name="org.gtk.GDBus.C.Name" value="ExThing"/>
    <method name="Fire">
      <annotation name="org.freedesktop.DBus.Method.NoReply" value="true"/>
      <arg type="s" direction="in"/>
      <arg type="a{sv}" direction="in"/>
    </method>
    <method name="Get">
      <doc:doc><doc:description><doc:para>Gets things.</doc:para></doc:description></doc:doc>
      <arg name="keys" type="as" direction="in">
        <annotation name="org.qtproject.QtDBus.QtTypeName" value="QList&lt;QString&gt;"/>
      </arg>
      <arg name="values" type="a(sv)" direction="out"/>
      <arg name="count" type="u" direction="out"/>
    </method>
    <signal name="Changed">
      <annotation name="org.gtk.GDBus.DocString" value="Emitted on change."/>
      <arg name="what" type="(ia{s(ov)}ay)"/>
    </signal>
    <property name="disable-printing" type="b" access="readwrite">
      <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="invalidates"/>
    </property>
    <property name="Secret" type="s" access="write"/>
    <property name="Blob" type="ay" access="read">
      <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="false"/>
    </property>
    <property name="Serial" type="u" access="read">
      <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/>
    </property>
  </interface>
</node>
`;

const WAYLAND = `<?xml version="1.0" encoding="UTF-8"?>
<protocol name="ex_test_v1">
  <copyright>
    Copyright © 2026 Example
  </copyright>
  <description summary="a test protocol">
    Exercises everything.
  </description>
  <interface name="ex_manager_v1" version="3">
    <description summary="the manager"/>
    <request name="destroy" type="destructor"/>
    <request name="get" since="2">
      <arg name="id" type="new_id" interface="ex_thing_v1"/>
      <arg name="interface" type="string" allow-null="true" summary="a keyword as a name"/>
      <arg name="transform" type="int" enum="ex_thing_v1.transform"/>
      <arg name="mode" type="uint" enum="mode"/>
      <arg name="data" type="array"/>
      <arg name="fd" type="fd"/>
      <arg name="scale" type="fixed"/>
      <arg name="parent" type="object" allow-null="true"/>
    </request>
    <event name="done" type="destructor" since="3"/>
    <enum name="mode" bitfield="true" since="2">
      <entry name="none" value="0" summary="nothing"/>
      <entry name="a" value="0x1"/>
      <entry name="b" value="0x2" since="3">
        <description summary="b mode">Long text for b.</description>
      </entry>
    </enum>
  </interface>
  <interface name="ex_thing_v1" version="1">
    <enum name="transform">
      <entry name="normal" value="0"/>
      <entry name="90" value="1"/>
      <entry name="default" value="2"/>
    </enum>
    <event name="gone"/>
  </interface>
</protocol>
`;

async function roundTrip(kind: "dbus" | "wayland", xml: string) {
  const imported = kind === "dbus" ? importDbus([{ path: "in.xml", text: xml }]) : importWayland([{ path: "in.xml", text: xml }]);
  const compiled = compile(imported.files.map((f) => ({ path: f.path, text: f.text })));
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  const gen = errors.length === 0 ? await generate(compiled.model, [kind], { runtimeImport: "novade-ipc/runtime" }) : { files: [], diagnostics: [] };
  return { imported, errors, out: gen.files.find((f) => f.path.startsWith(`${kind}/`))?.content ?? "" };
}

describe("D-Bus importer", () => {
  it("maps every annotation form, unnamed args, docs and access", async () => {
    const r = await roundTrip("dbus", DBUS);
    expect(r.imported.diagnostics).toEqual([]);
    const text = r.imported.files[0]!.text;
    expect(text).toContain("// licence header");
    expect(text).toContain('@dbus(node = "/org/example/Thing")');
    expect(text).toContain("/// The thing.\n/// Second line.");
    expect(text).toContain("@deprecated\n");
    expect(text).toContain('@dbus.annotation("org.gtk.GDBus.C.Name", "ExThing")');
    expect(text).toContain("@oneway\n    method Fire(string, map<string, variant>);");
    expect(text).toContain("/// Gets things.");
    expect(text).toContain('@dbus.annotation("org.qtproject.QtDBus.QtTypeName", "QList<QString>") keys: list<string>');
    expect(text).toContain("-> (values: list<(string, variant)>, count: u32);");
    expect(text).toContain('@dbus.annotation("org.gtk.GDBus.DocString", "Emitted on change.")');
    expect(text).toContain("what: (i32, map<string, (objpath, variant)>, bytes)");
    expect(text).toContain('@emits_changed("invalidates")\n    property `disable-printing`: bool { read; write; }');
    // No annotation is the D-Bus default "true": the property notifies; "false" is NIDL's default.
    expect(text).toContain("property Secret: string { write; notify; }");
    expect(text).toContain("property Blob: bytes { read; }");
    expect(text).toContain('@emits_changed("const")\n    property Serial: u32 { read; }');
    expect(r.errors).toEqual([]);
    expect(compareDbusXml(DBUS, r.out)).toEqual([]);
  });

  it("generated XML passes gdbus-codegen and the validator", async () => {
    const r = await roundTrip("dbus", DBUS);
    const dir = mkdtempSync(join(tmpdir(), "nova-imp-"));
    try {
      writeFileSync(join(dir, "t.xml"), r.out);
      expect(await dbusToolFailures([join(dir, "t.xml")])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads @dbus(object_manager = true) back from the annotation the D-Bus emitter writes", async () => {
    const xml = '<node>\n  <interface name="org.example.Fleet">\n    <method name="Count"/>\n    <annotation name="org.novade.IPC.ObjectManager" value="true"/>\n  </interface>\n</node>\n';
    const r = await roundTrip("dbus", xml);
    expect(r.imported.diagnostics).toEqual([]);
    expect(r.imported.files[0]!.text).toContain('@dbus(name = "org.example.Fleet", object_manager = true)');
    expect(r.errors).toEqual([]);
    expect(compareDbusXml(xml, r.out)).toEqual([]);
  });

  it("reports what it cannot import", () => {
    const bad = importDbus([
      { path: "a.xml", text: '<node><interface name="x.Y"><method name="M"><arg name="a" type="ii" direction="in"/></method></interface></node>' },
      { path: "b.xml", text: "<node><interface name='x.Z'>" },
      { path: "c.xml", text: '<node><interface name="x.W"><frob/><method name="M" color="red"/></interface><node name="child"><interface name="x.V"/></node></node>' },
      { path: "d.xml", text: '<protocol name="p"/>' },
    ]);
    const byFile = (f: string) => bad.diagnostics.filter((d) => d.span?.file === f).map((d) => `${d.severity}:${d.code}`);
    expect(byFile("a.xml")).toEqual(["error:NIDL4004"]);
    expect(byFile("b.xml")).toEqual(["error:NIDL4001"]);
    expect(byFile("c.xml").sort()).toEqual(["warning:NIDL4003", "warning:NIDL4003", "warning:NIDL4003"]);
    expect(byFile("d.xml")).toEqual(["error:NIDL4002"]);
    expect(bad.files.map((f) => f.path)).toEqual(["c.nidl"]);
    expect(bad.diagnostics.find((d) => d.span?.file === "c.xml" && d.message.includes("frob"))?.message).toMatch(/<frob> .* not kept/);
  });
});

describe("Wayland importer", () => {
  it("keeps docs, since, bitfields, hex, keyword and digit names, enum refs and allow-null", async () => {
    const r = await roundTrip("wayland", WAYLAND);
    expect(r.imported.diagnostics).toEqual([]);
    const text = r.imported.files[0]!.text;
    expect(text).toContain("package ex_test_v1;");
    expect(text).toContain('@copyright("Copyright © 2026 Example")');
    expect(text).toContain("/// a test protocol\n///\n/// Exercises everything.");
    expect(text).toContain("@wayland @version(3)\ninterface ex_manager_v1 {");
    expect(text).toContain("@destructor\n    request destroy();");
    expect(text).toContain("/// a keyword as a name\n        interface: string?,");
    expect(text).toContain("@enum(ex_thing_v1.transform) transform: i32,");
    expect(text).toContain("mode: ex_manager_v1.mode,");
    expect(text).toContain("data: bytes,");
    expect(text).toContain("parent: object?,");
    expect(text).toContain("@destructor @since(3)\n    event done();");
    expect(text).toContain("@since(2)\n    flags mode {");
    expect(text).toContain("a = 0x1;");
    expect(text).toContain("`90` = 1;");
    expect(text).toContain("/// b mode\n        ///\n        /// Long text for b.\n        @since(3)\n        b = 0x2;");
    expect(r.errors).toEqual([]);
    expect(compareWaylandXml(WAYLAND, r.out, { docs: true })).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), "nova-imp-"));
    try {
      writeFileSync(join(dir, "t.xml"), r.out);
      expect(await waylandScannerFailures([join(dir, "t.xml")])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps deprecated-since", () => {
    const xml = '<protocol name="p"><interface name="a" version="3"><request name="old" deprecated-since="2"/><enum name="e"><entry name="x" value="1" deprecated-since="3"/></enum></interface></protocol>';
    const r = importWayland([{ path: "p.xml", text: xml }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.files[0]!.text).toContain("@deprecated(since = 2)\n    request old();");
    expect(r.files[0]!.text).toContain("@deprecated(since = 3)\n        x = 1;");
  });

  it("turns references to other protocols of the same import into imports", () => {
    const a = '<protocol name="base"><interface name="b_surface" version="1"><enum name="kind"><entry name="x" value="1"/></enum></interface></protocol>';
    const b = '<protocol name="ext"><interface name="e_thing" version="1"><request name="get"><arg name="s" type="object" interface="b_surface"/><arg name="k" type="uint" enum="b_surface.kind"/></request></interface></protocol>';
    const r = importWayland([{ path: "x/base.xml", text: a }, { path: "y/ext.xml", text: b }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.files[1]!.text).toContain('import "base.nidl";');
    const compiled = compile(r.files.map((f) => ({ path: f.path, text: f.text })));
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("imports a protocol alone: interfaces of other protocols become @external stubs", async () => {
    const xml = readFileSync(corpusFile("xdg-shell.xml"), "utf8");
    const r = await roundTrip("wayland", xml);
    expect(r.imported.diagnostics.map((d) => d.message)).toEqual([
      'interface "wl_surface" is defined in no file of this import: it is declared as an @external stub; import its protocol together with this one to check against the real one',
      'interface "wl_seat" is defined in no file of this import: it is declared as an @external stub; import its protocol together with this one to check against the real one',
      'interface "wl_output" is defined in no file of this import: it is declared as an @external stub; import its protocol together with this one to check against the real one',
    ]);
    expect(r.imported.files[0]!.text).toContain("@external @wayland\ninterface wl_output {}");
    expect(r.errors).toEqual([]);
    expect(compareWaylandXml(xml, r.out, { docs: true })).toEqual([]);
  });

  it("reports what it cannot import", () => {
    const r = importWayland([
      { path: "a.xml", text: '<protocol name="p"><interface name="a" version="1"><request name="r"><arg name="x" type="object" interface="missing_iface"/></request></interface></protocol>' },
      { path: "b.xml", text: '<protocol name="q"><interface name="b" version="1"><enum name="e"><entry name="x" value="1 + 2"/></enum></interface></protocol>' },
      { path: "c.xml", text: '<protocol name="r"><interface name="c" version="x"><request name="r" type="weird"/></interface></protocol>' },
      { path: "d.xml", text: '<protocol name="s"><interface name="d" version="1"><request name="r"><arg name="x" type="quaternion"/></request><extra/></interface></protocol>' },
    ]);
    const byFile = (f: string) => r.diagnostics.filter((d) => d.span?.file === f).map((d) => `${d.severity}:${d.code}`).sort();
    expect(byFile("a.xml")).toEqual(["warning:NIDL4005"]);
    expect(byFile("b.xml")).toEqual(["error:NIDL4006"]);
    expect(byFile("c.xml")).toEqual(["error:NIDL4002", "error:NIDL4002"]);
    expect(byFile("d.xml")).toEqual(["error:NIDL4006", "warning:NIDL4003"]);
    expect(r.files.map((f) => f.path)).toEqual(["a.nidl"]);
  });
});

describe("importing files with the same name", () => {
  it("gives each its own output file and package", () => {
    const xml = '<node><interface name="org.example.Same"><method name="M"/></interface></node>';
    const r = importDbus([{ path: "a/org.example.Same.xml", text: xml }, { path: "b/org.example.Same.xml", text: xml }]);
    expect(r.files.map((f) => f.path)).toEqual(["org.example.Same.nidl", "org.example.Same-2.nidl"]);
    const compiled = compile(r.files.map((f) => ({ path: f.path, text: f.text })));
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(compiled.model.packages.map((p) => p.name)).toEqual(["org.example.same", "org.example.same_2"]);
  });
});

describe("comments", () => {
  it("D-Bus: a comment before an annotation documents the next member; a trailing one is reported", () => {
    const xml = '<node><interface name="a.B"><!-- Does M. --><annotation name="x.Y" value="1"/><method name="M"/><!-- stray --></interface></node>';
    const r = importDbus([{ path: "c.xml", text: xml }]);
    expect(r.files[0]!.text).toContain('/// Does M.\n    method M();');
    expect(r.diagnostics.map((d) => `${d.severity}:${d.code}:${d.message}`)).toEqual(["warning:NIDL4003:a comment after the last element of <interface> documents nothing and is not kept"]);
  });

  it("Wayland: comments between members and inside descriptions become // comments", () => {
    const xml = '<protocol name="p"><!-- top --><interface name="a" version="1"><description summary="s">Text <!-- Section --> more.</description><!-- Version 1 additions --><request name="r"/></interface></protocol>';
    const r = importWayland([{ path: "p.xml", text: xml }]);
    expect(r.diagnostics).toEqual([]);
    const text = r.files[0]!.text;
    // A comment right before an interface is the interface's, like one before a member.
    expect(text).toContain("package p;\n\n// top\n// Section\n/// s\n///\n/// Text  more.\n@wayland @version(1)\ninterface a {");
    expect(text).toContain("    // Version 1 additions\n    request r();");
  });
});
