/**
 * D-Bus match rules (D-Bus specification, "Match Rules"): the text sent to
 * the bus with AddMatch, built from an object with correct quoting, parsed
 * back from text, and matched locally so that each listener sees only the
 * messages its own rule selects (the bus sends one copy of a message that
 * several of our rules match).
 */
import { IPCError } from "../errors.js";
import type { DbusMessage } from "./wire/message.js";

/** A match rule as an object; every key optional. `args[i]` is argN, `argPaths[i]` argNpath. */
export interface MatchRule {
  type?: "signal" | "method_call" | "method_return" | "error";
  sender?: string;
  interface?: string;
  member?: string;
  path?: string;
  pathNamespace?: string;
  destination?: string;
  args?: readonly (string | undefined)[];
  argPaths?: readonly (string | undefined)[];
  arg0namespace?: string;
  eavesdrop?: boolean;
}

const MAX_ARG = 63;

function quote(value: string): string {
  // Inside '…' nothing is special; a literal ' is written '\'' (close, escaped quote, reopen).
  return `'${value.split("'").join("'\\''")}'`;
}

/** The rule's text, as AddMatch/RemoveMatch take it. */
export function formatMatchRule(rule: MatchRule): string {
  const parts: string[] = [];
  const add = (key: string, value: string | undefined): void => {
    if (value !== undefined) parts.push(`${key}=${quote(value)}`);
  };
  add("type", rule.type);
  add("sender", rule.sender);
  add("interface", rule.interface);
  add("member", rule.member);
  add("path", rule.path);
  add("path_namespace", rule.pathNamespace);
  add("destination", rule.destination);
  rule.args?.forEach((v, i) => add(`arg${i}`, v));
  rule.argPaths?.forEach((v, i) => add(`arg${i}path`, v));
  add("arg0namespace", rule.arg0namespace);
  if (rule.eavesdrop !== undefined) add("eavesdrop", String(rule.eavesdrop));
  return parts.join(",");
}

function bad(text: string, why: string): never {
  throw new IPCError("InvalidArgument", `invalid match rule ${JSON.stringify(text)}: ${why}`, { context: { rule: text } });
}

/** Parses rule text (the form dbus-daemon accepts) into a {@link MatchRule}. */
export function parseMatchRule(text: string): MatchRule {
  const rule: { -readonly [K in keyof MatchRule]: MatchRule[K] } = {};
  const args: (string | undefined)[] = [];
  const argPaths: (string | undefined)[] = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) bad(text, `no '=' after ${JSON.stringify(text.slice(i))}`);
    const key = text.slice(i, eq).trim();
    i = eq + 1;
    let value = "";
    // A value is a run of quoted and unquoted pieces up to an unquoted comma.
    while (i < text.length && text[i] !== ",") {
      if (text[i] === "'") {
        const close = text.indexOf("'", i + 1);
        if (close < 0) bad(text, "an unterminated quote");
        value += text.slice(i + 1, close);
        i = close + 1;
      } else if (text[i] === "\\" && text[i + 1] === "'") {
        value += "'";
        i += 2;
      } else value += text[i++];
    }
    i++;
    const argN = /^arg(\d{1,2})(path)?$/.exec(key);
    if (argN !== null) {
      const n = Number(argN[1]);
      if (n > MAX_ARG) bad(text, `${key}: at most arg${MAX_ARG}`);
      (argN[2] === undefined ? args : argPaths)[n] = value;
      continue;
    }
    switch (key) {
      case "type":
        if (value !== "signal" && value !== "method_call" && value !== "method_return" && value !== "error") bad(text, `unknown type ${value}`);
        rule.type = value;
        break;
      case "sender":
      case "interface":
      case "member":
      case "path":
      case "destination":
      case "arg0namespace":
        rule[key] = value;
        break;
      case "path_namespace":
        rule.pathNamespace = value;
        break;
      case "eavesdrop":
        rule.eavesdrop = value === "true";
        break;
      default:
        bad(text, `unknown key ${JSON.stringify(key)}`);
    }
  }
  if (args.length > 0) rule.args = args;
  if (argPaths.length > 0) rule.argPaths = argPaths;
  return rule;
}

function pathMatches(a: string, b: string): boolean {
  // argNpath: equal, or one is a prefix of the other ending in '/'.
  return a === b || (a.endsWith("/") && b.startsWith(a)) || (b.endsWith("/") && a.startsWith(b));
}

/**
 * Whether `msg` satisfies `rule`, everything but the sender: the bus knows
 * who owns a well-known name and we may not, so {@link DbusConnection}
 * checks `sender` itself against the owner it tracks.
 */
export function matchesExceptSender(rule: MatchRule, msg: DbusMessage): boolean {
  if (rule.type !== undefined && rule.type !== msg.type) return false;
  if (rule.interface !== undefined && rule.interface !== msg.interface) return false;
  if (rule.member !== undefined && rule.member !== msg.member) return false;
  if (rule.path !== undefined && rule.path !== msg.path) return false;
  if (rule.pathNamespace !== undefined) {
    const ns = rule.pathNamespace;
    const p = msg.path;
    if (p === undefined || !(ns === "/" || p === ns || p.startsWith(`${ns}/`))) return false;
  }
  if (rule.destination !== undefined && rule.destination !== msg.destination) return false;
  if (rule.args !== undefined) {
    for (let i = 0; i < rule.args.length; i++) {
      const want = rule.args[i];
      if (want !== undefined && msg.body[i] !== want) return false;
    }
  }
  if (rule.argPaths !== undefined) {
    for (let i = 0; i < rule.argPaths.length; i++) {
      const want = rule.argPaths[i];
      const got = msg.body[i];
      if (want !== undefined && (typeof got !== "string" || !pathMatches(want, got))) return false;
    }
  }
  if (rule.arg0namespace !== undefined) {
    const ns = rule.arg0namespace;
    const got = msg.body[0];
    if (typeof got !== "string" || !(got === ns || got.startsWith(`${ns}.`))) return false;
  }
  return true;
}
