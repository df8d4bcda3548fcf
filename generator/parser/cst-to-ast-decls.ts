/**
 * CST → AST for declarations (the second half of the converter; see
 * `cst-to-ast.ts`). Also checks placement: exactly one `package`, first;
 * imports before other declarations.
 */
import type { CstNode, IToken } from "chevrotain";
import type * as A from "../ast.js";
import { error } from "../diagnostics.js";
import { allTokens, node, nodeStart, nodes, tok, toks } from "./cst-access.js";
import {
  annotations,
  bareResultType,
  claimDoc,
  cstSpan,
  decoratedStart,
  expr,
  ident,
  qualifiedName,
  span,
  stringLiteral,
  type,
  type ConvertContext,
} from "./cst-to-ast.js";

type Ctx = ConvertContext;

/** Common decoration of a node: doc, annotations, span from the first annotation to the node end. */
function decorate(ctx: Ctx, annotationsNode: CstNode | undefined, keyword: IToken | number | undefined, body: CstNode) {
  const anns = annotations(ctx, annotationsNode);
  const doc = claimDoc(ctx, annotationsNode, typeof keyword === "number" ? keyword : keyword?.startOffset);
  const bodySpan = cstSpan(ctx, body);
  if (!bodySpan) return undefined;
  return { doc, annotations: anns, span: span(ctx, decoratedStart(anns, bodySpan.start), bodySpan.end) };
}

/** Where a node starts: its tracked location, else its first real token (after error recovery). */
function startOf(n: CstNode | undefined): number | undefined {
  return nodeStart(n) ?? allTokens(n)[0]?.startOffset;
}

function field(ctx: Ctx, n: CstNode): A.FieldDecl | undefined {
  const name = ident(ctx, tok(n, "Name"));
  const t = type(ctx, node(n, "type"));
  const deco = decorate(ctx, node(n, "annotations"), tok(n, "Name"), n);
  if (!name || !t || !deco) return undefined;
  return { kind: "Field", name, type: t, ...deco };
}

function fields(ctx: Ctx, block: CstNode | undefined): A.FieldDecl[] {
  return nodes(block, "field")
    .map((f) => field(ctx, f))
    .filter((f): f is A.FieldDecl => f !== undefined);
}

function param(ctx: Ctx, n: CstNode): A.ParamDecl | undefined {
  const nameTok = tok(n, "Name");
  const t = type(ctx, node(n, "type"));
  const deco = decorate(ctx, node(n, "annotations"), nameTok?.startOffset ?? startOf(node(n, "type")), n);
  if (!t || !deco) return undefined;
  return { kind: "Param", name: ident(ctx, nameTok), type: t, ...deco };
}

function params(ctx: Ctx, list: CstNode | undefined): A.ParamDecl[] {
  return nodes(list, "param")
    .map((p) => param(ctx, p))
    .filter((p): p is A.ParamDecl => p !== undefined);
}

function structDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.StructDecl | undefined {
  const kw = tok(n, "Kw_struct");
  const name = ident(ctx, tok(n, "Name"));
  const deco = decorate(ctx, anns, kw, n);
  if (!name || !deco) return undefined;
  return { kind: "Struct", name, fields: fields(ctx, node(n, "fieldBlock")), ...deco };
}

function errorDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.ErrorDecl | undefined {
  const kw = tok(n, "Kw_error");
  const name = ident(ctx, tok(n, "Name"));
  const deco = decorate(ctx, anns, kw, n);
  if (!name || !deco) return undefined;
  const block = node(n, "fieldBlock");
  return { kind: "Error", name, fields: fields(ctx, block), hasBody: block !== undefined, ...deco };
}

function enumDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.EnumDecl | undefined {
  const kw = tok(n, "Kw_enum") ?? tok(n, "Kw_flags");
  const name = ident(ctx, tok(n, "Name"));
  const deco = decorate(ctx, anns, kw, n);
  if (!kw || !name || !deco) return undefined;
  const entries: A.EnumEntryDecl[] = [];
  for (const e of nodes(n, "enumEntry")) {
    const en = ident(ctx, tok(e, "Name"));
    const ed = decorate(ctx, node(e, "annotations"), tok(e, "Name"), e);
    if (!en || !ed) continue;
    entries.push({ kind: "EnumEntry", name: en, value: expr(ctx, node(e, "expr")), ...ed });
  }
  const underlying = node(n, "type") ? type(ctx, node(n, "type")) : undefined;
  return { kind: "Enum", keyword: kw.image === "flags" ? "flags" : "enum", name, underlying, entries, ...deco };
}

function typedefDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.TypedefDecl | undefined {
  const name = ident(ctx, tok(n, "Name"));
  const t = type(ctx, node(n, "type"));
  const deco = decorate(ctx, anns, tok(n, "Kw_typedef"), n);
  if (!name || !t || !deco) return undefined;
  return { kind: "Typedef", name, type: t, ...deco };
}

function constDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.ConstDecl | undefined {
  const name = ident(ctx, tok(n, "Name"));
  const t = type(ctx, node(n, "type"));
  const value = expr(ctx, node(n, "expr"));
  const deco = decorate(ctx, anns, tok(n, "Kw_const"), n);
  if (!name || !t || !value || !deco) return undefined;
  return { kind: "Const", name, type: t, value, ...deco };
}

function nestedDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.NestedDecl | undefined {
  const s = node(n, "structDecl");
  if (s) return structDecl(ctx, anns, s);
  const e = node(n, "enumDecl");
  if (e) return enumDecl(ctx, anns, e);
  const r = node(n, "errorDecl");
  if (r) return errorDecl(ctx, anns, r);
  const t = node(n, "typedefDecl");
  if (t) return typedefDecl(ctx, anns, t);
  const c = node(n, "constDecl");
  if (c) return constDecl(ctx, anns, c);
  return undefined;
}

function methodDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.MethodDecl | undefined {
  const kw = tok(n, "Kw_method") ?? tok(n, "Kw_request");
  const name = ident(ctx, tok(n, "Name"));
  const deco = decorate(ctx, anns, kw, n);
  if (!kw || !name || !deco) return undefined;
  const arrow = tok(n, "Arrow");
  const lists = nodes(n, "paramList");
  const before = lists.filter((l) => arrow === undefined || (startOf(l) ?? 0) < arrow.startOffset);
  const after = lists.filter((l) => arrow !== undefined && (startOf(l) ?? 0) > arrow.startOffset);
  let results: A.ParamDecl[] | undefined;
  let bareResult = false;
  const bare = node(n, "bareResult");
  if (after.length > 0) results = params(ctx, after[0]);
  else if (bare) {
    const t = bareResultType(ctx, bare);
    const sp = cstSpan(ctx, bare);
    bareResult = true;
    results = t && sp ? [{ kind: "Param", name: undefined, type: t, doc: undefined, annotations: [], span: sp }] : [];
  } else if (arrow) results = [];
  const throwsList = nodes(n, "qualifiedName")
    .map((q) => qualifiedName(ctx, q))
    .filter((q): q is A.QualifiedName => q !== undefined);
  return {
    kind: "Method",
    keyword: kw.image === "request" ? "request" : "method",
    name,
    params: params(ctx, before[0]),
    results,
    bareResult,
    throws: throwsList,
    ...deco,
  };
}

function signalDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.SignalDecl | undefined {
  const kw = tok(n, "Kw_signal") ?? tok(n, "Kw_event");
  const name = ident(ctx, tok(n, "Name"));
  const deco = decorate(ctx, anns, kw, n);
  if (!kw || !name || !deco) return undefined;
  return { kind: "Signal", keyword: kw.image === "event" ? "event" : "signal", name, params: params(ctx, node(n, "paramList")), ...deco };
}

const ACCESSORS = new Set(["read", "write", "notify"]);

function propertyDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.PropertyDecl | undefined {
  const names = toks(n, "Name");
  const name = ident(ctx, names[0]);
  const t = type(ctx, node(n, "type"));
  const deco = decorate(ctx, anns, tok(n, "Kw_property"), n);
  if (!name || !t || !deco) return undefined;
  const hasBlock = tok(n, "LBrace") !== undefined;
  const accessors: A.PropertyAccessor[] = [];
  for (const a of names.slice(1)) {
    const sp = span(ctx, a.startOffset, a.startOffset + a.image.length);
    if (!ACCESSORS.has(a.image)) {
      ctx.diagnostics.push(error("NIDL1003", `expected "read", "write" or "notify" but found ${JSON.stringify(a.image)}`, sp));
      continue;
    }
    accessors.push({ kind: "PropertyAccessor", accessor: a.image as A.PropertyAccessor["accessor"], span: sp });
  }
  return { kind: "Property", name, type: t, accessors: hasBlock ? accessors : undefined, ...deco };
}

function member(ctx: Ctx, n: CstNode): A.MemberDecl | undefined {
  const anns = node(n, "annotations");
  const m = node(n, "methodDecl");
  if (m) return methodDecl(ctx, anns, m);
  const s = node(n, "signalDecl");
  if (s) return signalDecl(ctx, anns, s);
  const p = node(n, "propertyDecl");
  if (p) return propertyDecl(ctx, anns, p);
  const d = node(n, "nestedDecl");
  return d ? nestedDecl(ctx, anns, d) : undefined;
}

function interfaceDecl(ctx: Ctx, anns: CstNode | undefined, n: CstNode): A.InterfaceDecl | undefined {
  const name = ident(ctx, tok(n, "Name"));
  const deco = decorate(ctx, anns, tok(n, "Kw_interface"), n);
  if (!name || !deco) return undefined;
  const members = nodes(n, "member")
    .map((m) => member(ctx, m))
    .filter((m): m is A.MemberDecl => m !== undefined);
  return { kind: "Interface", name, members, ...deco };
}

/** The converted top level of a file, before comments and docs are added. */
export interface TopLevel {
  package: A.PackageDecl | undefined;
  imports: A.ImportDecl[];
  declarations: A.TopDecl[];
}

/** Converts the `file` rule, reporting misplaced or missing `package` / `import`. */
export function convertFile(ctx: Ctx, root: CstNode): TopLevel {
  const out: TopLevel = { package: undefined, imports: [], declarations: [] };
  let seenDecl = false;
  for (const item of nodes(root, "topItem")) {
    const anns = node(item, "annotations");
    const pkg = node(item, "packageDecl");
    const imp = node(item, "importDecl");
    const itf = node(item, "interfaceDecl");
    const nested = node(item, "nestedDecl");
    if (pkg) {
      const name = qualifiedName(ctx, node(pkg, "qualifiedName"));
      const deco = decorate(ctx, anns, tok(pkg, "Kw_package"), pkg);
      if (!name || !deco) continue;
      if (out.package) {
        ctx.diagnostics.push(error("NIDL1008", "a file declares one package only", name.span, [{ message: "the package was declared here", span: out.package.name.span }]));
      } else if (seenDecl || out.imports.length > 0) {
        ctx.diagnostics.push(error("NIDL1008", "the package declaration must come first", name.span));
        out.package = { kind: "Package", name, ...deco };
      } else out.package = { kind: "Package", name, ...deco };
    } else if (imp) {
      const str = tok(imp, "StringTok");
      const deco = decorate(ctx, anns, tok(imp, "Kw_import"), imp);
      if (!str || !deco) continue;
      const path = stringLiteral(ctx, str);
      if (seenDecl) ctx.diagnostics.push(error("NIDL1008", "imports must come before declarations", path.span));
      out.imports.push({ kind: "Import", path, ...deco });
    } else if (itf) {
      seenDecl = true;
      const d = interfaceDecl(ctx, anns, itf);
      if (d) out.declarations.push(d);
    } else if (nested) {
      seenDecl = true;
      const d = nestedDecl(ctx, anns, nested);
      if (d) out.declarations.push(d);
    }
  }
  return out;
}
