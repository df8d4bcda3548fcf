#!/usr/bin/python3
"""A D-Bus service written with GDBus (python3-gi), not by us: the independent peer of the interop tests.

Run it with Debian's /usr/bin/python3 (python3-gi lives there). It connects to --address (a private
bus: never the session or system bus of the machine), registers every interface of the introspection
XML at --path, owns --name, and prints `READY <unique name>` once the name is owned.

    /usr/bin/python3 gdbus-peer.py --address unix:path=/tmp/x/bus.sock --name org.example.Peer \
        --path /org/example/Peer --xml '<node>...</node>' [--script '{"methods": {...}, "properties": {...}}']

Methods behave as the script says, keyed by `Iface.Member` or just `Member`:
  {"return": "(int32 5, 'x')"}  reply with these values: GVariant text of the out signature's tuple
  {"error": "org.example.Error.Bad", "message": "text"}  reply with that D-Bus error
  {"echo": true}  reply with the call's own arguments (and its fds), when in and out signatures match
Without an entry a method echoes when its in and out signatures are equal; otherwise it answers
org.novade.Test.Error.NotScripted. Properties start from the script's "properties" (`Iface.Prop` or
`Prop` -> GVariant text); Set stores the value and emits PropertiesChanged.

Stdout, one line per event (GVariant values in GLib's text format, with types):
  READY <unique name> | CALL <sender> <iface>.<member> <args> | SET <iface>.<prop> <value>
  EMITTED <iface>.<member> | OK | ERROR <text> | LOST <name>
Stdin commands, one per line:
  emit <path> <iface> <member> <GVariant tuple text>   emit a signal (broadcast)
  set <iface> <prop> <GVariant text>                   change a property, emit PropertiesChanged
  quit                                                 exit 0 (so does end of input and SIGTERM)
"""
import argparse
import json
import signal
import sys

import gi

gi.require_version("Gio", "2.0")
gi.require_version("GLib", "2.0")
from gi.repository import Gio, GLib  # noqa: E402


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def out_signature(method):
    return "".join(arg.signature for arg in method.out_args)


def in_signature(method):
    return "".join(arg.signature for arg in method.in_args)


class Peer:
    def __init__(self, conn, node, script):
        self.conn = conn
        self.node = node
        self.methods = script.get("methods", {})
        self.properties = {}
        for iface in node.interfaces:
            for prop in iface.properties:
                text = script.get("properties", {}).get(f"{iface.name}.{prop.name}", script.get("properties", {}).get(prop.name))
                if text is not None:
                    self.properties[(iface.name, prop.name)] = GLib.Variant.parse(GLib.VariantType.new(prop.signature), text, None, None)

    def on_call(self, conn, sender, path, iface_name, member, params, invocation):
        say(f"CALL {sender} {iface_name}.{member} {params.print_(True)}")
        method = self.node.lookup_interface(iface_name).lookup_method(member)
        rule = self.methods.get(f"{iface_name}.{member}", self.methods.get(member))
        if rule is None:
            rule = {"echo": True} if in_signature(method) == out_signature(method) else {"error": "org.novade.Test.Error.NotScripted", "message": f"{member} has no scripted reply"}
        if "error" in rule:
            invocation.return_dbus_error(rule["error"], rule.get("message", ""))
        elif "return" in rule:
            value = GLib.Variant.parse(GLib.VariantType.new(f"({out_signature(method)})"), rule["return"], None, None)
            invocation.return_value(value)
        else:
            fds = invocation.get_message().get_unix_fd_list()
            if fds is not None and fds.get_length() > 0:
                invocation.return_value_with_unix_fd_list(params, fds)
            else:
                invocation.return_value(params)

    def on_get(self, conn, sender, path, iface_name, prop):
        value = self.properties.get((iface_name, prop))
        if value is None:
            raise GLib.Error.new_literal(Gio.dbus_error_quark(), f"property {prop} has no value", Gio.DBusError.INVALID_ARGS)
        return value

    def on_set(self, conn, sender, path, iface_name, prop, value):
        self.set_property(path, iface_name, prop, value)
        return True

    def set_property(self, path, iface_name, prop, value):
        self.properties[(iface_name, prop)] = value
        say(f"SET {iface_name}.{prop} {value.print_(True)}")
        changed = GLib.Variant("a{sv}", {prop: value})
        self.conn.emit_signal(None, path, "org.freedesktop.DBus.Properties", "PropertiesChanged", GLib.Variant.new_tuple(GLib.Variant("s", iface_name), changed, GLib.Variant("as", [])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--xml", required=True, help="introspection XML, or @file")
    parser.add_argument("--script", default="{}", help="JSON, or @file")
    args = parser.parse_args()
    xml = open(args.xml[1:]).read() if args.xml.startswith("@") else args.xml
    script = json.loads(open(args.script[1:]).read() if args.script.startswith("@") else args.script)

    node = Gio.DBusNodeInfo.new_for_xml(xml)
    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    conn = Gio.DBusConnection.new_for_address_sync(args.address, flags, None, None)
    peer = Peer(conn, node, script)
    for iface in node.interfaces:
        conn.register_object(args.path, iface, peer.on_call, peer.on_get, peer.on_set)

    loop = GLib.MainLoop()
    status = {"code": 0}

    def acquired(_conn, _name):
        say(f"READY {conn.get_unique_name()}")

    def lost(_conn, name):
        say(f"LOST {name}")
        status["code"] = 1
        loop.quit()

    Gio.bus_own_name_on_connection(conn, args.name, Gio.BusNameOwnerFlags.DO_NOT_QUEUE, acquired, lost)

    def command(line):
        words = line.split(" ", 4)
        if words[0] == "emit" and len(words) == 5:
            path, iface, member, text = words[1:]
            value = GLib.Variant.parse(None, text, None, None)
            if not value.is_of_type(GLib.VariantType.new("r")):
                raise ValueError(f"signal arguments must be a tuple, not {value.get_type_string()}")
            conn.emit_signal(None, path, iface, member, value)
            conn.flush_sync(None)
            say(f"EMITTED {iface}.{member}")
        elif words[0] == "set" and len(line.split(" ", 3)) == 4:
            _, iface, prop, text = line.split(" ", 3)
            info = node.lookup_interface(iface).lookup_property(prop)
            peer.set_property(args.path, iface, prop, GLib.Variant.parse(GLib.VariantType.new(info.signature), text, None, None))
            conn.flush_sync(None)
            say("OK")
        elif words[0] == "quit":
            loop.quit()
        else:
            say(f"ERROR unknown command {line!r}")

    def on_stdin(channel, condition):
        if condition & GLib.IO_IN:
            line = channel.readline()
            if line:
                try:
                    command(line.rstrip("\n"))
                except Exception as error:  # a bad command is reported, the peer keeps serving
                    say(f"ERROR {error}")
                return True
        loop.quit()
        return False

    stdin = GLib.IOChannel.unix_new(sys.stdin.fileno())
    GLib.io_add_watch(stdin, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    loop.run()
    sys.exit(status["code"])


if __name__ == "__main__":
    main()
