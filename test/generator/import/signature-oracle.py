#!/usr/bin/python3
# Independent oracle for "is this one complete D-Bus type?", for test/generator/import/dbus-signature-oracle.test.ts.
# Reads one signature per line on stdin; writes one line "<glib> <libdbus>" (each 0 or 1) per input line.
# One process for every case of a run: python and GLib start-up dominate.
#
# Which GLib function? Measured on GLib 2.74, neither one alone is the D-Bus rule:
#   - GLib.VariantType.string_is_valid(s)  (g_variant_type_string_is_valid) checks for exactly one complete
#     GVariant type, but GVariant has more type codes than D-Bus: it accepts "ms" (maybe), "*", "?", "r".
#   - GLib.Variant.is_signature(s)  (g_variant_is_signature) is GDBus's own check of a D-Bus signature: only the
#     D-Bus type codes (so no m * ? r), and each element well formed; but it accepts zero or several complete
#     types ("", "ss"), as a message signature may.
# Their conjunction is "one complete type written with D-Bus type codes" (shared/tools/dbus-xml-validate.py uses the
# same one). GVariant is still laxer than the D-Bus specification in four ways: a dict entry outside an array
# ("{sv}"), the empty struct "()", signatures over 255 bytes, and nesting over 32 arrays / 32 structs (GVariant's
# limit is 128). For those the reference implementation decides: libdbus's dbus_signature_validate_single, called
# through ctypes (libdbus-1-3 comes with dbus-daemon, which the D-Bus tests already need). The test reports both
# verdicts so it can check that they differ only in those four ways.
import ctypes
import sys

from gi.repository import GLib

try:
    libdbus = ctypes.CDLL("libdbus-1.so.3")
except OSError as e:
    sys.exit(f"signature-oracle: cannot load libdbus-1.so.3 (install libdbus-1-3): {e}")
libdbus.dbus_signature_validate_single.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
libdbus.dbus_signature_validate_single.restype = ctypes.c_uint32


def glib_single_type(sig):
    return GLib.Variant.is_signature(sig) and GLib.VariantType.string_is_valid(sig)


def libdbus_single_type(sig):
    return libdbus.dbus_signature_validate_single(sig.encode("utf-8"), None) != 0


out = []
for line in sys.stdin.read().split("\n")[:-1]:
    out.append(f"{int(glib_single_type(line))} {int(libdbus_single_type(line))}")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
