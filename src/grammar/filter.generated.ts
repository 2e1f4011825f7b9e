// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var AND: any;
declare var OR: any;
declare var NOT: any;
declare var LPAREN: any;
declare var RPAREN: any;
declare var ID: any;
declare var HID: any;
declare var SLASH: any;
declare var NUM: any;
declare var NETMASK: any;
declare var HID6: any;
declare var EID: any;
declare var AID: any;
declare var TQUAL: any;
declare var PNAME: any;
declare var SRC: any;
declare var DST: any;
declare var ADDRQ: any;
declare var HOST: any;
declare var NET: any;
declare var PORT: any;
declare var PORTRANGE: any;
declare var ALONE: any;
declare var KW_NUM: any;
declare var KW_ID: any;
declare var PF_RNR: any;
declare var PF_REASON: any;
declare var BYTE: any;
declare var ENCAP: any;
declare var LLC: any;
declare var FIELD: any;
declare var CAST: any;
declare var TYPE: any;
declare var SUBTYPE: any;
declare var DIR: any;
declare var AMP: any;
declare var PIPE: any;
declare var LT: any;
declare var GT: any;
declare var EQ: any;
declare var GEQ: any;
declare var LEQ: any;
declare var NEQ: any;
declare var MINUS: any;
declare var LEN: any;
declare var LBRACK: any;
declare var RBRACK: any;
declare var COLON: any;
declare var LSH: any;
declare var RSH: any;
declare var PLUS: any;
declare var STAR: any;
declare var PERCENT: any;
declare var CARET: any;

import { lexer } from './lexer.js';
import * as c from './cst.js';

interface NearleyToken {
  value: any;
  [key: string]: any;
};

interface NearleyLexer {
  reset: (chunk: string, info: any) => void;
  next: () => NearleyToken | undefined;
  save: () => any;
  formatError: (token: never) => string;
  has: (tokenType: string) => boolean;
};

interface NearleyRule {
  name: string;
  symbols: NearleySymbol[];
  postprocess?: (d: any[], loc?: number, reject?: {}) => any;
};

type NearleySymbol = string | { literal: any } | { test: (token: any) => boolean };

interface Grammar {
  Lexer: NearleyLexer | undefined;
  ParserRules: NearleyRule[];
  ParserStart: string;
};

const grammar: Grammar = {
  Lexer: lexer,
  ParserRules: [
    {"name": "Prog", "symbols": ["Expr"], "postprocess": id},
    {"name": "Prog", "symbols": [], "postprocess": c.emptyProg},
    {"name": "Expr", "symbols": ["Term"], "postprocess": id},
    {"name": "Expr", "symbols": ["Expr", "AndOr", "Term"], "postprocess": c.binExpr},
    {"name": "Expr", "symbols": ["Expr", "AndOr", "Id"], "postprocess": c.binExpr},
    {"name": "AndOr", "symbols": [(lexer.has("AND") ? {type: "AND"} : AND)], "postprocess": id},
    {"name": "AndOr", "symbols": [(lexer.has("OR") ? {type: "OR"} : OR)], "postprocess": id},
    {"name": "Term", "symbols": ["RTerm"], "postprocess": id},
    {"name": "Term", "symbols": [(lexer.has("NOT") ? {type: "NOT"} : NOT), "Term"], "postprocess": c.notExpr},
    {"name": "Id", "symbols": ["NId"], "postprocess": id},
    {"name": "Id", "symbols": ["PNum"], "postprocess": c.numId},
    {"name": "Id", "symbols": [(lexer.has("LPAREN") ? {type: "LPAREN"} : LPAREN), "PId", (lexer.has("RPAREN") ? {type: "RPAREN"} : RPAREN)], "postprocess": c.parenId},
    {"name": "NId", "symbols": [(lexer.has("ID") ? {type: "ID"} : ID)], "postprocess": c.nameId},
    {"name": "NId", "symbols": [(lexer.has("HID") ? {type: "HID"} : HID), (lexer.has("SLASH") ? {type: "SLASH"} : SLASH), (lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.hidCidr},
    {"name": "NId", "symbols": [(lexer.has("HID") ? {type: "HID"} : HID), (lexer.has("NETMASK") ? {type: "NETMASK"} : NETMASK), (lexer.has("HID") ? {type: "HID"} : HID)], "postprocess": c.hidMask},
    {"name": "NId", "symbols": [(lexer.has("HID") ? {type: "HID"} : HID)], "postprocess": c.hid},
    {"name": "NId", "symbols": [(lexer.has("HID6") ? {type: "HID6"} : HID6), (lexer.has("SLASH") ? {type: "SLASH"} : SLASH), (lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.hid6Cidr},
    {"name": "NId", "symbols": [(lexer.has("HID6") ? {type: "HID6"} : HID6)], "postprocess": c.hid6},
    {"name": "NId", "symbols": [(lexer.has("EID") ? {type: "EID"} : EID)], "postprocess": c.eid},
    {"name": "NId", "symbols": [(lexer.has("AID") ? {type: "AID"} : AID)], "postprocess": c.aid},
    {"name": "NId", "symbols": [(lexer.has("NOT") ? {type: "NOT"} : NOT), "Id"], "postprocess": c.notId},
    {"name": "PId", "symbols": ["NId"], "postprocess": id},
    {"name": "PId", "symbols": ["QId", "AndOr", "Id"], "postprocess": c.binId},
    {"name": "QId", "symbols": ["PNum"], "postprocess": c.numId},
    {"name": "QId", "symbols": ["PId"], "postprocess": id},
    {"name": "PNum", "symbols": [(lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.pnum},
    {"name": "PNum", "symbols": [(lexer.has("LPAREN") ? {type: "LPAREN"} : LPAREN), "PNum", (lexer.has("RPAREN") ? {type: "RPAREN"} : RPAREN)], "postprocess": c.parenPNum},
    {"name": "Head", "symbols": ["PQual", "HeadRest"], "postprocess": c.head},
    {"name": "HeadRest", "symbols": ["DQual", "AQual"]},
    {"name": "HeadRest", "symbols": ["DQual"]},
    {"name": "HeadRest", "symbols": ["AQual"]},
    {"name": "HeadRest", "symbols": [(lexer.has("TQUAL") ? {type: "TQUAL"} : TQUAL)]},
    {"name": "PQual", "symbols": [(lexer.has("PNAME") ? {type: "PNAME"} : PNAME)], "postprocess": id},
    {"name": "PQual", "symbols": [], "postprocess": () => null},
    {"name": "DQual", "symbols": [(lexer.has("SRC") ? {type: "SRC"} : SRC)]},
    {"name": "DQual", "symbols": [(lexer.has("DST") ? {type: "DST"} : DST)]},
    {"name": "DQual", "symbols": [(lexer.has("SRC") ? {type: "SRC"} : SRC), "AndOr", (lexer.has("DST") ? {type: "DST"} : DST)]},
    {"name": "DQual", "symbols": [(lexer.has("DST") ? {type: "DST"} : DST), "AndOr", (lexer.has("SRC") ? {type: "SRC"} : SRC)]},
    {"name": "DQual", "symbols": [(lexer.has("ADDRQ") ? {type: "ADDRQ"} : ADDRQ)]},
    {"name": "AQual", "symbols": [(lexer.has("HOST") ? {type: "HOST"} : HOST)], "postprocess": id},
    {"name": "AQual", "symbols": [(lexer.has("NET") ? {type: "NET"} : NET)], "postprocess": id},
    {"name": "AQual", "symbols": [(lexer.has("PORT") ? {type: "PORT"} : PORT)], "postprocess": id},
    {"name": "AQual", "symbols": [(lexer.has("PORTRANGE") ? {type: "PORTRANGE"} : PORTRANGE)], "postprocess": id},
    {"name": "RTerm", "symbols": ["Head", "Id"], "postprocess": c.prim},
    {"name": "RTerm", "symbols": [(lexer.has("LPAREN") ? {type: "LPAREN"} : LPAREN), "Expr", (lexer.has("RPAREN") ? {type: "RPAREN"} : RPAREN)], "postprocess": c.parenExpr},
    {"name": "RTerm", "symbols": [(lexer.has("PNAME") ? {type: "PNAME"} : PNAME)], "postprocess": c.abbrev},
    {"name": "RTerm", "symbols": ["Arith", "RelOp", "Arith"], "postprocess": c.relation},
    {"name": "RTerm", "symbols": ["Other"], "postprocess": id},
    {"name": "Other", "symbols": ["PQual", "PQualTail"], "postprocess": c.pqualPrimitive},
    {"name": "Other", "symbols": [(lexer.has("ALONE") ? {type: "ALONE"} : ALONE)], "postprocess": c.alone},
    {"name": "Other", "symbols": [(lexer.has("KW_NUM") ? {type: "KW_NUM"} : KW_NUM), (lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.kwNum},
    {"name": "Other", "symbols": [(lexer.has("KW_ID") ? {type: "KW_ID"} : KW_ID), (lexer.has("ID") ? {type: "ID"} : ID)], "postprocess": c.pfVar},
    {"name": "Other", "symbols": [(lexer.has("PF_RNR") ? {type: "PF_RNR"} : PF_RNR), (lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.pfVar},
    {"name": "Other", "symbols": [(lexer.has("PF_REASON") ? {type: "PF_REASON"} : PF_REASON), "NumOrName"], "postprocess": c.pfVar},
    {"name": "Other", "symbols": [(lexer.has("BYTE") ? {type: "BYTE"} : BYTE), (lexer.has("NUM") ? {type: "NUM"} : NUM), "ByteOp", (lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.byteCmp},
    {"name": "Other", "symbols": [(lexer.has("ENCAP") ? {type: "ENCAP"} : ENCAP), "OptPNum"], "postprocess": c.encap},
    {"name": "Other", "symbols": [(lexer.has("LLC") ? {type: "LLC"} : LLC), "LlcType"], "postprocess": c.llc},
    {"name": "Other", "symbols": [(lexer.has("FIELD") ? {type: "FIELD"} : FIELD), "FieldValue"], "postprocess": c.fieldCmp},
    {"name": "PQualTail", "symbols": [(lexer.has("CAST") ? {type: "CAST"} : CAST)], "postprocess": id},
    {"name": "PQualTail", "symbols": [(lexer.has("TYPE") ? {type: "TYPE"} : TYPE), "NumOrName", (lexer.has("SUBTYPE") ? {type: "SUBTYPE"} : SUBTYPE), "NumOrName"]},
    {"name": "PQualTail", "symbols": [(lexer.has("TYPE") ? {type: "TYPE"} : TYPE), "NumOrName"]},
    {"name": "PQualTail", "symbols": [(lexer.has("SUBTYPE") ? {type: "SUBTYPE"} : SUBTYPE), (lexer.has("ID") ? {type: "ID"} : ID)]},
    {"name": "PQualTail", "symbols": [(lexer.has("DIR") ? {type: "DIR"} : DIR), "NumOrName"]},
    {"name": "OptPNum", "symbols": ["PNum"], "postprocess": id},
    {"name": "OptPNum", "symbols": [], "postprocess": () => null},
    {"name": "LlcType", "symbols": [(lexer.has("ID") ? {type: "ID"} : ID)], "postprocess": id},
    {"name": "LlcType", "symbols": [(lexer.has("PF_RNR") ? {type: "PF_RNR"} : PF_RNR)], "postprocess": id},
    {"name": "LlcType", "symbols": [], "postprocess": () => null},
    {"name": "NumOrName", "symbols": [(lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": id},
    {"name": "NumOrName", "symbols": [(lexer.has("ID") ? {type: "ID"} : ID)], "postprocess": id},
    {"name": "ByteOp", "symbols": [(lexer.has("AMP") ? {type: "AMP"} : AMP)], "postprocess": id},
    {"name": "ByteOp", "symbols": [(lexer.has("PIPE") ? {type: "PIPE"} : PIPE)], "postprocess": id},
    {"name": "ByteOp", "symbols": [(lexer.has("LT") ? {type: "LT"} : LT)], "postprocess": id},
    {"name": "ByteOp", "symbols": [(lexer.has("GT") ? {type: "GT"} : GT)], "postprocess": id},
    {"name": "ByteOp", "symbols": [(lexer.has("EQ") ? {type: "EQ"} : EQ)], "postprocess": id},
    {"name": "RelOp", "symbols": [(lexer.has("GT") ? {type: "GT"} : GT)], "postprocess": id},
    {"name": "RelOp", "symbols": [(lexer.has("GEQ") ? {type: "GEQ"} : GEQ)], "postprocess": id},
    {"name": "RelOp", "symbols": [(lexer.has("EQ") ? {type: "EQ"} : EQ)], "postprocess": id},
    {"name": "RelOp", "symbols": [(lexer.has("LEQ") ? {type: "LEQ"} : LEQ)], "postprocess": id},
    {"name": "RelOp", "symbols": [(lexer.has("LT") ? {type: "LT"} : LT)], "postprocess": id},
    {"name": "RelOp", "symbols": [(lexer.has("NEQ") ? {type: "NEQ"} : NEQ)], "postprocess": id},
    {"name": "FieldValue", "symbols": [(lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.fieldEq},
    {"name": "FieldValue", "symbols": ["RelOp", (lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.fieldRel},
    {"name": "FieldValue", "symbols": [(lexer.has("LPAREN") ? {type: "LPAREN"} : LPAREN), "FieldList", (lexer.has("RPAREN") ? {type: "RPAREN"} : RPAREN)], "postprocess": c.fieldList},
    {"name": "FieldList", "symbols": [(lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.fieldEq},
    {"name": "FieldList", "symbols": ["FieldList", (lexer.has("OR") ? {type: "OR"} : OR), (lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.fieldListAppend},
    {"name": "Arith", "symbols": ["Operand"], "postprocess": c.arithFirst},
    {"name": "Arith", "symbols": ["Arith", "BinOp", "Operand"], "postprocess": c.arithAppend},
    {"name": "Operand", "symbols": [(lexer.has("MINUS") ? {type: "MINUS"} : MINUS), "Operand"], "postprocess": c.negOperand},
    {"name": "Operand", "symbols": ["Atom"], "postprocess": c.atomOperand},
    {"name": "Atom", "symbols": [(lexer.has("NUM") ? {type: "NUM"} : NUM)], "postprocess": c.atomNum},
    {"name": "Atom", "symbols": [(lexer.has("LEN") ? {type: "LEN"} : LEN)], "postprocess": c.atomLen},
    {"name": "Atom", "symbols": [(lexer.has("PNAME") ? {type: "PNAME"} : PNAME), (lexer.has("LBRACK") ? {type: "LBRACK"} : LBRACK), "Arith", (lexer.has("RBRACK") ? {type: "RBRACK"} : RBRACK)], "postprocess": c.atomLoad},
    {"name": "Atom", "symbols": [(lexer.has("PNAME") ? {type: "PNAME"} : PNAME), (lexer.has("LBRACK") ? {type: "LBRACK"} : LBRACK), "Arith", (lexer.has("COLON") ? {type: "COLON"} : COLON), (lexer.has("NUM") ? {type: "NUM"} : NUM), (lexer.has("RBRACK") ? {type: "RBRACK"} : RBRACK)], "postprocess": c.atomLoad},
    {"name": "Atom", "symbols": [(lexer.has("LPAREN") ? {type: "LPAREN"} : LPAREN), "Arith", (lexer.has("RPAREN") ? {type: "RPAREN"} : RPAREN)], "postprocess": c.atomParen},
    {"name": "BinOp", "symbols": [(lexer.has("PIPE") ? {type: "PIPE"} : PIPE)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("AMP") ? {type: "AMP"} : AMP)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("LSH") ? {type: "LSH"} : LSH)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("RSH") ? {type: "RSH"} : RSH)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("PLUS") ? {type: "PLUS"} : PLUS)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("MINUS") ? {type: "MINUS"} : MINUS)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("STAR") ? {type: "STAR"} : STAR)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("SLASH") ? {type: "SLASH"} : SLASH)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("PERCENT") ? {type: "PERCENT"} : PERCENT)], "postprocess": id},
    {"name": "BinOp", "symbols": [(lexer.has("CARET") ? {type: "CARET"} : CARET)], "postprocess": id}
  ],
  ParserStart: "Prog",
};

export default grammar;
