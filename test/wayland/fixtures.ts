/**
 * Hand-written descriptors and minimal classes for the connection tests: the
 * parts of wl_display, wl_registry and wl_callback the tests use (the real
 * bindings are generated from wayland.xml by nova-gen), and `nova_test`, an
 * interface with every argument type.
 */
import type { WlInterface } from "../../runtime/wayland/descriptor.js";
import { WlProxy, WlResource } from "../../runtime/wayland/proxy.js";

export const displayIface: WlInterface = {
  name: "wl_display",
  version: 1,
  requests: [
    { name: "sync", since: 1, args: [{ name: "callback", type: "new_id", interface: "wl_callback" }] },
    { name: "get_registry", since: 1, args: [{ name: "registry", type: "new_id", interface: "wl_registry" }] },
  ],
  events: [
    {
      name: "error",
      since: 1,
      args: [
        { name: "object_id", type: "object" },
        { name: "code", type: "uint" },
        { name: "message", type: "string" },
      ],
    },
    { name: "delete_id", since: 1, args: [{ name: "id", type: "uint" }] },
  ],
};

export const callbackIface: WlInterface = {
  name: "wl_callback",
  version: 1,
  requests: [],
  events: [{ name: "done", since: 1, destructor: true, args: [{ name: "callback_data", type: "uint" }] }],
};

export const registryIface: WlInterface = {
  name: "wl_registry",
  version: 1,
  requests: [
    {
      name: "bind",
      since: 1,
      args: [
        { name: "name", type: "uint" },
        { name: "id", type: "new_id" },
      ],
    },
  ],
  events: [
    {
      name: "global",
      since: 1,
      args: [
        { name: "name", type: "uint" },
        { name: "interface", type: "string" },
        { name: "version", type: "uint" },
      ],
    },
    { name: "global_remove", since: 1, args: [{ name: "name", type: "uint" }] },
  ],
};

const everyArg = [
  { name: "i", type: "int" },
  { name: "u", type: "uint" },
  { name: "f", type: "fixed" },
  { name: "s", type: "string", nullable: true },
  { name: "o", type: "object", interface: "nova_test", nullable: true },
  { name: "a", type: "array" },
  { name: "h", type: "fd" },
] as const;

/** Every argument type both ways, a request that creates, a destructor, an event of version 2 and one with a new object. */
export const testIface: WlInterface = {
  name: "nova_test",
  version: 2,
  requests: [
    { name: "all", since: 1, args: everyArg },
    { name: "create", since: 1, args: [{ name: "id", type: "new_id", interface: "nova_test" }] },
    { name: "destroy", since: 1, destructor: true, args: [] },
    { name: "newer", since: 2, args: [] },
    { name: "fds", since: 1, args: [{ name: "a", type: "fd" }, { name: "n", type: "uint" }, { name: "b", type: "fd" }] },
  ],
  events: [
    { name: "all", since: 1, args: everyArg },
    { name: "child", since: 1, args: [{ name: "id", type: "new_id", interface: "nova_test" }] },
    { name: "newer", since: 2, args: [] },
    { name: "fds", since: 1, args: [{ name: "a", type: "fd" }, { name: "n", type: "uint" }, { name: "b", type: "fd" }] },
  ],
};

/** Client classes, as generated code would define them. */
export class Display extends WlProxy {
  static readonly interface = displayIface;
  sync(): Callback {
    return this._requestNew(0, [null], Callback);
  }
  getRegistry(): Registry {
    return this._requestNew(1, [null], Registry);
  }
}

export class Callback extends WlProxy {
  static readonly interface = callbackIface;
}

export class Registry extends WlProxy {
  static readonly interface = registryIface;
  bind<P extends WlProxy>(name: number, ctor: { new (...a: never[]): P; interface: WlInterface } & typeof WlProxy, version: number): P {
    return this._requestNew(0, [name, null], ctor as never, version);
  }
}

export class TestProxy extends WlProxy {
  static readonly interface = testIface;
  all(...args: unknown[]): void {
    this._request(0, args);
  }
  create(): TestProxy {
    return this._requestNew(1, [null], TestProxy);
  }
  destroy(): void {
    this._destroyAfter(2, []);
  }
  newer(): void {
    this._request(3, []);
  }
  fds(a: number, n: number, b: number): void {
    this._request(4, [a, n, b]);
  }
}

/** Server classes. */
export class DisplayResource extends WlResource {
  static readonly interface = displayIface;
}

export class CallbackResource extends WlResource {
  static readonly interface = callbackIface;
  sendDone(data: number): void {
    this._event(0, [data]);
  }
}

export class RegistryResource extends WlResource {
  static readonly interface = registryIface;
  sendGlobal(name: number, iface: string, version: number): void {
    this._event(0, [name, iface, version]);
  }
}

export class TestResource extends WlResource {
  static readonly interface = testIface;
  sendAll(...args: unknown[]): void {
    this._event(0, args);
  }
  sendChild(): TestResource {
    return this._eventNew(1, [null], TestResource);
  }
  sendNewer(): void {
    this._event(2, []);
  }
  sendFds(a: number, n: number, b: number): void {
    this._event(3, [a, n, b]);
  }
}
