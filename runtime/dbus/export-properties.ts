/**
 * org.freedesktop.DBus.Properties for an exported object: Get, Set and
 * GetAll through the skeleton's reserved PROPERTY_GET / PROPERTY_SET
 * members, values converted with the descriptor's type tree and wrapped in
 * variants of the property's signature. A Set whose variant has another
 * signature is InvalidArgs, as in GDBus. PropertiesChanged is sent by the
 * export port when an emitter announces a change (export.ts).
 */
import { PROPERTY_GET, PROPERTY_SET, type CallContext } from "../rpc/contract.js";
import type { DbusConnection } from "./connection.js";
import { fromDbus, toDbus } from "./convert.js";
import { DbusErrorNames } from "./dbus-errors.js";
import { CallAnswer } from "./export-answer.js";
import type { DbusProperty } from "./descriptor.js";
import type { ServedInterface } from "./export.js";
import type { DbusMessage } from "./wire/message.js";
import { Variant } from "./wire/variant.js";

const SIGNATURES: Readonly<Record<string, string>> = { Get: "ss", Set: "ssv", GetAll: "s" };

/** The CallContext of a call the export runs for `served` (its port's close signal). */
export type ContextOf = (served: ServedInterface, member: string) => CallContext;

/** Reads one property's value (NIDL), by the skeleton's getter. */
async function read(served: ServedInterface, property: DbusProperty, context: ContextOf): Promise<Variant> {
  const getter = served.service.methods[PROPERTY_GET];
  const value = await getter?.handler([property.member], context(served, property.member));
  return new Variant(property.signature, toDbus(property.type, value));
}

/**
 * The readable properties of an interface, as GetAll answers them. With `lenient` a property whose
 * getter fails is left out instead of failing the whole read (ObjectManager: one bad getter must not
 * hide every other object from a client).
 */
export async function readAll(served: ServedInterface, context: ContextOf, lenient = false): Promise<Map<string, Variant>> {
  const readable = served.index.descriptor.properties.filter((p) => p.access !== "write");
  const values = await Promise.all(readable.map((p) => (lenient ? read(served, p, context).catch(() => undefined) : read(served, p, context))));
  const all = new Map<string, Variant>();
  readable.forEach((p, i) => {
    const value = values[i];
    if (value !== undefined) all.set(p.name, value);
  });
  return all;
}

/** Answers one call to org.freedesktop.DBus.Properties on an object. */
export function servePropertiesCall(msg: DbusMessage, conn: DbusConnection, object: ReadonlyMap<string, ServedInterface>, context: ContextOf): void {
  const member = msg.member ?? "";
  const expected = SIGNATURES[member];
  const ifaceName = msg.signature === expected ? (msg.body[0] as string) : "";
  const served = object.get(ifaceName);
  const answer = new CallAnswer(conn, msg, served?.index.errorByNidlName ?? new Map());
  if (expected === undefined) {
    answer.reject(DbusErrorNames.unknownMethod, `No such method '${member}' in interface 'org.freedesktop.DBus.Properties'`);
    return;
  }
  if (msg.signature !== expected) {
    answer.reject(DbusErrorNames.invalidArgs, `Type of message, '(${msg.signature})', does not match expected type '(${expected})'`);
    return;
  }
  if (served === undefined) {
    answer.reject(DbusErrorNames.unknownInterface, `No such interface '${ifaceName}' at object path '${msg.path ?? ""}'`);
    return;
  }
  const fail = (failure: unknown): void => answer.fail(failure);
  if (member === "GetAll") {
    readAll(served, context).then((all) => answer.ok("a{sv}", [all]), fail);
    return;
  }
  const name = msg.body[1] as string;
  const property = served.index.propertyByName.get(name);
  if (property === undefined) {
    answer.reject(DbusErrorNames.unknownProperty, `No such property '${name}' in interface '${ifaceName}'`);
    return;
  }
  if (member === "Get") {
    if (property.access === "write") {
      answer.reject(DbusErrorNames.accessDenied, `Property '${name}' of interface '${ifaceName}' is not readable`);
      return;
    }
    read(served, property, context).then((value) => answer.ok("v", [value]), fail);
    return;
  }
  if (property.access === "read") {
    answer.reject(DbusErrorNames.propertyReadOnly, `Property '${name}' of interface '${ifaceName}' is not writable`);
    return;
  }
  const value = msg.body[2] as Variant;
  if (value.signature !== property.signature) {
    answer.reject(DbusErrorNames.invalidArgs, `Property '${name}' has type '${property.signature}', not '${value.signature}'`);
    return;
  }
  const setter = served.service.methods[PROPERTY_SET];
  // The skeleton's setter validates the value (zod) before the implementation sees it.
  Promise.resolve()
    .then(() => setter?.handler([property.member, fromDbus(property.type, value.value)], context(served, property.member)))
    .then(() => answer.ok("", []), fail);
}
