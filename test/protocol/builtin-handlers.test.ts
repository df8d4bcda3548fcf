/**
 * The built-in `dbus` and `wayland` protocol handlers: what they encode is
 * what the real protocol puts on the wire, what they decode is checked as
 * their connections check it, and bad bytes are typed errors through the
 * registry (MessageCorrupted), never exceptions of another kind.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isIPCError } from "../../runtime/errors.js";
import { decodeWith, encodeWith } from "../../runtime/protocol/handler.js";
import { ProtocolRegistry } from "../../runtime/protocol/registry.js";
import { dbusProtocolHandler } from "../../runtime/dbus/protocol-handler.js";
import { waylandProtocolHandler, type WlWireMessage } from "../../runtime/wayland/protocol-handler.js";
import { decodeMessage as decodeDbus, encodeMessage as encodeDbus, Variant, type DbusMessage } from "../../runtime/dbus/wire/index.js";

const V10 = { major: 1, minor: 0 };
const registry = new ProtocolRegistry();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isIPCError(error) ? error.code : `not an IPCError: ${String(error)}`;
  }
  return undefined;
}

describe("built-in protocol handlers", () => {
  it("dbus: a method call encodes to exactly the codec's bytes and decodes back", () => {
    const { handler } = registry.require("dbus");
    const message: DbusMessage = {
      type: "method_call", flags: 0, serial: 9, path: "/org/novade/demo/Calculator", interface: "org.novade.demo.Calculator", member: "add",
      destination: "org.novade.demo.Calculator", signature: "dda{sv}", body: [1.5, 2, new Map([["k", new Variant("s", "v")]])], fds: [],
    };
    const bytes = encodeWith("dbus", handler, message, V10);
    expect(bytes).toEqual(encodeDbus(message).bytes);
    expect(decodeWith("dbus", handler, bytes, V10)).toEqual(decodeDbus(bytes));
  });

  it("dbus: a message with descriptors is refused (they cannot cross as bytes), and so is a non-message", () => {
    const { handler } = registry.require("dbus");
    const withFd = { type: "signal", flags: 0, serial: 1, path: "/a", interface: "a.b", member: "C", signature: "h", body: [0], fds: [0] };
    expect(codeOf(() => encodeWith("dbus", handler, withFd, V10))).toBe("MessageValidationFailed");
    expect(codeOf(() => encodeWith("dbus", handler, { type: "call" }, V10))).toBe("MessageValidationFailed");
    expect(codeOf(() => encodeWith("dbus", handler, { type: "signal", flags: 0, serial: 1, signature: "s", body: [1], fds: [] }, V10))).toBe("ProtocolError");
  });

  it("dbus: random bytes, truncations and trailing bytes are MessageCorrupted", () => {
    const { handler } = registry.require("dbus");
    const good = encodeDbus({ type: "signal", flags: 0, serial: 3, path: "/a", interface: "a.b", member: "C", signature: "s", body: ["x"], fds: [] }).bytes;
    for (let n = 0; n < good.length; n++) expect(codeOf(() => decodeWith("dbus", handler, good.subarray(0, n), V10))).toBe("MessageCorrupted");
    expect(codeOf(() => decodeWith("dbus", handler, Uint8Array.from([...good, 0]), V10))).toBe("MessageCorrupted");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const code = codeOf(() => decodeWith("dbus", handler, bytes, V10));
        expect(code === undefined || code === "MessageCorrupted" || code === "MessageValidationFailed").toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("wayland: a wire message round-trips, with the header libwayland writes", () => {
    const { handler } = registry.require("wayland");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ maxLength: 256 }).map((b) => b.subarray(0, b.length & ~3)),
        (objectId, opcode, payload) => {
          const message: WlWireMessage = { objectId, opcode, payload };
          const bytes = encodeWith("wayland", handler, message, V10);
          const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          expect(view.getUint32(0, true)).toBe(objectId);
          expect(view.getUint32(4, true)).toBe(((bytes.length << 16) | opcode) >>> 0);
          expect(decodeWith("wayland", handler, bytes, V10)).toEqual(message);
        },
      ),
    );
    // wl_display.sync(new_id 2): object 1, opcode 0, size 12.
    expect([...waylandProtocolHandler.encode({ objectId: 1, opcode: 0, payload: Uint8Array.of(2, 0, 0, 0) }, V10)]).toEqual([1, 0, 0, 0, 0, 0, 12, 0, 2, 0, 0, 0]);
  });

  it("wayland: bad sizes, unaligned payloads and random bytes are typed errors", () => {
    const { handler } = registry.require("wayland");
    expect(codeOf(() => encodeWith("wayland", handler, { objectId: 0, opcode: 0, payload: new Uint8Array(0) }, V10))).toBe("MessageValidationFailed");
    expect(codeOf(() => encodeWith("wayland", handler, { objectId: 1, opcode: 0, payload: new Uint8Array(3) }, V10))).toBe("MessageValidationFailed");
    expect(codeOf(() => decodeWith("wayland", handler, Uint8Array.of(1, 0, 0, 0, 0, 0, 12, 0), V10))).toBe("MessageCorrupted");
    expect(codeOf(() => decodeWith("wayland", handler, Uint8Array.of(1, 0, 0, 0, 0, 0, 9, 0, 0), V10))).toBe("MessageCorrupted");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const code = codeOf(() => decodeWith("wayland", handler, bytes, V10));
        expect(code === undefined || code === "MessageCorrupted").toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("the handlers are the registry's built-ins", () => {
    expect(registry.require("dbus").handler).toBe(dbusProtocolHandler);
    expect(registry.require("wayland").handler).toBe(waylandProtocolHandler);
  });
});
