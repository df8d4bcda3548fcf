/**
 * Issue 11 item 4: every D-Bus property states its EmitsChangedSignal. The
 * D-Bus default is "true", so a property without `notify` must say "false",
 * or GDBus and Qt proxies cache it and wait for a PropertiesChanged that
 * never comes. GLib itself (Gio.DBusNodeInfo through python3-gi) reads the
 * emitted XML back; the importer maps it back so export → import → export
 * is stable.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, generate } from "../../generator/index.js";
import { importDbus } from "../../generator/import/dbus.js";
import { dbusToolFailures } from "../helpers/external-validators.js";
import { compareDbusXml } from "../helpers/semantic-xml.js";

const NIDL = `package org.example.props;

@dbus(name = "org.example.Props")
interface Props {
    property Plain: u32 { read; }
    property Notifying: u32 { read; notify; }
    property Writable: string { read; write; }
    property WriteOnly: string { write; }
    @emits_changed("invalidates") property Invalidating: bytes { read; }
    @emits_changed("const") property Constant: string { read; }
    @emits_changed("false") property Explicit: u32 { read; notify; }
}
`;

async function dbusXml(text: string, path = "props.nidl"): Promise<string> {
  const compiled = compile([{ path, text }]);
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const out = await generate(compiled.model, ["dbus"], { runtimeImport: "novade-ipc/runtime" });
  expect(out.diagnostics).toEqual([]);
  return out.files[0]!.content;
}

/** What GLib reads: property name → its EmitsChangedSignal annotation (null when absent). */
function glibView(xml: string): Record<string, string | null> {
  const script = [
    "import sys, json, gi",
    "gi.require_version('Gio', '2.0')",
    "from gi.repository import Gio",
    "info = Gio.DBusNodeInfo.new_for_xml(sys.stdin.read())",
    "out = {}",
    "for p in info.interfaces[0].properties:",
    "    out[p.name] = Gio.DBusAnnotationInfo.lookup(p.annotations, 'org.freedesktop.DBus.Property.EmitsChangedSignal')",
    "print(json.dumps(out))",
  ].join("\n");
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script], { input: xml, encoding: "utf8" })) as Record<string, string | null>;
}

describe("D-Bus EmitsChangedSignal", () => {
  it("is written for every property, false without notify, and GLib reads exactly that", async () => {
    const xml = await dbusXml(NIDL);
    expect(glibView(xml)).toEqual({
      Plain: "false",
      Notifying: "true",
      Writable: "false",
      WriteOnly: "false",
      Invalidating: "invalidates",
      Constant: "const",
      Explicit: "false",
    });
    const dir = mkdtempSync(join(tmpdir(), "nova-emits-"));
    try {
      writeFileSync(join(dir, "props.xml"), xml);
      expect(await dbusToolFailures([join(dir, "props.xml")])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("imports a property without the annotation as notify, and export → import → export is stable", async () => {
    const xml = await dbusXml(NIDL);
    const imported = importDbus([{ path: "org.example.props.xml", text: xml }]);
    expect(imported.diagnostics).toEqual([]);
    const text = imported.files[0]!.text;
    expect(text).toContain("property Plain: u32 { read; }");
    expect(text).toContain("property Notifying: u32 { read; notify; }");
    expect(text).toContain('@emits_changed("const")\n    property Constant: string { read; }');
    const again = await dbusXml(text, imported.files[0]!.path);
    expect(glibView(again)).toEqual(glibView(xml));
    expect(compareDbusXml(xml, again)).toEqual([]);

    // Real-world XML mostly leaves the annotation out, meaning "true"; an interface-wide value applies to its properties.
    const bare = importDbus([
      {
        path: "bare.xml",
        text: `<node>
  <interface name="org.example.Bare">
    <property name="Default" type="s" access="read"/>
  </interface>
  <interface name="org.example.Quiet">
    <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="false"/>
    <property name="Inherited" type="s" access="read"/>
    <property name="Own" type="s" access="read">
      <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="true"/>
    </property>
  </interface>
</node>`,
      },
    ]);
    expect(bare.diagnostics).toEqual([]);
    expect(bare.files[0]!.text).toContain("property Default: string { read; notify; }");
    expect(bare.files[0]!.text).toContain("property Inherited: string { read; }");
    expect(bare.files[0]!.text).toContain("property Own: string { read; notify; }");
  });
});
