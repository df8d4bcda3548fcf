/**
 * The NIDL grammar as a chevrotain CST parser with error recovery on, so one
 * run reports every syntax error of a file. The grammar is deliberately
 * lenient at the top level (package and imports may appear anywhere) so that
 * the converter, not the parser, reports their placement with a precise
 * message. See idl/README.md for the EBNF this implements.
 */
import { CstParser, type CstNode, type IRecognitionException, type IToken } from "chevrotain";
import * as T from "./tokens.js";
import { nidlErrorMessages } from "./error-messages.js";

/** The parser class; use the shared {@link nidlParser} instance. */
export class NidlParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: "onlyOffset", errorMessageProvider: nidlErrorMessages });
    this.performSelfAnalysis();
  }

  public file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.topItem));
  });

  private topItem = this.RULE("topItem", () => {
    this.SUBRULE(this.annotations);
    this.OR([
      { ALT: () => this.SUBRULE(this.packageDecl) },
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.interfaceDecl) },
      { ALT: () => this.SUBRULE(this.nestedDecl) },
    ]);
  });

  private annotations = this.RULE("annotations", () => {
    this.MANY(() => this.SUBRULE(this.annotation));
  });

  private annotation = this.RULE("annotation", () => {
    this.CONSUME(T.At);
    this.SUBRULE(this.qualifiedName);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION2(() => {
        this.SUBRULE(this.annotationArg);
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.annotationArg);
        });
      });
      this.CONSUME(T.RParen);
    });
  });

  private annotationArg = this.RULE("annotationArg", () => {
    this.OPTION(() => {
      this.CONSUME(T.Name);
      this.CONSUME(T.Equals);
    });
    this.SUBRULE(this.expr);
  });

  private packageDecl = this.RULE("packageDecl", () => {
    this.CONSUME(T.KwPackage);
    this.SUBRULE(this.qualifiedName);
    this.CONSUME(T.Semicolon);
  });

  private importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.KwImport);
    this.CONSUME(T.StringTok);
    this.CONSUME(T.Semicolon);
  });

  private interfaceDecl = this.RULE("interfaceDecl", () => {
    this.CONSUME(T.KwInterface);
    this.CONSUME(T.Name);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.member));
    this.CONSUME(T.RBrace);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  private member = this.RULE("member", () => {
    this.SUBRULE(this.annotations);
    this.OR([
      { ALT: () => this.SUBRULE(this.methodDecl) },
      { ALT: () => this.SUBRULE(this.signalDecl) },
      { ALT: () => this.SUBRULE(this.propertyDecl) },
      { ALT: () => this.SUBRULE(this.nestedDecl) },
    ]);
  });

  private nestedDecl = this.RULE("nestedDecl", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.structDecl) },
      { ALT: () => this.SUBRULE(this.enumDecl) },
      { ALT: () => this.SUBRULE(this.errorDecl) },
      { ALT: () => this.SUBRULE(this.typedefDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
    ]);
  });

  private methodDecl = this.RULE("methodDecl", () => {
    this.OR([{ ALT: () => this.CONSUME(T.KwMethod) }, { ALT: () => this.CONSUME(T.KwRequest) }]);
    this.CONSUME(T.Name);
    this.SUBRULE(this.paramList);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.OR2([
        { ALT: () => this.SUBRULE2(this.paramList) },
        { ALT: () => this.SUBRULE(this.bareResult) },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(T.KwThrows);
      this.SUBRULE(this.qualifiedName);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.qualifiedName);
      });
    });
    this.CONSUME(T.Semicolon);
  });

  private bareResult = this.RULE("bareResult", () => {
    this.SUBRULE(this.namedType);
    this.MANY(() => this.CONSUME(T.Question));
  });

  private signalDecl = this.RULE("signalDecl", () => {
    this.OR([{ ALT: () => this.CONSUME(T.KwSignal) }, { ALT: () => this.CONSUME(T.KwEvent) }]);
    this.CONSUME(T.Name);
    this.SUBRULE(this.paramList);
    this.CONSUME(T.Semicolon);
  });

  private propertyDecl = this.RULE("propertyDecl", () => {
    this.CONSUME(T.KwProperty);
    this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.OPTION(() => {
      this.CONSUME(T.LBrace);
      this.MANY(() => {
        this.CONSUME2(T.Name);
        this.CONSUME(T.Semicolon);
      });
      this.CONSUME(T.RBrace);
    });
    this.OPTION2(() => this.CONSUME2(T.Semicolon));
  });

  private paramList = this.RULE("paramList", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.OPTION2(() => this.SUBRULE2(this.param));
      });
    });
    this.CONSUME(T.RParen);
  });

  private param = this.RULE("param", () => {
    this.SUBRULE(this.annotations);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Name);
          this.CONSUME(T.Colon);
          this.SUBRULE(this.type);
        },
      },
      { ALT: () => this.SUBRULE2(this.type) },
    ]);
  });

  private structDecl = this.RULE("structDecl", () => {
    this.CONSUME(T.KwStruct);
    this.CONSUME(T.Name);
    this.SUBRULE(this.fieldBlock);
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  private errorDecl = this.RULE("errorDecl", () => {
    this.CONSUME(T.KwError);
    this.CONSUME(T.Name);
    this.OR([
      {
        ALT: () => {
          this.SUBRULE(this.fieldBlock);
          this.OPTION(() => this.CONSUME(T.Semicolon));
        },
      },
      { ALT: () => this.CONSUME2(T.Semicolon) },
    ]);
  });

  private fieldBlock = this.RULE("fieldBlock", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.field));
    this.CONSUME(T.RBrace);
  });

  private field = this.RULE("field", () => {
    this.SUBRULE(this.annotations);
    this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.CONSUME(T.Semicolon);
  });

  private enumDecl = this.RULE("enumDecl", () => {
    this.OR([{ ALT: () => this.CONSUME(T.KwEnum) }, { ALT: () => this.CONSUME(T.KwFlags) }]);
    this.CONSUME(T.Name);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.enumEntry));
    this.CONSUME(T.RBrace);
    this.OPTION2(() => this.CONSUME(T.Semicolon));
  });

  private enumEntry = this.RULE("enumEntry", () => {
    this.SUBRULE(this.annotations);
    this.CONSUME(T.Name);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
    this.CONSUME(T.Semicolon);
  });

  private typedefDecl = this.RULE("typedefDecl", () => {
    this.CONSUME(T.KwTypedef);
    this.CONSUME(T.Name);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.type);
    this.CONSUME(T.Semicolon);
  });

  private constDecl = this.RULE("constDecl", () => {
    this.CONSUME(T.KwConst);
    this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  // ------------------------------------------------------------ types

  private type = this.RULE("type", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.namedType) }, { ALT: () => this.SUBRULE(this.tupleType) }]);
    this.MANY(() => this.CONSUME(T.Question));
  });

  private namedType = this.RULE("namedType", () => {
    this.SUBRULE(this.qualifiedName);
    this.OPTION(() => {
      this.CONSUME(T.Lt);
      this.SUBRULE(this.type);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.type);
      });
      this.CONSUME(T.Gt);
    });
  });

  private tupleType = this.RULE("tupleType", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.type);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION(() => this.SUBRULE2(this.type));
    });
    this.CONSUME(T.RParen);
  });

  private qualifiedName = this.RULE("qualifiedName", () => {
    this.CONSUME(T.Name);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Name);
    });
  });

  // ------------------------------------------------------------ expressions

  private expr = this.RULE("expr", () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      this.SUBRULE2(this.andExpr);
    });
  });

  private andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.shiftExpr);
    this.MANY(() => {
      this.CONSUME(T.Amp);
      this.SUBRULE2(this.shiftExpr);
    });
  });

  private shiftExpr = this.RULE("shiftExpr", () => {
    this.SUBRULE(this.addExpr);
    this.MANY(() => {
      this.SUBRULE(this.shiftOp);
      this.SUBRULE2(this.addExpr);
    });
  });

  private shiftOp = this.RULE("shiftOp", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Lt);
          this.CONSUME2(T.Lt);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Gt);
          this.CONSUME2(T.Gt);
        },
      },
    ]);
  });

  private addExpr = this.RULE("addExpr", () => {
    this.SUBRULE(this.mulExpr);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.mulExpr);
    });
  });

  private mulExpr = this.RULE("mulExpr", () => {
    this.SUBRULE(this.unaryExpr);
    this.MANY(() => {
      this.CONSUME(T.Star);
      this.SUBRULE2(this.unaryExpr);
    });
  });

  private unaryExpr = this.RULE("unaryExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Minus) }, { ALT: () => this.CONSUME(T.Tilde) }]);
          this.SUBRULE(this.unaryExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.primaryExpr) },
    ]);
  });

  private primaryExpr = this.RULE("primaryExpr", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.IntegerLiteral) },
      { ALT: () => this.CONSUME(T.FloatLiteral) },
      { ALT: () => this.CONSUME(T.StringTok) },
      { ALT: () => this.SUBRULE(this.qualifiedName) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });
}

let shared: NidlParser | undefined;

/**
 * The shared parser, built on first use: chevrotain's self-analysis costs about
 * a second, which commands that never parse NIDL should not pay.
 */
export function nidlParser(): NidlParser {
  shared ??= new NidlParser();
  return shared;
}

/** Parses a token vector into a CST, with the syntax errors of this run. */
export function parseTokens(tokens: IToken[]): { cst: CstNode; errors: IRecognitionException[] } {
  const parser = nidlParser();
  parser.input = tokens;
  const cst = parser.file();
  return { cst, errors: [...parser.errors] };
}
