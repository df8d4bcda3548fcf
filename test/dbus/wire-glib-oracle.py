#!/usr/bin/python3
"""GLib as an independent D-Bus codec, for test/dbus/wire-glib.test.ts (started by wire-glib-oracle.ts).

One long-lived process: reads one JSON request per line on stdin, writes one
JSON answer per line on stdout.
  {"op": "decode", "blob": base64}  -> {"ok", "print", "signature", "type", "serial", "flags",
                                        "path", "interface", "member", "error_name",
                                        "reply_serial", "destination", "sender", "nfds"}
  {"op": "encode", "endian": "l"|"B", "serial", "kind": "call"|"signal"|"return"|"error",
   "signature", "text", "nfds", ...header fields} -> {"ok", "blob": base64}
Errors are answers too: {"ok": false, "error": "..."}.
"""
import base64
import json
import os
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

CAPS = Gio.DBusCapabilityFlags.UNIX_FD_PASSING
DEVNULL = os.open("/dev/null", os.O_RDONLY)


def decode(req):
    m = Gio.DBusMessage.new_from_blob(base64.b64decode(req["blob"]), CAPS)
    body = m.get_body()
    return {
        "print": body.print_(True) if body is not None else "()",
        "signature": m.get_signature(),
        "type": int(m.get_message_type()),
        "serial": m.get_serial(),
        "flags": int(m.get_flags()),
        "path": m.get_path(),
        "interface": m.get_interface(),
        "member": m.get_member(),
        "error_name": m.get_error_name(),
        "reply_serial": m.get_reply_serial(),
        "destination": m.get_destination(),
        "sender": m.get_sender(),
        "nfds": m.get_num_unix_fds(),
    }


def encode(req):
    kind = req["kind"]
    if kind == "signal":
        m = Gio.DBusMessage.new_signal(req["path"], req["interface"], req["member"])
    else:
        m = Gio.DBusMessage.new_method_call(req.get("destination"), req["path"], req.get("interface"), req["member"])
    m.set_serial(req["serial"])
    if req.get("sender"):
        m.set_sender(req["sender"])
    if req["signature"]:
        vt = GLib.VariantType.new("(" + req["signature"] + ")")
        m.set_body(GLib.Variant.parse(vt, req["text"], None, None))
    if req.get("nfds"):
        fds = Gio.UnixFDList.new()
        for _ in range(req["nfds"]):
            fds.append(DEVNULL)
        m.set_unix_fd_list(fds)
    m.set_byte_order(Gio.DBusMessageByteOrder.BIG_ENDIAN if req["endian"] == "B" else Gio.DBusMessageByteOrder.LITTLE_ENDIAN)
    return {"blob": base64.b64encode(m.to_blob(CAPS)).decode("ascii")}


for line in sys.stdin:
    try:
        req = json.loads(line)
        out = decode(req) if req["op"] == "decode" else encode(req)
        out["ok"] = True
    except Exception as e:  # an answer, not a crash: the test asserts on it
        out = {"ok": False, "error": str(e)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
