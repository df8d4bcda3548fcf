/**
 * The text and JSON forms of a monitored message (nova dbus monitor): header fields, the typed
 * body, and descriptors shown as their index in the message (what travelled on the wire) wherever
 * they sit: in a struct, a variant, a dict key or value. The end-to-end monitor test is in
 * dbus-cli.test.ts.
 */
import { describe, expect, it } from "vitest";
import { Variant, type DbusMessage } from "../../runtime/dbus/wire/index.js";
import { messageJson, messageText } from "../../runtime/cli/dbus-monitor-lines.js";

const AT = new Date(1_700_000_000_123);

describe("monitor lines", () => {
  const call: DbusMessage = {
    type: "method_call", flags: 0, serial: 7, sender: ":1.4", destination: "org.example.Svc", path: "/org/example", interface: "org.example.Svc", member: "Take",
    signature: "(hs)va{hv}t", body: [[41, "x"], new Variant("ah", [42, 41]), new Map([[42, new Variant("h", 41)]]), 18446744073709551615n], fds: [41, 42],
  };

  it("prints the header in dbus-monitor's style and the body as GLib would, descriptors as indexes", () => {
    expect(messageText(call, AT)).toBe(
      "method call time=1700000000.123 sender=:1.4 -> destination=org.example.Svc serial=7 path=/org/example interface=org.example.Svc member=Take signature=(hs)va{hv}t fds=2\n" +
        "  ((handle 0, 'x'), <[handle 1, 0]>, {handle 1: <handle 0>}, uint64 18446744073709551615)\n",
    );
    const reply: DbusMessage = { type: "error", flags: 1, serial: 9, replySerial: 7, sender: ":1.5", errorName: "org.example.Error.No", signature: "", body: [], fds: [] };
    expect(messageText(reply, AT)).toBe("error time=1700000000.123 sender=:1.5 -> destination=(null) serial=9 reply_serial=7 error_name=org.example.Error.No signature=''\n");
  });

  it("writes one JSON object per message, values as nova dbus --json writes them", () => {
    expect(JSON.parse(messageJson(call, AT))).toEqual({
      type: "method_call", time: "2023-11-14T22:13:20.123Z", sender: ":1.4", destination: "org.example.Svc", serial: 7, path: "/org/example",
      interface: "org.example.Svc", member: "Take", signature: "(hs)va{hv}t",
      data: [[0, "x"], { type: "ah", data: [1, 0] }, { "1": { type: "h", data: 0 } }, { $n: "18446744073709551615" }],
    });
  });
});
