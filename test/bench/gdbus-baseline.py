#!/usr/bin/python3
"""`baseline_gdbus_rtt_p95_us`: GDBus (GLib's D-Bus library, C, driven from
python3-gi) as both client and service of an Echo method on a private
dbus-daemon. GLib marshals in C; Python adds its call overhead on both
sides, so this is GLib as a Python program uses it, not bare C.

    /usr/bin/python3 gdbus-baseline.py serve <bus address>     # prints "ready <pid>", runs until SIGTERM
    /usr/bin/python3 gdbus-baseline.py client <bus address> <n> # prints {"p50_us": .., "p95_us": .., "n": ..}
    /usr/bin/python3 gdbus-baseline.py rounds <bus address>     # prints "ready <pid>", then per stdin line:
        warm <n> / round <n>: n untimed / timed calls, then "ok"; end: the JSON line above, then exits
    (`rounds` lets test/bench/dbus.bench.ts interleave its rounds with the other callers'.)

Debian's /usr/bin/python3 has `gi` (python3-gi); a python3 earlier on PATH may not.
"""
import json
import os
import signal
import sys
import time

from gi.repository import Gio, GLib

NAME = "org.novade.BenchGDBus"
PATH = "/org/novade/BenchGDBus"
IFACE = "org.novade.Bench.Echo"
XML = f"""<node><interface name="{IFACE}"><method name="Echo">
<arg type="s" direction="in"/><arg type="s" direction="out"/></method></interface></node>"""
PAYLOAD = "0123456789abcdef" * 4


def connect(address):
    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    return Gio.DBusConnection.new_for_address_sync(address, flags, None, None)


def serve(address):
    conn = connect(address)
    info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]

    def on_call(_conn, _sender, _path, _iface, method, params, invocation):
        if method == "Echo":
            invocation.return_value(params)
        else:
            invocation.return_dbus_error("org.freedesktop.DBus.Error.UnknownMethod", method)

    conn.register_object(PATH, info, on_call, None, None)
    reply = conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
                           GLib.Variant("(su)", (NAME, 4)), GLib.VariantType("(u)"), Gio.DBusCallFlags.NONE, -1, None)
    if reply.unpack()[0] != 1:
        sys.exit(f"gdbus-baseline: could not own {NAME}")
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    print(f"ready {os.getpid()}", flush=True)
    loop.run()


def caller(address):
    """One Echo call on a fresh connection; the returned function checks the answer."""
    conn = connect(address)
    args = GLib.Variant("(s)", (PAYLOAD,))
    out = GLib.VariantType("(s)")

    def once():
        r = conn.call_sync(NAME, PATH, IFACE, "Echo", args, out, Gio.DBusCallFlags.NONE, 5000, None)
        if r.unpack()[0] != PAYLOAD:
            sys.exit("gdbus-baseline: wrong echo")

    return once


def timed(once, n, lat):
    for _ in range(n):
        t0 = time.perf_counter_ns()
        once()
        lat.append((time.perf_counter_ns() - t0) / 1000)


def summary(lat):
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    return json.dumps({"p50_us": q(0.5), "p95_us": q(0.95), "n": len(lat)})


def client(address, n):
    once = caller(address)
    for _ in range(min(1000, n)):  # warm-up
        once()
    lat = []
    timed(once, n, lat)
    print(summary(lat), flush=True)


def rounds(address):
    once = caller(address)
    lat = []
    print(f"ready {os.getpid()}", flush=True)
    for line in sys.stdin:
        word, *rest = line.split()
        if word == "end":
            print(summary(lat), flush=True)
            return
        timed(once, int(rest[0]), [] if word == "warm" else lat)
        print("ok", flush=True)


if __name__ == "__main__":
    mode, address = sys.argv[1], sys.argv[2]
    if mode == "serve":
        serve(address)
    elif mode == "rounds":
        rounds(address)
    else:
        client(address, int(sys.argv[3]))
