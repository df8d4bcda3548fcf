import { describe, expect, it } from "vitest";
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

  it("reports two NIDL members that become one TypeScript member as NIDL3008", async () => {
    const model = compileOrThrow([
      {
        path: "clash.nidl",
        text: "package org.novade.clash;\ninterface Player {\n  method getVolume() -> (v: u32);\n  property volume: u32 { read; }\n}\n",
      },
    ]);
    const { diagnostics } = await emitTypeScript(model, { runtimeImport: "x" });
    expect(diagnostics.map((d) => [d.code, d.severity])).toContainEqual(["NIDL3008", "error"]);
    expect(diagnostics.find((d) => d.code === "NIDL3008")?.message).toContain("PlayerClient.getVolume");
  });

  it("reports two declarations that become one TypeScript name as NIDL3008", async () => {
    const model = compileOrThrow([
      {
        path: "clash2.nidl",
        text: "package org.novade.clash;\nstruct wl_thing { a: u8; }\nstruct WlThing { b: u8; }\n",
      },
    ]);
    const { diagnostics } = await emitTypeScript(model, { runtimeImport: "x" });
    expect(diagnostics.some((d) => d.code === "NIDL3008" && d.message.includes('"WlThing"'))).toBe(true);
  });
});
