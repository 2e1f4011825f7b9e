# Grammar of pcap-filter expressions, following the structure of libpcap's yacc grammar (so it accepts
# the same language) but written to be unambiguous for Nearley's Earley parser: every expression has
# exactly one parse. Compiled by `npm run grammar` into filter.generated.ts (never edit that file).
#
# Notes on libpcap's rules kept here:
# - `and` and `or` have equal precedence and group left to right; the list is left-recursive
#   (Earley is linear on left recursion, quadratic-ish on right recursion).
# - After `and`/`or` either a term or a bare id may follow (`host a or b`); the id inherits the
#   qualifiers of the previous primitive. That inheritance is resolved in resolve.ts, not here.
# - Arithmetic is parsed as a flat operand/operator list (few Earley items per token), and
#   resolve.ts gives it libpcap's precedence: see arith.ts.
# - Keywords used in exactly the same places share one token type (keywords.ts), e.g. every protocol
#   qualifier is PNAME and inbound/outbound/pppoed/the ATM and MTP2 keywords are ALONE: fewer
#   alternatives means fewer Earley items at the start of every term. The token's value tells them
#   apart.

@preprocessor typescript

@{%
import { lexer } from './lexer.js';
import * as c from './cst.js';
%}

@lexer lexer

Prog -> Expr {% id %}
  | null {% c.emptyProg %}

Expr -> Term {% id %}
  | Expr AndOr Term {% c.binExpr %}
  | Expr AndOr Id {% c.binExpr %}

AndOr -> %AND {% id %}
  | %OR {% id %}

Term -> RTerm {% id %}
  | %NOT Term {% c.notExpr %}

# ---- ids: what may follow a qualifier head, or follow and/or and inherit ----

Id -> NId {% id %}
  | PNum {% c.numId %}
  | %LPAREN PId %RPAREN {% c.parenId %}

NId -> %ID {% c.nameId %}
  | %HID %SLASH %NUM {% c.hidCidr %}
  | %HID %NETMASK %HID {% c.hidMask %}
  | %HID {% c.hid %}
  | %HID6 %SLASH %NUM {% c.hid6Cidr %}
  | %HID6 {% c.hid6 %}
  | %EID {% c.eid %}
  | %AID {% c.aid %}
  | %NOT Id {% c.notId %}

# a parenthesised id list: `host (a or b)`, `port (80 or 443)`
PId -> NId {% id %}
  | QId AndOr Id {% c.binId %}

QId -> PNum {% c.numId %}
  | PId {% id %}

PNum -> %NUM {% c.pnum %}
  | %LPAREN PNum %RPAREN {% c.parenPNum %}

# ---- qualifiers ----

Head -> PQual HeadRest {% c.head %}

# proto, protochain and gateway are one token type (TQUAL): they take no direction qualifier
HeadRest -> DQual AQual
  | DQual
  | AQual
  | %TQUAL

PQual -> %PNAME {% id %}
  | null {% () => null %}

DQual -> %SRC
  | %DST
  | %SRC AndOr %DST
  | %DST AndOr %SRC
  | %ADDRQ

AQual -> %HOST {% id %}
  | %NET {% id %}
  | %PORT {% id %}
  | %PORTRANGE {% id %}

# ---- terms ----

RTerm -> Head Id {% c.prim %}
  | %LPAREN Expr %RPAREN {% c.parenExpr %}
  | %PNAME {% c.abbrev %}
  | Arith RelOp Arith {% c.relation %}
  | Other {% id %}

Other -> PQual PQualTail {% c.pqualPrimitive %}
  | %ALONE {% c.alone %}
  | %KW_NUM %NUM {% c.kwNum %}
  | %KW_ID %ID {% c.pfVar %}
  | %PF_RNR %NUM {% c.pfVar %}
  | %PF_REASON NumOrName {% c.pfVar %}
  | %BYTE %NUM ByteOp %NUM {% c.byteCmp %}
  | %ENCAP OptPNum {% c.encap %}
  | %LLC LlcType {% c.llc %}
  | %FIELD FieldValue {% c.fieldCmp %}

# what may follow an optional protocol qualifier (which 802.11 primitives ignore)
PQualTail -> %CAST {% id %}
  | %TYPE NumOrName %SUBTYPE NumOrName
  | %TYPE NumOrName
  | %SUBTYPE %ID
  | %DIR NumOrName

OptPNum -> PNum {% id %}
  | null {% () => null %}

LlcType -> %ID {% id %}
  | %PF_RNR {% id %}
  | null {% () => null %}

NumOrName -> %NUM {% id %}
  | %ID {% id %}

ByteOp -> %AMP {% id %}
  | %PIPE {% id %}
  | %LT {% id %}
  | %GT {% id %}
  | %EQ {% id %}

RelOp -> %GT {% id %}
  | %GEQ {% id %}
  | %EQ {% id %}
  | %LEQ {% id %}
  | %LT {% id %}
  | %NEQ {% id %}

# vpi/vci and the MTP3 fields: `N`, `relop N` or `(N or N ...)`
FieldValue -> %NUM {% c.fieldEq %}
  | RelOp %NUM {% c.fieldRel %}
  | %LPAREN FieldList %RPAREN {% c.fieldList %}

FieldList -> %NUM {% c.fieldEq %}
  | FieldList %OR %NUM {% c.fieldListAppend %}

# ---- arithmetic ----
# A flat, left-recursive list of operands and operators; resolve.ts builds the tree with yacc's
# precedence rules (see the note at the top), once, for the final parse only.

Arith -> Operand {% c.arithFirst %}
  | Arith BinOp Operand {% c.arithAppend %}

Operand -> %MINUS Operand {% c.negOperand %}
  | Atom {% c.atomOperand %}

Atom -> %NUM {% c.atomNum %}
  | %LEN {% c.atomLen %}
  | %PNAME %LBRACK Arith %RBRACK {% c.atomLoad %}
  | %PNAME %LBRACK Arith %COLON %NUM %RBRACK {% c.atomLoad %}
  | %LPAREN Arith %RPAREN {% c.atomParen %}

BinOp -> %PIPE {% id %}
  | %AMP {% id %}
  | %LSH {% id %}
  | %RSH {% id %}
  | %PLUS {% id %}
  | %MINUS {% id %}
  | %STAR {% id %}
  | %SLASH {% id %}
  | %PERCENT {% id %}
  | %CARET {% id %}
