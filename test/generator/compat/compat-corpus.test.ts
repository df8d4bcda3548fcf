/**
 * The breaking-change checker on real corpus files, mutated in each way issue 4 lists.
 * Every breaking change must be found (with the old and the new location); every allowed addition passes.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { checkCompat, compareSides, loadSide, type CompatResult } from "../../../generator/compat/index.js";
import { sortDiagnostics } from "../../../generator/diagnostics.js";
import { createLineIndex } from "../../../generator/diagnostics.js";
import { corpusFile } from "../../helpers/corpus.js";

/** Replaces exactly one occurrence (so a mutation that silently does nothing fails the test). */
function mutate(text: string, from: string | RegExp, to: string): string {
  const count = typeof from === "string" ? text.split(from).length - 1 : (text.match(new RegExp(from.source, "g")) ?? []).length;
  if (count !== 1) throw new Error(`mutation target ${String(from)} occurs ${count} times`);
  return text.replace(from, to);
}

const codes = (r: CompatResult): string[] => r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);

describe("compat on xdg-shell.xml (Wayland)", () => {
  const wl = { path: "wayland.xml", text: readFileSync(corpusFile("wayland.xml"), "utf8") };
  const shellText = readFileSync(corpusFile("xdg-shell.xml"), "utf8");
  // The old side is the same for every case: load it once (checkCompat itself is exercised below and in
  // the D-Bus and CLI tests).
  let oldSide: ReturnType<typeof loadSide>;
  beforeAll(() => {
    oldSide = loadSide("old", [{ path: "old/xdg-shell.xml", text: shellText }, wl]);
  }, 60_000);
  const check = (next: string): CompatResult => {
    const n = loadSide("new", [{ path: "new/xdg-shell.xml", text: next }, wl]);
    const sources = new Map([...oldSide.sources, ...n.sources]);
    if (oldSide.side === undefined || n.side === undefined) return { diagnostics: [...oldSide.diagnostics, ...n.diagnostics], breaking: 0, compatible: [], loaded: false, sources };
    const { breaking, compatible } = compareSides(oldSide.side, n.side);
    const breaks = sortDiagnostics(breaking);
    return { diagnostics: breaks, breaking: breaks.length, compatible, loaded: true, sources };
  };
  const toplevelEnd = /(<\/interface>\s*<interface name="xdg_popup")/;

  it("finds nothing between a file and itself", () => {
    const r = checkCompat([{ path: "old/xdg-shell.xml", text: shellText }, wl], [{ path: "new/xdg-shell.xml", text: shellText }, wl]);
    expect(r.loaded).toBe(true);
    expect(r.diagnostics).toEqual([]);
  });

  const breaking: [string, () => string, string[]][] = [
    ["a removed request", () => mutate(shellText, /<request name="set_title">[\s\S]*?<\/request>/, ""), ["NIDL5002"]],
    ["a removed event", () => mutate(shellText, /<event name="configure_bounds" since="4">[\s\S]*?<\/event>/, ""), ["NIDL5002"]],
    ["a changed argument type", () => mutate(shellText, '<arg name="title" type="string"/>', '<arg name="title" type="uint"/>'), ["NIDL5003"]],
    ["an added argument", () => mutate(shellText, '<arg name="title" type="string"/>', '<arg name="title" type="string"/><arg name="lang" type="string"/>'), ["NIDL5003"]],
    ["a removed argument", () => mutate(shellText, '<arg name="app_id" type="string"/>', ""), ["NIDL5003"]],
    ["reordered arguments", () => mutate(shellText, /(<request name="show_window_menu">[\s\S]*?)(<arg name="seat" type="object" interface="wl_seat"[^>]*\/>)(\s*)(<arg name="serial" type="uint"[^>]*\/>)/, "$1$4$3$2"), ["NIDL5003"]],
    ["swapped arguments of the same type", () => mutate(shellText, /<arg name="width" type="int" summary="width of positioned rectangle"\/>\s*<arg name="height" type="int" summary="height of positioned rectangle"\/>/, '<arg name="height" type="int"/><arg name="width" type="int"/>'), ["NIDL5003"]],
    ["a removed enum entry", () => mutate(shellText, /<entry name="maximized" value="1" summary="the surface is maximized">[\s\S]*?<\/entry>/, ""), ["NIDL5004"]],
    ["a changed enum value (hex spelling of another number)", () => mutate(shellText, /(<enum name="anchor">[\s\S]*?<entry name="top" )value="1"/, '$1value="0x9"'), ["NIDL5005"]],
    ["a new request without since and no version bump", () => mutate(shellText, toplevelEnd, '<request name="set_icon"><arg name="name" type="string"/></request>\n  $1'), ["NIDL5008", "NIDL5008"]],
    ["a new event with since not above the old version", () => mutate(shellText, toplevelEnd, '<event name="hint" since="5"><arg name="v" type="uint"/></event>\n  $1'), ["NIDL5008", "NIDL5008"]],
    ["a new request inserted before existing ones", () => mutate(shellText, /(<interface name="xdg_toplevel" version="5">[\s\S]*?)(<request name="set_parent">)/, '$1<request name="first"/>\n    $2'), ["NIDL5008", "NIDL5008", "NIDL5008"]],
    ["a lowered interface version", () => mutate(shellText, '<interface name="xdg_popup" version="5">', '<interface name="xdg_popup" version="4">').replace(/(<interface name="xdg_popup"[\s\S]*?)since="5"/g, "$1since=\"4\""), ["NIDL5008"]],
    ["a request that became a destructor", () => mutate(shellText, '<request name="set_title">', '<request name="set_title" type="destructor">'), ["NIDL5008"]],
    ["an argument that refers to another enum", () => mutate(shellText, /(<request name="resize">[\s\S]*?<arg name="edges" type="uint" )enum="resize_edge"/, '$1enum="xdg_positioner.anchor"'), ["NIDL5003"]],
    ["a renamed request", () => mutate(shellText, '<request name="set_title">', '<request name="set_caption">'), ["NIDL5002"]],
  ];

  for (const [what, make, expected] of breaking) {
    it(`detects ${what}`, () => {
      const r = check(make());
      expect(r.loaded, JSON.stringify(r.diagnostics.slice(0, 3))).toBe(true);
      expect(codes(r).sort()).toEqual([...expected].sort());
      expect(r.breaking).toBe(expected.length);
    });
  }

  it("detects removed interfaces (wl_shell and wl_shell_surface of wayland.xml)", () => {
    const next = mutate(wl.text, /<interface name="wl_shell" [\s\S]*?<\/interface>\s*<interface name="wl_shell_surface" [\s\S]*?<\/interface>/, "");
    const r = checkCompat([{ path: "old/wayland.xml", text: wl.text }], [{ path: "new/wayland.xml", text: next }]);
    expect(r.loaded).toBe(true);
    expect(codes(r)).toEqual(["NIDL5001", "NIDL5001"]);
    expect(r.diagnostics.map((d) => d.message)).toEqual(['interface "wl_shell" was removed or renamed', 'interface "wl_shell_surface" was removed or renamed']);
  });

  it("needs no --with: interfaces of other protocols are stubs, and stubs are not compared", () => {
    const next = mutate(shellText, '<arg name="title" type="string"/>', '<arg name="title" type="uint"/>').replace(/<arg name="output" type="object" interface="wl_output"[^>]*\/>/g, '<arg name="output" type="uint"/>');
    const r = checkCompat([{ path: "old/xdg-shell.xml", text: shellText }], [{ path: "new/xdg-shell.xml", text: next }]);
    expect(r.loaded).toBe(true);
    // The changed output arg and title; wl_output is no longer referenced, but its stub vanishing is no break.
    expect(codes(r).sort()).toEqual(["NIDL5003", "NIDL5003"]);
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message).join("\n")).not.toMatch(/wl_output" was removed/);
  });

  it("points at the old element and, in a note, at the new one", () => {
    const next = mutate(shellText, '<arg name="title" type="string"/>', '\n<arg name="title" type="uint"/>');
    const r = check(next);
    const d = r.diagnostics[0]!;
    expect(d.span?.file).toBe("old/xdg-shell.xml");
    expect(d.notes[0]?.span?.file).toBe("new/xdg-shell.xml");
    const oldLine = createLineIndex(shellText).position(d.span!.start).line;
    const newLine = createLineIndex(next).position(d.notes[0]!.span!.start).line;
    expect(shellText.split("\n")[oldLine - 1]).toContain('<arg name="title" type="string"/>');
    expect(next.split("\n")[newLine - 1]).toContain('<arg name="title" type="uint"/>');
  });

  it("allows additions that follow the rules", () => {
    let next = mutate(shellText, '<interface name="xdg_toplevel" version="5">', '<interface name="xdg_toplevel" version="6">');
    next = mutate(next, toplevelEnd, '<request name="set_icon" since="6"><arg name="name" type="string" allow-null="true"/></request>\n<event name="hint" since="6"><arg name="v" type="uint"/></event>\n  $1');
    next = mutate(next, /(<entry name="maximized" value="1")/, '<entry name="sticky" value="100" since="6"/>$1');
    next = mutate(next, /(<\/protocol>)/, '<interface name="xdg_extra" version="1"><request name="destroy" type="destructor"/></interface>$1');
    const r = check(next);
    expect(r.loaded).toBe(true);
    expect(r.diagnostics).toEqual([]);
  });
});

describe("compat on xdg-desktop-portal D-Bus XML", () => {
  const notif = readFileSync(corpusFile("org.freedesktop.portal.Notification.xml"), "utf8");
  const lockdown = readFileSync(corpusFile("org.freedesktop.impl.portal.Lockdown.xml"), "utf8");
  const check = (a: string, b: string, name = "n.xml"): CompatResult => checkCompat([{ path: `old/${name}`, text: a }], [{ path: `new/${name}`, text: b }]);

  it("finds nothing between a file and itself", () => {
    expect(check(notif, notif).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  const breaking: [string, () => string, string[]][] = [
    ["a renamed interface", () => mutate(notif, '<interface name="org.freedesktop.portal.Notification">', '<interface name="org.freedesktop.portal.Notify">'), ["NIDL5001"]],
    ["a removed method", () => mutate(notif, /<method name="RemoveNotification">[\s\S]*?<\/method>/, ""), ["NIDL5002"]],
    ["a renamed method", () => mutate(notif, '<method name="RemoveNotification">', '<method name="DropNotification">'), ["NIDL5002"]],
    ["a removed signal", () => mutate(notif, /<signal name="ActionInvoked">[\s\S]*?<\/signal>/, ""), ["NIDL5002"]],
    ["a removed property", () => mutate(notif, '<property name="version" type="u" access="read"/>', ""), ["NIDL5002"]],
    ["a changed argument type", () => mutate(notif, '<arg type="a{sv}" name="notification" direction="in"/>', '<arg type="a{ss}" name="notification" direction="in"/>'), ["NIDL5003"]],
    ["a changed signal argument type", () => mutate(notif, '<arg type="av" name="parameter"/>', '<arg type="v" name="parameter"/>'), ["NIDL5003"]],
    ["an added argument", () => mutate(notif, '<arg type="s" name="id" direction="in"/>\n    </method>', '<arg type="s" name="id" direction="in"/>\n<arg type="u" name="flags" direction="in"/>\n    </method>'), ["NIDL5003"]],
    ["an added result", () => mutate(notif, '<arg type="s" name="id" direction="in"/>\n    </method>', '<arg type="s" name="id" direction="in"/>\n<arg type="b" name="removed" direction="out"/>\n    </method>'), ["NIDL5003"]],
    ["reordered arguments", () => mutate(notif, /(<arg type="s" name="id" direction="in"\/>)(\s*)(<arg type="a\{sv\}" name="notification" direction="in"\/>)/, "$3$2$1"), ["NIDL5003"]],
    ["a method that became oneway", () => mutate(notif, '<method name="RemoveNotification">', '<method name="RemoveNotification"><annotation name="org.freedesktop.DBus.Method.NoReply" value="true"/>'), ["NIDL5007"]],
    ["a changed property type", () => mutate(notif, '<property name="version" type="u" access="read"/>', '<property name="version" type="s" access="read"/>'), ["NIDL5009"]],
  ];
  for (const [what, make, expected] of breaking) {
    it(`detects ${what}`, () => {
      const r = check(notif, make());
      expect(r.loaded, JSON.stringify(r.diagnostics.slice(0, 3))).toBe(true);
      expect(codes(r).sort()).toEqual([...expected].sort());
    });
  }

  it("names the new name of a renamed interface or method", () => {
    const iface = check(notif, mutate(notif, '<interface name="org.freedesktop.portal.Notification">', '<interface name="org.freedesktop.portal.Notify">'));
    expect(iface.diagnostics.map((d) => d.message)).toEqual(['interface "org.freedesktop.portal.Notification" was renamed to "org.freedesktop.portal.Notify"']);
    const method = check(notif, mutate(notif, '<method name="RemoveNotification">', '<method name="DropNotification">'));
    expect(method.diagnostics.map((d) => d.message)).toEqual(['method "RemoveNotification" of "Notification" was renamed to "DropNotification"']);
    expect(method.diagnostics[0]!.notes[0]!.span?.file).toBe("new/n.xml");
  });

  it("detects a oneway method that became two-way", () => {
    const oneway = mutate(notif, '<method name="RemoveNotification">', '<method name="RemoveNotification"><annotation name="org.freedesktop.DBus.Method.NoReply" value="true"/>');
    expect(codes(check(oneway, notif))).toEqual(["NIDL5007"]);
  });

  it("detects narrowed property access, and allows widening", () => {
    const narrowed = mutate(lockdown, '<property name="disable-camera" type="b" access="readwrite"/>', '<property name="disable-camera" type="b" access="read"/>');
    expect(codes(check(lockdown, narrowed, "l.xml"))).toEqual(["NIDL5006"]);
    expect(codes(check(narrowed, lockdown, "l.xml"))).toEqual([]);
    const writeOnly = mutate(lockdown, '<property name="disable-camera" type="b" access="readwrite"/>', '<property name="disable-camera" type="b" access="write"/>');
    expect(codes(check(lockdown, writeOnly, "l.xml"))).toEqual(["NIDL5006"]);
  });

  it("allows additions: methods, signals, properties, annotations, interfaces", () => {
    let next = mutate(notif, '<property name="version" type="u" access="read"/>', '<property name="version" type="u" access="read"/>\n<property name="flags" type="u" access="readwrite"/>\n<method name="Clear"><arg type="as" name="ids" direction="in"/></method>\n<signal name="Cleared"><arg type="u" name="count"/></signal>');
    next = mutate(next, '<method name="AddNotification">', '<method name="AddNotification"><annotation name="org.gtk.GDBus.Since" value="2"/>');
    next = mutate(next, "</node>", '<interface name="org.freedesktop.portal.Extra"><method name="Ping"/></interface>\n</node>');
    const r = check(notif, next);
    expect(r.loaded).toBe(true);
    expect(codes(r)).toEqual([]);
  });
});
