/**
 * What the wayland-ts emitter reports instead of printing a module that would not compile or would be
 * typed wrongly: name clashes in one module (NIDL3008), several new_ids in one request (NIDL3003), and
 * an `@external` interface of the protocol's own package (NIDL3009 warning, typed as the base class).
 */
import { describe, expect, it } from "vitest";
import { emitWaylandTs } from "../../../generator/emit/wayland-ts/index.js";
import { compile } from "../../../generator/index.js";
import type { Diagnostic } from "../../../generator/diagnostics.js";

async function emit(text: string, ...others: string[]): Promise<{ diagnostics: Diagnostic[]; content: string | undefined }> {
  const compiled = compile([{ path: "t.nidl", text }, ...others.map((o, i) => ({ path: `o${i}.nidl`, text: o }))]);
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => d.message)).toEqual([]);
  const r = await emitWaylandTs(compiled.model, { runtimeImport: "unused" });
  return { diagnostics: r.diagnostics, content: r.files.find((f) => f.path === "wayland/t_v1.ts")?.content };
}

const HEAD = '@wayland(protocol = "t_v1")\npackage t;\n';

describe("wayland-ts diagnostics", () => {
  it("an enum named like the listener map of its interface is NIDL3008", async () => {
    const { diagnostics } = await emit(`${HEAD}@wayland interface t_foo {\n  enum events : u32 { a = 0; }\n  event ping(serial: u32);\n}\n`);
    expect(diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      ["NIDL3008", "error", "the name TFooEvents of interface t_foo is already generated for another member of it (wayland-ts)"],
    ]);
  });

  it("an interface named like another's resource class is NIDL3008", async () => {
    const { diagnostics } = await emit(`${HEAD}@wayland interface t_foo { request a(); }\n@wayland interface t_foo_resource { request b(); }\n`);
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["NIDL3008", "the name TFooResource of interface t_foo_resource is already generated for interface t_foo (wayland-ts)"],
    ]);
  });

  it("two new_ids in one request is NIDL3003", async () => {
    const { diagnostics } = await emit(`${HEAD}@wayland interface t_foo { request make(a: new_id<t_foo>, b: new_id<t_foo>); }\n`);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["NIDL3003", "error"]]);
  });

  it("an @external interface of the protocol's own package types its arguments as the base classes, with a warning", async () => {
    const { diagnostics, content } = await emit(
      `${HEAD}@external @wayland interface wl_surface {}\n@wayland interface t_foo { request attach(s: object<wl_surface>); event entered(s: object<wl_surface>?); }\n`,
    );
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["NIDL3009", "warning"]]);
    expect(content).toContain("attach(s: WlProxy): void");
    expect(content).toContain("entered: (s: WlProxy | null) => void");
    expect(content).toContain("sendEntered(s: WlResource | null): void");
    expect(content).not.toContain("WlSurface");
  });

  it("an @external interface of another protocol's package is imported from that protocol's module", async () => {
    const { diagnostics, content } = await emit(
      `${HEAD}import "o0.nidl";\n@wayland interface t_foo { request attach(s: object<wl_surface>); }\n`,
      '@wayland(protocol = "wayland") @external package wayland;\n@wayland interface wl_surface {}\n',
    );
    expect(diagnostics).toEqual([]);
    expect(content).toContain('import * as $wayland from "./wayland.js";');
    expect(content).toContain("attach(s: $wayland.WlSurface): void");
  });
});
