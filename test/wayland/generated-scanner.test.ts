/**
 * The checked-in descriptors of runtime/wayland/protocols/ agree with wayland-scanner's view of the same XML.
 * For each protocol, `wayland-scanner -s private-code` output (libwayland's own wl_interface tables) and
 * `client-header` output are compiled with gcc into a tiny program that prints every interface (name,
 * version), every message (opcode, name, signature string such as "2uo?s", the interface of each argument)
 * and the value of every enum entry; the same lines are computed from our descriptors and enum objects.
 * Equal lines prove opcodes, `since`, argument types, interfaces, nullability and enum values exact.
 * Destructors do not appear in a wl_message, so they are compared with the XML's `type="destructor"`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitWaylandXml } from "../../generator/emit/wayland/index.js";
import { pascalCase } from "../../generator/emit/ts/names.js";
import { compileOrThrow, readSources } from "../generator/ts/helpers/generate.js";
import { requirePath, runTool } from "../helpers/system-deps.js";
import type { WlInterface, WlMessage } from "../../runtime/wayland/descriptor.js";
import * as core from "../../runtime/wayland/protocols/wayland.js";
import * as xdgShell from "../../runtime/wayland/protocols/xdg_shell.js";
import * as novaShell from "../../runtime/wayland/protocols/nova_shell_v1.js";

const tmp = mkdtempSync(join(tmpdir(), "nova-wl-scanner-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Our generated module: its `protocol` and every export (the enum objects are looked up by name). */
type Module = { readonly protocol: { readonly interfaces: readonly WlInterface[] } } & Record<string, unknown>;

async function shellXml(): Promise<string> {
  const model = compileOrThrow(readSources(["idl/shell.nidl"]));
  const { files } = await emitWaylandXml(model, { runtimeImport: "unused" });
  const file = files.find((f) => f.path === "wayland/nova_shell_v1.xml");
  if (file === undefined) throw new Error("the wayland emitter wrote no nova_shell_v1.xml");
  const path = join(tmp, "nova_shell_v1.xml");
  writeFileSync(path, file.content);
  return path;
}

const PROTOCOLS: readonly { name: string; xml: () => Promise<string>; module: Module; ownsCore: boolean }[] = [
  { name: "wayland", xml: async () => requirePath("/usr/share/wayland/wayland.xml"), module: core, ownsCore: true },
  { name: "xdg_shell", xml: async () => requirePath("/usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml"), module: xdgShell, ownsCore: false },
  { name: "nova_shell_v1", xml: shellXml, module: novaShell, ownsCore: false },
];

const CODE: Record<string, string> = { int: "i", uint: "u", fixed: "f", string: "s", object: "o", new_id: "n", array: "a", fd: "h" };

/** A message as libwayland's wl_message has it: "<since><?type>..." plus the interface of each argument. */
function messageLine(kind: string, iface: string, opcode: number, m: WlMessage): string {
  let signature = m.since > 1 ? String(m.since) : "";
  const types: string[] = [];
  for (const a of m.args) {
    if (a.type === "new_id" && a.interface === undefined) {
      signature += "sun"; // wl_registry.bind: interface name, version, id
      types.push("-", "-", "-");
      continue;
    }
    signature += `${a.nullable === true ? "?" : ""}${CODE[a.type]}`;
    types.push(a.interface ?? "-");
  }
  return [kind, iface, opcode, m.name, signature, ...types].join(" ");
}

function ourLines(module: Module, enumNames: readonly { cname: string; entries: readonly string[] }[]): string[] {
  const lines: string[] = [];
  for (const i of module.protocol.interfaces) {
    lines.push(`interface ${i.name} ${i.version}`);
    i.requests.forEach((m, op) => lines.push(messageLine("request", i.name, op, m)));
    i.events.forEach((m, op) => lines.push(messageLine("event", i.name, op, m)));
  }
  for (const { cname } of enumNames) {
    const values = module[pascalCase(cname)] as Record<string, number> | undefined;
    if (values === undefined) {
      lines.push(`enum ${cname} missing`);
      continue;
    }
    for (const [key, value] of Object.entries(values)) lines.push(`enum ${`${cname}_${key}`.toUpperCase()} ${value}`);
  }
  return lines.sort();
}

/** The enums of a client header and their entry macros. */
function headerEnums(header: string): { cname: string; entries: string[] }[] {
  return [...header.matchAll(/\nenum (\w+) \{\n([\s\S]*?)\n\};/g)].map((m) => ({
    cname: m[1] as string,
    entries: [...(m[2] as string).matchAll(/^\t([A-Z0-9_]+) = /gm)].map((e) => e[1] as string),
  }));
}

function cProgram(interfaces: readonly string[], enums: readonly { entries: readonly string[] }[]): string {
  return `#include <stdio.h>
#include "protocol-client.h"
static void messages(const char *kind, const char *iface, const struct wl_message *m, int n) {
  for (int i = 0; i < n; i++) {
    printf("%s %s %d %s %s", kind, iface, i, m[i].name, m[i].signature);
    int arg = 0;
    for (const char *c = m[i].signature; *c; c++) {
      if (*c == '?' || (*c >= '0' && *c <= '9')) continue;
      printf(" %s", m[i].types[arg] ? m[i].types[arg]->name : "-");
      arg++;
    }
    printf("\\n");
  }
}
static const struct wl_interface *all[] = { ${interfaces.map((i) => `&${i}`).join(", ")} };
int main(void) {
  for (unsigned k = 0; k < sizeof all / sizeof all[0]; k++) {
    const struct wl_interface *i = all[k];
    printf("interface %s %d\\n", i->name, i->version);
    messages("request", i->name, i->methods, i->method_count);
    messages("event", i->name, i->events, i->event_count);
  }
${enums.flatMap((e) => e.entries).map((n) => `  printf("enum ${n} %lld\\n", (long long)${n});`).join("\n")}
  return 0;
}
`;
}

async function scanner(mode: string, xml: string, out: string): Promise<string> {
  const r = await runTool("wayland-scanner", ["-s", mode, xml, out]);
  if (r.code !== 0) throw new Error(`wayland-scanner ${mode} ${xml} failed: ${r.output}`);
  return readFileSync(out, "utf8");
}

/** `type="destructor"` messages of the XML, read from the XML text itself. */
function xmlDestructors(xml: string): string[] {
  const lines: string[] = [];
  for (const block of xml.split(/<interface\b/).slice(1)) {
    const iface = /name="(\w+)"/.exec(block)?.[1];
    for (const m of block.matchAll(/<(request|event)\b([^>]*)>/g)) {
      if (/type="destructor"/.test(m[2] as string)) lines.push(`${m[1]} ${iface} ${/name="(\w+)"/.exec(m[2] as string)?.[1]}`);
    }
  }
  return lines.sort();
}

describe.each(PROTOCOLS)("descriptors of $name agree with wayland-scanner", ({ name, xml, module, ownsCore }) => {
  it("interfaces, opcodes, since, signatures, argument interfaces and enum values", async () => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    requirePath("/usr/include/wayland-util.h", "libwayland-dev");
    const xmlPath = await xml();
    const code = await scanner("private-code", xmlPath, join(dir, "protocol.c"));
    const header = await scanner("client-header", xmlPath, join(dir, "protocol-client.h"));
    const interfaces = [...code.matchAll(/^WL_PRIVATE const struct wl_interface (\w+) = \{/gm)].map((m) => m[1] as string);
    expect(interfaces.length).toBeGreaterThan(0);
    const enums = headerEnums(header);
    writeFileSync(join(dir, "main.c"), cProgram(interfaces, enums));
    const exe = join(dir, "describe");
    // The core protocol's tables are all in protocol.c; the others refer to wl_surface_interface & co. of libwayland-client.
    const gcc = await runTool("gcc", ["-std=c11", "-o", exe, join(dir, "main.c"), join(dir, "protocol.c"), ...(ownsCore ? [] : ["-lwayland-client"])], { cwd: dir });
    expect(gcc.output).toBe("");
    expect(gcc.code).toBe(0);
    const theirs = execFileSync(exe, { encoding: "utf8" }).trim().split("\n").sort();
    expect(theirs.filter((l) => l.startsWith("interface")).length).toBe(interfaces.length);
    expect(ourLines(module, enums)).toEqual(theirs);
  }, 60_000);

  it("destructor flags match the XML", async () => {
    const ours = module.protocol.interfaces.flatMap((i) => [
      ...i.requests.filter((m) => m.destructor === true).map((m) => `request ${i.name} ${m.name}`),
      ...i.events.filter((m) => m.destructor === true).map((m) => `event ${i.name} ${m.name}`),
    ]);
    const expected = xmlDestructors(readFileSync(await xml(), "utf8"));
    expect(expected.length).toBeGreaterThan(0);
    expect(ours.sort()).toEqual(expected);
  });
});
