/**
 * The TypeScript emitter's D-Bus descriptor (`XDbus`) against the XML the
 * D-Bus emitter writes: its `xml` is that file's `<interface>` element byte
 * for byte, and every name, signature, access and EmitsChangedSignal in it is
 * what GLib (Gio.DBusNodeInfo through python3-gi) reads from the XML. The
 * type trees agree with the signatures, and the printed literal is the
 * descriptor itself.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { dbusDescriptor } from "../../../generator/emit/dbus/descriptor.js";
import { emitDbusXml } from "../../../generator/emit/dbus/index.js";
import { emitTypeScript } from "../../../generator/emit/ts/index.js";
import { compile } from "../../../generator/index.js";
import type { DbusInterfaceDescriptor, DbusType } from "../../../runtime/dbus/descriptor.js";
import { GadgetDbus } from "../../dbus/fixtures/generated/org.novade.test.gadget.js";
import { compileOrThrow, readSources } from "./helpers/generate.js";

const FIXTURES = [
  ["kitchen-sink", ["test/generator/golden/kitchen-sink/input.nidl"]],
  ["dbus-notifications", ["test/generator/golden/dbus-notifications/input.nidl"]],
  ["gadget", ["test/dbus/fixtures/gadget.nidl"]],
  ["demo", ["examples/demo/demo.nidl"]],
] as const;

/** The signature a type tree stands for (an independent reading of the tree). */
function signatureOf(t: DbusType): string {
  if (typeof t === "string") return t;
  if ("list" in t) return `a${signatureOf(t.list)}`;
  if ("map" in t) return `a{${signatureOf(t.map[0])}${signatureOf(t.map[1])}}`;
  if ("tuple" in t) return `(${t.tuple.map(signatureOf).join("")})`;
  return `(${t.fields.map(([, f]) => signatureOf(f)).join("")})`;
}

interface GlibView {
  [iface: string]: {
    methods: Record<string, { in: [string, string][]; out: [string, string][]; noReply: string | null }>;
    signals: Record<string, [string, string][]>;
    properties: Record<string, { signature: string; readable: boolean; writable: boolean; emits: string | null }>;
  };
}

const GLIB_SCRIPT = `
import sys, json, gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio
info = Gio.DBusNodeInfo.new_for_xml(sys.stdin.read())
ann = Gio.DBusAnnotationInfo.lookup
args = lambda xs: [[a.name or '', a.signature] for a in xs]
out = {}
for i in info.interfaces:
    out[i.name] = {
        'methods': {m.name: {'in': args(m.in_args), 'out': args(m.out_args), 'noReply': ann(m.annotations, 'org.freedesktop.DBus.Method.NoReply')} for m in i.methods},
        'signals': {s.name: args(s.args) for s in i.signals},
        'properties': {p.name: {'signature': p.signature,
                                'readable': bool(p.flags & Gio.DBusPropertyInfoFlags.READABLE),
                                'writable': bool(p.flags & Gio.DBusPropertyInfoFlags.WRITABLE),
                                'emits': ann(p.annotations, 'org.freedesktop.DBus.Property.EmitsChangedSignal')} for p in i.properties},
    }
print(json.dumps(out))
`;

function glibView(xml: string): GlibView {
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", GLIB_SCRIPT], { input: xml, encoding: "utf8" })) as GlibView;
}

/** What the descriptor says, in GLib's terms. */
function descriptorView(d: DbusInterfaceDescriptor): GlibView[string] {
  // GLib names an unnamed argument arg_<position among all of the member's arguments>.
  const args = (list: DbusInterfaceDescriptor["methods"][number]["in"], offset = 0) =>
    list.map((a, i) => [a.name === "" ? `arg_${offset + i}` : a.name, a.signature] as [string, string]);
  return {
    methods: Object.fromEntries(d.methods.map((m) => [m.name, { in: args(m.in), out: args(m.out, m.in.length), noReply: m.noReply ? "true" : null }])),
    signals: Object.fromEntries(d.signals.map((s) => [s.name, args(s.args)])),
    properties: Object.fromEntries(
      d.properties.map((p) => [p.name, { signature: p.signature, readable: p.access !== "write", writable: p.access !== "read", emits: p.emitsChanged }]),
    ),
  };
}

describe.each(FIXTURES)("the D-Bus descriptors of %s", (_name, paths) => {
  it("carry the XML file's <interface> elements and what GLib reads from them", async () => {
    const model = compileOrThrow(readSources(paths));
    const files = (await emitDbusXml(model, { runtimeImport: "unused" })).files;
    let checked = 0;
    for (const pkg of model.packages) {
      const file = files.find((f) => f.path === `dbus/${pkg.name}.xml`);
      const glib = file === undefined ? {} : glibView(file.content);
      for (const iface of pkg.interfaces.filter((i) => i.exportedTo.includes("dbus") && !i.external)) {
        const d = dbusDescriptor(model, iface);
        expect(file?.content).toContain(d.xml);
        expect(descriptorView(d)).toEqual(glib[d.interface]);
        for (const m of d.methods) {
          for (const a of [...m.in, ...m.out]) expect(signatureOf(a.type)).toBe(a.signature);
          expect(m.inSignature).toBe(m.in.map((a) => a.signature).join(""));
        }
        for (const p of d.properties) expect(signatureOf(p.type)).toBe(p.signature);
        for (const e of d.errors) expect(e.signature).toBe(`s${(e.fields ?? []).map(([, t]) => signatureOf(t)).join("")}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  }, 60_000);
});

describe("the printed descriptor", () => {
  it("is the descriptor itself (the committed Gadget fixture's GadgetDbus)", () => {
    const model = compileOrThrow(readSources(["test/dbus/fixtures/gadget.nidl"]));
    const iface = model.packages[0]!.interfaces[0]!;
    expect(GadgetDbus).toEqual(dbusDescriptor(model, iface));
  });

  it("is only written for @dbus interfaces, and its name is claimed against clashes", async () => {
    const text = `package org.x;
interface Plain { method a(); }
@dbus interface OnBus { method a(); }
const OnBusDbus: u32 = 1;
`;
    const clash = compile([{ path: "x.nidl", text }]);
    expect(clash.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n")).toMatch(/NIDL3008 .*OnBusDbus/);
    const ok = compileOrThrow([{ path: "x.nidl", text: text.replace("const OnBusDbus: u32 = 1;", "") }]);
    const ts = (await emitTypeScript(ok, { runtimeImport: "x" })).files[0]!.content;
    expect(ts).toContain("export const OnBusDbus = {");
    expect(ts).not.toContain("PlainDbus");
  });
});
