import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/index.js";
import { emitTypeScript } from "../../../generator/emit/ts/index.js";
import { camelCase, memberName, pascalCase, propertyAccess, propertyKey, safeBinding } from "../../../generator/emit/ts/names.js";
import { compileOrThrow } from "./helpers/generate.js";

describe("TypeScript names", () => {
  it("makes declaration, member, parameter and key names valid", () => {
    expect(pascalCase("wl_output")).toBe("WlOutput");
    expect(pascalCase("Urgency")).toBe("Urgency");
    expect(pascalCase("90")).toBe("_90");
    expect(pascalCase("map")).toBe("Map_");
    expect(memberName("GetCapabilities")).toBe("getCapabilities");
    expect(memberName("get_popup")).toBe("getPopup");
    expect(memberName("delete")).toBe("delete");
    expect(memberName("constructor")).toBe("constructor_");
    expect(memberName("disable-printing")).toBe("disablePrinting");
    expect(camelCase("app_name")).toBe("appName");
    expect(camelCase("default")).toBe("default_");
    expect(safeBinding("z")).toBe("z_");
    expect(propertyKey("ok")).toBe("ok");
    expect(propertyKey("disable-printing")).toBe('"disable-printing"');
    expect(propertyKey("__proto__")).toBe('["__proto__"]');
    expect(propertyAccess("90")).toBe('["90"]');
    expect(propertyAccess("key")).toBe(".key");
  });

  it("keeps method getVolume and property volume apart (getVolume / getVolumeProperty)", async () => {
    const model = compileOrThrow([
      {
        path: "clash.nidl",
        text: "package org.novade.clash;\ninterface Player {\n  method getVolume() -> (v: u32);\n  property volume: u32 { read; }\n}\n",
      },
    ]);
    const { diagnostics, files } = await emitTypeScript(model, { runtimeImport: "x" });
    expect(diagnostics).toEqual([]);
    expect(files[0]?.content).toContain("  getVolume(options?: CallOptions): Promise<number>");
    expect(files[0]?.content).toContain("  getVolumeProperty(options?: CallOptions): Promise<number>");
  });

  it("reports two declarations that become one TypeScript name as NIDL3008 in the checker, not the emitter", async () => {
    const sources = [{ path: "clash2.nidl", text: "package org.novade.clash;\nstruct wl_thing { a: u8; }\nstruct WlThing { b: u8; }\n" }];
    const checked = compile(sources);
    expect(checked.diagnostics.map((d) => [d.code, d.span?.start])).toEqual([["NIDL3008", 53]]);
    expect(checked.diagnostics[0]?.message).toContain('"WlThing"');
    expect(checked.diagnostics[0]?.notes[0]?.span?.start).toBe(26);
    const { diagnostics } = await emitTypeScript(checked.model, { runtimeImport: "x" });
    expect(diagnostics).toEqual([]);
  });
});
