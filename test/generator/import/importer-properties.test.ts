/**
 * Property tests of the importers: for any XML they accept, the NIDL they print parses without a syntax
 * error, is already canonical, and (when it also checks) generates back to semantically equal XML.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatNidl } from "../../../generator/format/index.js";
import { compile, generate } from "../../../generator/index.js";
import { importDbus } from "../../../generator/import/dbus.js";
import { importWayland } from "../../../generator/import/wayland.js";
import { compareDbusXml, compareWaylandXml } from "../../helpers/semantic-xml.js";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const nameChars = fc.constantFrom(..."abcxyz_019-. `éA".split(""));
const anyName = fc.string({ unit: nameChars, minLength: 1, maxLength: 8 });
const snake = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const text = fc.string({ unit: fc.constantFrom(..."ab \n\t\"'\\`*/<>&{}()#@é\u0001".split("").concat(['"""', "*/", "///", "\r\n"])), maxLength: 30 });

/**
 * The property both importers must have, for one XML input: refused XML yields no file; accepted XML
 * yields NIDL that formats to itself without errors; NIDL that also checks generates back to XML that
 * `compare` finds semantically equal. Returns true when the last step ran.
 */
async function roundTrip(
  xml: string,
  path: string,
  importer: typeof importWayland | typeof importDbus,
  target: "wayland" | "dbus",
  compare: (a: string, b: string) => unknown[],
): Promise<boolean> {
  const r = importer([{ path, text: xml }]);
  if (r.diagnostics.some((d) => d.severity === "error")) {
    expect(r.files).toEqual([]);
    return false;
  }
  const f = r.files[0]!;
  const fmt = formatNidl(f.text, f.path);
  expect(fmt.diagnostics.filter((d) => d.severity === "error"), f.text).toEqual([]);
  expect(fmt.text).toBe(f.text);
  const c = compile([{ path: f.path, text: f.text }]);
  if (c.diagnostics.some((d) => d.severity === "error")) return false;
  const out = await generate(c.model, [target], { runtimeImport: "x" });
  expect(compare(xml, out.files[0]!.content)).toEqual([]);
  return true;
}

const wlArg = fc.record({
  name: fc.oneof(snake, anyName),
  type: fc.constantFrom("int", "uint", "fixed", "string", "object", "new_id", "array", "fd"),
  allowNull: fc.boolean(),
  summary: fc.option(text, { nil: undefined }),
});
const wlMessage = fc.record({ name: fc.oneof(snake, anyName), since: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), destructor: fc.boolean(), summary: fc.option(text, { nil: undefined }), body: fc.option(text, { nil: undefined }), args: fc.array(wlArg, { maxLength: 3 }) });
/** Entry values as real files write them, C constant expressions among them, and near-misses that must be refused. */
const wlValue = fc.oneof(
  fc.nat({ max: 1000 }).map(String),
  fc.nat({ max: 0xffff }).map((n) => `0x${n.toString(16)}`),
  fc.integer({ min: 0, max: 31 }).map((n) => `1 << ${n}`),
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.nat({ max: 0xff })).map(([n, m]) => `(1 << ${n}) | 0x${m.toString(16)}`),
  fc.string({ unit: fc.constantFrom(..."019x<|() -+~a".split("")), maxLength: 8 }),
);
const wlEntry = fc.record({ name: fc.oneof(snake, anyName), value: wlValue, summary: fc.option(text, { nil: undefined }) });
const wlProtocol = fc.record({
  name: fc.oneof(snake, anyName),
  copyright: fc.option(text, { nil: undefined }),
  requests: fc.array(wlMessage, { maxLength: 3 }),
  events: fc.array(wlMessage, { maxLength: 2 }),
  entries: fc.array(wlEntry, { maxLength: 3 }),
  bitfield: fc.boolean(),
});

type WlProtocolSpec = typeof wlProtocol extends fc.Arbitrary<infer T> ? T : never;

function wlXml(p: WlProtocolSpec): string {
  const desc = (summary: string | undefined, body: string | undefined): string =>
    summary === undefined && body === undefined ? "" : `<description${summary === undefined ? "" : ` summary="${esc(summary)}"`}>${esc(body ?? "")}</description>`;
  const arg = (a: typeof p.requests[number]["args"][number]): string => {
    const iface = a.type === "object" || a.type === "new_id" ? ' interface="ex_iface"' : "";
    const nullable = a.allowNull && (a.type === "string" || a.type === "object") ? ' allow-null="true"' : "";
    return `<arg name="${esc(a.name)}" type="${a.type}"${iface}${nullable}${a.summary === undefined ? "" : ` summary="${esc(a.summary)}"`}/>`;
  };
  const msg = (kind: string, m: typeof p.requests[number]): string =>
    `<${kind} name="${esc(m.name)}"${m.destructor ? ' type="destructor"' : ""}${m.since ? ` since="${m.since}"` : ""}>${desc(m.summary, m.body)}${m.args.map(arg).join("")}</${kind}>`;
  return `<?xml version="1.0"?><protocol name="${esc(p.name)}">${p.copyright === undefined ? "" : `<copyright>${esc(p.copyright)}</copyright>`}
<interface name="ex_iface" version="3">${p.requests.map((m) => msg("request", m)).join("\n")}${p.events.map((m) => msg("event", m)).join("\n")}
<enum name="e"${p.bitfield ? ' bitfield="true"' : ""}>${p.entries.map((e) => `<entry name="${esc(e.name)}" value="${esc(e.value)}"${e.summary === undefined ? "" : ` summary="${esc(e.summary)}"`}/>`).join("")}</enum></interface></protocol>`;
}

describe("Wayland importer properties", () => {
  it("prints NIDL that parses, is canonical, and round-trips when it checks", async () => {
    let checked = 0;
    await fc.assert(fc.asyncProperty(wlProtocol, async (p) => {
      if (await roundTrip(wlXml(p), "p.xml", importWayland, "wayland", compareWaylandXml)) checked++;
    }), { numRuns: 80 });
    expect(checked).toBeGreaterThan(5);
  }, 60_000);
});

const sig = fc.constantFrom("s", "u", "a{sv}", "a{uv}", "a{bu}", "a{t(sd)}", "ay", "(ia{s(ov)})", "ah", "g", "o", "x", "aay", "v", "d", "b", "y", "n", "q", "t");
const annName = fc.constantFrom("org.freedesktop.DBus.Deprecated", "org.x.Y", "org.gtk.GDBus.C.Name", "org.freedesktop.DBus.Method.NoReply", "org.freedesktop.DBus.Property.EmitsChangedSignal");
const dbArg = fc.record({ name: fc.option(fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), anyName), { nil: undefined }), type: sig, out: fc.boolean(), ann: fc.option(fc.tuple(annName, fc.constantFrom("true", "x")), { nil: undefined }) });
const dbMember = fc.record({
  kind: fc.constantFrom("method", "signal", "property"),
  name: fc.oneof(fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,6}$/), anyName),
  doc: fc.option(text, { nil: undefined }),
  args: fc.array(dbArg, { maxLength: 3 }),
  annotations: fc.array(fc.tuple(annName, fc.oneof(fc.constant("true"), fc.constant("invalidates"), text)), { maxLength: 2 }),
  access: fc.constantFrom("read", "write", "readwrite"),
});

describe("D-Bus importer properties", () => {
  it("prints NIDL that parses, is canonical, and round-trips when it checks", async () => {
    let checked = 0;
    await fc.assert(fc.asyncProperty(fc.array(dbMember, { maxLength: 4 }), fc.option(text, { nil: undefined }), async (members, ifaceDoc) => {
      const body = members.map((m) => {
        const doc = m.doc === undefined ? "" : `<!--${m.doc.replace(/--/g, "- -").replace(/-$/, "- ")}-->`;
        // Well-known annotations appear on every kind of member: where they have no first-class meaning
        // they must survive verbatim.
        const ann = m.annotations.map(([n, v]) => `<annotation name="${n}" value="${esc(v)}"/>`).join("");
        if (m.kind === "property") return `${doc}<property name="${esc(m.name)}" type="${m.args[0]?.type ?? "s"}" access="${m.access}">${ann}</property>`;
        const args = m.args.map((a) => `<arg${a.name === undefined ? "" : ` name="${esc(a.name)}"`} type="${a.type}"${m.kind === "method" ? ` direction="${a.out ? "out" : "in"}"` : ""}>${a.ann ? `<annotation name="${a.ann[0]}" value="${a.ann[1]}"/>` : ""}</arg>`).join("");
        return `${doc}<${m.kind} name="${esc(m.name)}">${ann}${args}</${m.kind}>`;
      });
      const docC = ifaceDoc === undefined ? "" : `<!--${ifaceDoc.replace(/--/g, "- -").replace(/-$/, "- ")}-->`;
      const ifaceAnn = members.length > 0 ? members[0]!.annotations.map(([n, v]) => `<annotation name="${n}" value="${esc(v)}"/>`).join("") : "";
      const xml = `<node>${docC}<interface name="org.example.Fuzz">${ifaceAnn}${body.join("\n")}</interface></node>`;
      if (await roundTrip(xml, "f.xml", importDbus, "dbus", compareDbusXml)) checked++;
    }), { numRuns: 80 });
    expect(checked).toBeGreaterThan(5);
  }, 60_000);
});
