/**
 * register_protocol_handler (spec 5.1.4): the registry's errors, the built-in `nova` handler, and
 * the version arithmetic negotiation rests on.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUILTIN_PROTOCOLS,
  compareVersions,
  formatVersion,
  highestCommonVersion,
  inRange,
  NOVA_PROTOCOL,
  novaHandler,
  ProtocolRegistry,
  protocols,
  registerProtocolHandler,
  toVersionRange,
  unregisterProtocolHandler,
  type ProtocolHandler,
  type ProtocolVersion,
  type VersionRange,
} from "../../runtime/protocol/index.js";
import { decodeMessage } from "../../runtime/wire/frame.js";
import type { Message } from "../../runtime/wire/message.js";
import { thrownCode } from "../helpers/ipc-error.js";

const bytesHandler: ProtocolHandler<Uint8Array> = {
  validate: (m) => m instanceof Uint8Array,
  encode: (m) => m,
  decode: (b) => b.slice(),
};

describe("ProtocolRegistry", () => {
  it("has the built-in nova, dbus and wayland handlers by default (each at 1.0), and none on request", () => {
    const registry = new ProtocolRegistry();
    const v10 = { min: { major: 1, minor: 0 }, max: { major: 1, minor: 0 } };
    expect(registry.list()).toEqual([{ name: "nova", versions: v10 }, { name: "dbus", versions: v10 }, { name: "wayland", versions: v10 }]);
    expect(protocols.get(NOVA_PROTOCOL)?.handler).toBe(novaHandler);
    expect(new ProtocolRegistry({ builtins: false }).list()).toEqual([]);
    expect(BUILTIN_PROTOCOLS).toEqual(["nova", "dbus", "wayland"]);
  });

  it("registers, lists in registration order, refuses a second registration of a name, and re-registers after unregister", () => {
    const registry = new ProtocolRegistry();
    const id = registry.register("chat", bytesHandler, "1.0-1.3");
    expect(registry.register("mqtt", bytesHandler, { major: 1, minor: 0 })).not.toBe(id);
    expect(registry.list().map((p) => `${p.name} ${formatVersion(p.versions)}`)).toEqual(["nova 1.0", "dbus 1.0", "wayland 1.0", "chat 1.0-1.3", "mqtt 1.0"]);
    expect(thrownCode(() => registry.register("dbus", bytesHandler, "1.0"))).toBe("ProtocolAlreadyRegistered");
    expect(thrownCode(() => registry.register("chat", bytesHandler, "2.0"))).toBe("ProtocolAlreadyRegistered");
    expect(thrownCode(() => registry.register("nova", novaHandler, "1.0"))).toBe("ProtocolAlreadyRegistered");
    expect(registry.unregister(id)).toBe(true);
    expect(registry.unregister(id)).toBe(false);
    expect(registry.get("chat")).toBeUndefined();
    const again = registry.register("chat", bytesHandler, "2.0");
    expect(registry.require("chat")).toMatchObject({ id: again, versions: { min: { major: 2, minor: 0 }, max: { major: 2, minor: 0 } } });
  });

  it("refuses malformed versions and versions outside the handler's own with UnsupportedProtocolVersion", () => {
    const registry = new ProtocolRegistry({ builtins: false });
    for (const bad of ["1", "1.x", "1.2.3", "01.0", "1.0-", "-1.0", "2.0-1.0", "1.65536", "", { major: -1, minor: 0 }, { major: 1.5, minor: 0 }, { min: { major: 2, minor: 0 }, max: { major: 1, minor: 9 } }, 7, null]) {
      expect(thrownCode(() => registry.register("chat", bytesHandler, bad as never)), JSON.stringify(bad)).toBe("UnsupportedProtocolVersion");
    }
    const v2only: ProtocolHandler<Uint8Array> = { ...bytesHandler, supportedVersions: "2.0-2.4" };
    expect(thrownCode(() => registry.register("chat", v2only, "1.0"))).toBe("UnsupportedProtocolVersion");
    expect(thrownCode(() => registry.register("chat", v2only, "2.3-2.5"))).toBe("UnsupportedProtocolVersion");
    expect(registry.register("chat", v2only, "2.1-2.4")).toBeGreaterThan(0);
    expect(registry.list()).toHaveLength(1);
  });

  it("refuses handlers without validate, encode and decode with InvalidHandler, and bad names with InvalidArgument", () => {
    const registry = new ProtocolRegistry({ builtins: false });
    for (const bad of [null, undefined, 42, {}, { validate: () => true, encode: (m: Uint8Array) => m }, { ...bytesHandler, decode: "no" }]) {
      expect(thrownCode(() => registry.register("chat", bad as never, "1.0")), String(bad)).toBe("InvalidHandler");
    }
    for (const name of ["", "1chat", "chat room", "ch/at", "x".repeat(65), 42]) {
      expect(thrownCode(() => registry.register(name as never, bytesHandler, "1.0")), String(name)).toBe("InvalidArgument");
    }
    expect(registry.list()).toEqual([]);
    expect(thrownCode(() => registry.require("chat"))).toBe("ProtocolNotRegistered");
  });

  it("registerProtocolHandler uses the process-wide registry unless given one", () => {
    const id = registerProtocolHandler("org.novade.test.registry", bytesHandler, "1.0");
    try {
      expect(protocols.get("org.novade.test.registry")?.id).toBe(id);
      expect(thrownCode(() => registerProtocolHandler("org.novade.test.registry", bytesHandler, "1.0"))).toBe("ProtocolAlreadyRegistered");
    } finally {
      expect(unregisterProtocolHandler(id)).toBe(true);
    }
    const own = new ProtocolRegistry();
    registerProtocolHandler("org.novade.test.registry", bytesHandler, "1.0", own);
    expect(protocols.get("org.novade.test.registry")).toBeUndefined();
  });

  it("the nova handler round-trips a frame and validates the message shape", () => {
    const message: Message = { type: "event", messageId: 5n, correlationId: 0n, timestampNs: 9n, format: "msgpack", compression: "none", body: { eventType: "a.b", data: [1, "x"], sourceId: 0n, priority: 3 } };
    const v = { major: 1, minor: 0 };
    expect(novaHandler.validate(message, v)).toBe(true);
    expect(decodeMessage(novaHandler.encode(message, v))).toEqual(message);
    expect(novaHandler.decode(novaHandler.encode(message, v), v)).toEqual(message);
    expect(novaHandler.validate({ ...message, messageId: 5 }, v)).toBe(false);
    expect(novaHandler.validate({ type: "frame" }, v)).toBe(false);
  });
});

const version = fc.record({ major: fc.integer({ min: 0, max: 6 }), minor: fc.integer({ min: 0, max: 6 }) });
const range = fc.tuple(version, version).map(([a, b]): VersionRange => (compareVersions(a, b) <= 0 ? { min: a, max: b } : { min: b, max: a }));

describe("version ranges", () => {
  it("parses and formats single versions and ranges", () => {
    expect(toVersionRange("1.2")).toEqual({ min: { major: 1, minor: 2 }, max: { major: 1, minor: 2 } });
    expect(toVersionRange(" 1.0 - 65535.65535 ")).toEqual({ min: { major: 1, minor: 0 }, max: { major: 65535, minor: 65535 } });
    expect(formatVersion(toVersionRange("0.9-2.10"))).toBe("0.9-2.10");
    expect(formatVersion({ major: 3, minor: 1 })).toBe("3.1");
  });

  it("highestCommonVersion is the highest version in both ranges, or undefined when they do not overlap", () => {
    fc.assert(
      fc.property(range, range, (a, b) => {
        const common = highestCommonVersion(a, b);
        // Brute force over the grid the bounds come from (the highest common version is a bound, so on it).
        let best: ProtocolVersion | undefined;
        for (let major = 0; major <= 6; major++) {
          for (let minor = 0; minor <= 6; minor++) {
            const v = { major, minor };
            if (inRange(v, a) && inRange(v, b) && (!best || compareVersions(v, best) > 0)) best = v;
          }
        }
        expect(common).toEqual(best);
      }),
    );
  });
});
