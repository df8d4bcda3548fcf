/**
 * How `nova dbus monitor` prints a message: a header line in dbus-monitor's
 * style (kind, sender → destination, serials, path, interface, member) and
 * the body on the next line in GVariant text with type annotations (GLib's
 * format: `(uint32 7, 'x', <int32 5>)`), so every value shows its D-Bus type;
 * or one JSON object per message with `--json`.
 */
import type { DbusMessage } from "../dbus/wire/message.js";
import { formatBody } from "../dbus/wire/format.js";
import { jsonValue, wireBody } from "./dbus-values.js";

const KIND: Readonly<Record<DbusMessage["type"], string>> = {
  method_call: "method call",
  method_return: "method return",
  error: "error",
  signal: "signal",
};

/** The readable form: a header line, then the typed body indented (nothing for an empty body). */
export function messageText(msg: DbusMessage, time = new Date()): string {
  let head = `${KIND[msg.type]} time=${(time.getTime() / 1000).toFixed(3)} sender=${msg.sender ?? "(null)"} -> destination=${msg.destination ?? "(null)"} serial=${msg.serial}`;
  if (msg.replySerial !== undefined) head += ` reply_serial=${msg.replySerial}`;
  if (msg.path !== undefined) head += ` path=${msg.path}`;
  if (msg.interface !== undefined) head += ` interface=${msg.interface}`;
  if (msg.member !== undefined) head += ` member=${msg.member}`;
  if (msg.errorName !== undefined) head += ` error_name=${msg.errorName}`;
  head += ` signature=${msg.signature === "" ? "''" : msg.signature}`;
  if (msg.fds.length > 0) head += ` fds=${msg.fds.length}`;
  return msg.signature === "" ? `${head}\n` : `${head}\n  ${formatBody(msg.signature, wireBody(msg))}\n`;
}

/** One JSON line: the header fields present, `signature`, and `data` (the body as `nova dbus --json` writes values). */
export function messageJson(msg: DbusMessage, time = new Date()): string {
  const { type, sender, destination, serial, replySerial, path, interface: iface, member, errorName, signature } = msg;
  return JSON.stringify({ type, time: time.toISOString(), sender, destination, serial, replySerial, path, interface: iface, member, errorName, signature, data: jsonValue(wireBody(msg)) }) + "\n";
}
