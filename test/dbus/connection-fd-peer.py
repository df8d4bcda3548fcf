#!/usr/bin/python3
"""A GDBus service (not ours) for test/dbus/connection-tools.test.ts: descriptors both ways.

  /usr/bin/python3 connection-fd-peer.py <bus address>

Owns org.novade.FdPeer and serves /org/novade/FdPeer, interface org.novade.FdPeer:
  ReadFd(h fd) -> (s text)   reads the descriptor it was sent to its end
  MakeFd(s text) -> (h fd)   answers with the read end of a pipe holding text
  Emit(s text)               emits the signal Emitted(s) from this connection
Prints "ready" once the name is owned; exits when stdin closes.
"""
import os
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

XML = """
<node>
  <interface name="org.novade.FdPeer">
    <method name="ReadFd"><arg type="h" direction="in"/><arg type="s" direction="out"/></method>
    <method name="MakeFd"><arg type="s" direction="in"/><arg type="h" direction="out"/></method>
    <method name="Emit"><arg type="s" direction="in"/></method>
    <signal name="Emitted"><arg type="s"/></signal>
  </interface>
</node>
"""

flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
conn = Gio.DBusConnection.new_for_address_sync(sys.argv[1], flags, None, None)
info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]


def on_call(connection, sender, path, iface, method, params, invocation):
    if method == "ReadFd":
        fds = invocation.get_message().get_unix_fd_list()
        fd = fds.get(params.unpack()[0])
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(fd)
        invocation.return_value(GLib.Variant("(s)", (b"".join(chunks).decode("utf-8"),)))
    elif method == "MakeFd":
        r, w = os.pipe()
        os.write(w, params.unpack()[0].encode("utf-8"))
        os.close(w)
        out = Gio.UnixFDList.new()
        index = out.append(r)
        os.close(r)
        invocation.return_value_with_unix_fd_list(GLib.Variant("(h)", (index,)), out)
    elif method == "Emit":
        connection.emit_signal(None, path, iface, "Emitted", GLib.Variant("(s)", (params.unpack()[0],)))
        invocation.return_value(None)


conn.register_object("/org/novade/FdPeer", info, on_call, None, None)
conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
               GLib.Variant("(su)", ("org.novade.FdPeer", 4)), None, Gio.DBusCallFlags.NONE, -1, None)
print("ready", flush=True)
loop = GLib.MainLoop()
GLib.io_add_watch(GLib.IOChannel.unix_new(0), GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP,
                  lambda *_: (loop.quit(), False)[1] if not sys.stdin.buffer.read1(4096) else True)
loop.run()
