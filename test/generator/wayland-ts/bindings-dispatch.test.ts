/**
 * Unit level only (the wire tests are wl-core's and wl-run's): every generated method of the checked-in
 * bindings reaches the runtime with the right opcode and argument order, through a minimal fake
 * connection that records what it is asked to send. For every interface of the core protocol,
 * xdg-shell and the NovaDE shell: each proxy request (looked up by the runtime's own camelCase of the
 * wire name), each resource event, the new_id placement and the class of the object it creates, the
 * parent's version, destructors, typed listeners and wire-named request handlers.
 */
import { describe, expect, it } from "vitest";
import type { WlArg, WlInterface, WlMessage } from "../../../runtime/wayland/descriptor.js";
import type { WlConnection } from "../../../runtime/wayland/connection.js";
import { camelName, WlObject, WlProxy, WlResource, proxyClassFor, resourceClassFor, type WlObjectClass } from "../../../runtime/wayland/proxy.js";
import * as core from "../../../runtime/wayland/protocols/wayland.js";
import * as xdgShell from "../../../runtime/wayland/protocols/xdg_shell.js";
import * as novaShell from "../../../runtime/wayland/protocols/nova_shell_v1.js";

interface Sent {
  readonly target: WlObject;
  readonly opcode: number;
  readonly args: readonly unknown[];
}

/** Just what WlObject/WlProxy/WlResource use of a connection: an id allocator, send, destroy notification. */
class FakeConnection {
  readonly sent: Sent[] = [];
  readonly destroyed: WlObject[] = [];
  readonly live = new Map<number, WlObject>();
  readonly client = { connection: this as unknown as WlConnection };
  #next = 2;
  readonly objects = {
    allocate: (): number => this.#next++,
    insert: (o: WlObject): void => void this.live.set(o.id, o),
    release: (o: WlObject): void => void this.live.delete(o.id),
  };
  send(target: WlObject, opcode: number, args: readonly unknown[]): void {
    this.sent.push({ target, opcode, args: [...args] });
  }
  objectDestroyed(o: WlObject): void {
    this.destroyed.push(o);
  }
  make<T extends WlObject>(cls: WlObjectClass<T>, version = 1): T {
    return new cls(this as unknown as WlConnection, this.objects.allocate(), version);
  }
}

type Module = { readonly protocol: { readonly interfaces: readonly WlInterface[] } };
const MODULES: readonly [string, Module][] = [["wayland", core], ["xdg_shell", xdgShell], ["nova_shell_v1", novaShell]];

/** A distinct value for argument `i` (objects: an object of the arg's interface on `side`, or a plain one). */
function valueFor(conn: FakeConnection, a: WlArg, i: number, side: "proxy" | "resource"): unknown {
  switch (a.type) {
    case "int": return -1 - i;
    case "uint": return 100 + i;
    case "fixed": return i + 0.5;
    case "fd": return 10 + i;
    case "string": return `s${i}`;
    case "array": return new Uint8Array([i, i + 1]);
    case "object": {
      if (a.interface !== undefined) return side === "proxy" ? conn.make(proxyClassFor(a.interface)!) : conn.make(resourceClassFor(a.interface)!);
      // An untyped object (wl_display.error's object_id): any object, here a plain one of no generated class.
      const untyped = conn as unknown as WlConnection;
      const id = conn.objects.allocate();
      return side === "proxy" ? new WlProxy(untyped, id, 1, core.wl_callback_interface) : new WlResource(untyped, id, 1, core.wl_callback_interface);
    }
    default: throw new Error(`no value for ${a.type}`);
  }
}

function isNewId(a: WlArg): boolean {
  return a.type === "new_id";
}

/** Calls `name` on `target` and returns what it returned. */
function call(target: WlObject, name: string, args: readonly unknown[]): unknown {
  const method = (target as unknown as Record<string, unknown>)[name];
  expect(typeof method, `${target.iface.name}.${name}`).toBe("function");
  return (method as (...a: unknown[]) => unknown).apply(target, [...args]);
}

function checkRequest(conn: FakeConnection, iface: WlInterface, opcode: number, m: WlMessage): void {
  const proxyClass = proxyClassFor(iface.name)!;
  const version = Math.max(m.since, 1);
  const proxy = conn.make(proxyClass, version);
  const given: unknown[] = [];
  const expected: unknown[] = [];
  let untyped = false;
  m.args.forEach((a, i) => {
    if (isNewId(a)) {
      expected.push(undefined); // filled in below with the new object's id
      untyped = a.interface === undefined;
      return;
    }
    const v = valueFor(conn, a, i, "proxy");
    given.push(v);
    expected.push(v);
  });
  // The untyped new_id of wl_registry.bind takes the class to create and its version.
  if (untyped) given.push(core.WlCompositor, 3);
  const result = call(proxy, camelName(m.name), given);
  const last = conn.sent.at(-1)!;
  expect(last.target).toBe(proxy);
  expect(last.opcode, `${iface.name}.${m.name}`).toBe(opcode);
  const at = m.args.findIndex(isNewId);
  if (at >= 0) {
    const created = result as WlProxy;
    const wanted = untyped ? core.WlCompositor : proxyClassFor(m.args[at]!.interface!)!;
    expect(created).toBeInstanceOf(wanted);
    expect(created.version).toBe(untyped ? 3 : version);
    expected[at] = untyped ? { interface: "wl_compositor", version: 3, id: created.id } : created.id;
  } else {
    expect(result).toBeUndefined();
  }
  expect(last.args, `${iface.name}.${m.name}`).toEqual(expected);
  expect(proxy.destroyed).toBe(m.destructor === true);
}

function checkEvent(conn: FakeConnection, iface: WlInterface, opcode: number, m: WlMessage): void {
  const resource = conn.make(resourceClassFor(iface.name)!, Math.max(m.since, 1));
  const given: unknown[] = [];
  const expected: unknown[] = [];
  m.args.forEach((a, i) => {
    if (isNewId(a)) return void expected.push(undefined);
    const v = valueFor(conn, a, i, "resource");
    given.push(v);
    expected.push(v);
  });
  const result = call(resource, `send${camelName(`_${m.name}`)}`, given);
  const last = conn.sent.at(-1)!;
  expect(last.target).toBe(resource);
  expect(last.opcode, `${iface.name}.${m.name}`).toBe(opcode);
  const at = m.args.findIndex(isNewId);
  if (at >= 0) {
    expect(result).toBeInstanceOf(resourceClassFor(m.args[at]!.interface!)!);
    expected[at] = (result as WlResource).id;
  }
  expect(last.args, `${iface.name}.${m.name}`).toEqual(expected);
  expect(resource.destroyed).toBe(m.destructor === true);
}

describe.each(MODULES)("generated bindings of %s through a fake connection", (_name, module) => {
  it("every request method sends its own opcode with the arguments in wire order", () => {
    const conn = new FakeConnection();
    let count = 0;
    for (const iface of module.protocol.interfaces) {
      iface.requests.forEach((m, opcode) => {
        checkRequest(conn, iface, opcode, m);
        count++;
      });
    }
    expect(count).toBeGreaterThan(0);
    expect(conn.sent.length).toBe(count);
  });

  it("every resource event method sends its own opcode; a new_id event creates the resource", () => {
    const conn = new FakeConnection();
    let count = 0;
    for (const iface of module.protocol.interfaces) {
      iface.events.forEach((m, opcode) => {
        checkEvent(conn, iface, opcode, m);
        count++;
      });
    }
    expect(count).toBeGreaterThan(0);
    expect(conn.sent.length).toBe(count);
  });

  it("registers a proxy and a resource class for each interface, with its descriptor", () => {
    for (const iface of module.protocol.interfaces) {
      expect(proxyClassFor(iface.name)?.interface).toBe(iface);
      expect(resourceClassFor(iface.name)?.interface).toBe(iface);
    }
  });
});

describe("typed listeners and handlers reach the runtime by wire name", () => {
  it("WlRegistry.on('global_remove') gets the decoded arguments; off removes a listener", () => {
    const conn = new FakeConnection();
    const registry = conn.make(core.WlRegistry);
    const seen: number[] = [];
    registry.on("global_remove", (name) => seen.push(name));
    const listener = (name: number): void => void seen.push(-name);
    registry.on("global_remove", listener);
    const opcode = core.wl_registry_interface.events.findIndex((e) => e.name === "global_remove");
    registry.dispatch(opcode, [42]);
    registry.off("global_remove", listener);
    registry.dispatch(opcode, [43]);
    expect(seen).toEqual([42, -42, 43]);
  });

  it("WlRegistryResource handlers: bind gets the raw untyped new_id, keyed by the wire name", () => {
    const conn = new FakeConnection();
    const registry = conn.make(core.WlRegistryResource);
    const calls: unknown[][] = [];
    registry.implementation = { bind: (resource, name, id) => void calls.push([resource, name, id]) };
    const raw = { interface: "wl_output", version: 2, id: 7 };
    registry.dispatch(0, [5, raw]);
    expect(calls).toEqual([[registry, 5, raw]]);
  });

  it("a destructor request's handler runs, then the resource is destroyed", () => {
    const conn = new FakeConnection();
    const surface = conn.make(core.WlSurfaceResource);
    let ran = false;
    surface.implementation = { destroy: () => void (ran = true) };
    surface.dispatch(core.wl_surface_interface.requests.findIndex((r) => r.name === "destroy"), []);
    expect([ran, surface.destroyed]).toEqual([true, true]);
  });
});
