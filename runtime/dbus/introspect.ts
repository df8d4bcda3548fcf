/**
 * The Introspect answer of a served object: the generated `<interface>`
 * elements exactly as nova-gen wrote them (descriptor `xml`), the standard
 * interfaces this layer implements for every object (and ObjectManager on an
 * object that is one: `@dbus(object_manager = true)`), and a `<node name=…/>`
 * per child path so that `gdbus introspect --recurse` and `busctl tree` find
 * every object.
 */
import type { DbusInterfaceDescriptor } from "./descriptor.js";

const DOCTYPE = `<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
`;

/** org.freedesktop.DBus.Introspectable, Peer and Properties, as the D-Bus specification defines them. */
export const STANDARD_INTERFACES_XML = `  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect">
      <arg name="xml_data" type="s" direction="out"/>
    </method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
    <method name="GetMachineId">
      <arg name="machine_uuid" type="s" direction="out"/>
    </method>
  </interface>
  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get">
      <arg name="interface_name" type="s" direction="in"/>
      <arg name="property_name" type="s" direction="in"/>
      <arg name="value" type="v" direction="out"/>
    </method>
    <method name="GetAll">
      <arg name="interface_name" type="s" direction="in"/>
      <arg name="props" type="a{sv}" direction="out"/>
    </method>
    <method name="Set">
      <arg name="interface_name" type="s" direction="in"/>
      <arg name="property_name" type="s" direction="in"/>
      <arg name="value" type="v" direction="in"/>
    </method>
    <signal name="PropertiesChanged">
      <arg name="interface_name" type="s"/>
      <arg name="changed_properties" type="a{sv}"/>
      <arg name="invalidated_properties" type="as"/>
    </signal>
  </interface>
`;

/** org.freedesktop.DBus.ObjectManager, as GDBus's GDBusObjectManagerServer introspects it. */
export const OBJECT_MANAGER_XML = `  <interface name="org.freedesktop.DBus.ObjectManager">
    <method name="GetManagedObjects">
      <arg name="object_paths_interfaces_and_properties" type="a{oa{sa{sv}}}" direction="out"/>
    </method>
    <signal name="InterfacesAdded">
      <arg name="object_path" type="o"/>
      <arg name="interfaces_and_properties" type="a{sa{sv}}"/>
    </signal>
    <signal name="InterfacesRemoved">
      <arg name="object_path" type="o"/>
      <arg name="interfaces" type="as"/>
    </signal>
  </interface>
`;

/** The direct children of `path` among `paths` (their next path element), sorted. */
export function childNodes(path: string, paths: Iterable<string>): string[] {
  const prefix = path === "/" ? "/" : `${path}/`;
  const children = new Set<string>();
  for (const p of paths) {
    if (p.length > prefix.length && p.startsWith(prefix)) children.add(p.slice(prefix.length).split("/")[0] as string);
  }
  return [...children].sort();
}

/** The introspection document of one object path. */
export function introspectionXml(interfaces: readonly DbusInterfaceDescriptor[], children: readonly string[]): string {
  let xml = `${DOCTYPE}<node>\n`;
  for (const d of interfaces) xml += d.xml;
  if (interfaces.length > 0) xml += STANDARD_INTERFACES_XML;
  if (interfaces.some((d) => d.objectManager === true)) xml += OBJECT_MANAGER_XML;
  for (const child of children) xml += `  <node name="${child}"/>\n`;
  return `${xml}</node>\n`;
}
