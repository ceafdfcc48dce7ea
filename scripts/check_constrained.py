#!/usr/bin/env python3
"""Checks constrained outputs with validators independent of QwenZoo.

Reads a JSONL file whose records are {"kind": "schema"|"grammar"|"regex", "name", "text",
"finish", and "schema" or "pattern"} and checks each text:
- schema: json.loads, then jsonschema's Draft 2020-12 validator with that draft's format checker
  (date, time, date-time, uuid are checked);
- grammar: the grammar of the same name written again in Lark (below, by hand from the GBNF
  files' descriptions), parsed with Lark's Earley parser; `json` is checked by json.loads;
- regex: re.fullmatch.
Every output must also have ended at a stop id ("finish": "stop").
Prints one JSON object: {"checked": N, "failures": [...]}; exits 1 if any failed.
"""
import json
import re
import sys

import jsonschema
from lark import Lark

LARK = {
    "arithmetic": r"""
        start: expr
        expr: term (WS? ADDOP WS? term)~0..3
        term: factor (WS? MULOP WS? factor)~0..2
        factor: NUMBER | "(" expr ")" | "-" factor
        NUMBER: /[0-9]{1,4}(\.[0-9]{1,2})?/
        ADDOP: "+" | "-"
        MULOP: "*" | "/"
        WS: " "
    """,
    "list": r"""
        start: ("- " ITEM "\n")~1..5
        ITEM: /[a-z][a-z ]{0,10}/
    """,
    "lang": r"""
        start: stmt~1..4
        stmt: assign | print | ifblock
        assign: "let " IDENT " = " expr ";\n"
        print: "print(" expr ");\n"
        ifblock: "if (" cond ") {\n" ("  " (assign | print))~1..2 "}\n"
        cond: expr CMP expr
        CMP: " == " | " < " | " > "
        expr: atom (OP atom)~0..2
        OP: " + " | " * "
        atom: IDENT | INT
        IDENT: /[a-z][a-z0-9]{0,3}/
        INT: /[0-9]{1,3}/
    """,
    "csv": r"""
        start: "name,age,city" ("\n" row)~1..3
        row: field "," AGE "," field
        AGE: /[0-9]{1,3}/
        field: BARE | QUOTED
        BARE: /[A-Za-z]{1,8}/
        QUOTED: /"[A-Za-z ,]{0,8}"/
    """,
    "sexpr": r"""
        start: sexpr
        sexpr: "(" OP (" " arg)~1..3 ")"
        OP: "+" | "*" | "max"
        arg: INT | sexpr
        INT: /[0-9]{1,3}/
    """,
    "sql": r"""
        start: "SELECT " cols " FROM " IDENT (" WHERE " cond)? ";"
        cols: "*" | IDENT (", " IDENT)~0..3
        cond: comparison (" AND " comparison)~0..3
        comparison: IDENT CMP value
        CMP: " = " | " > " | " < "
        value: INT | STR
        INT: /[0-9]{1,4}/
        STR: /'[a-z]{0,6}'/
        IDENT: /[a-z_][a-z0-9_]{0,5}/
    """,
    "boolean": r"""
        start: disj
        disj: conj (" OR " conj)~0..2
        conj: unary (" AND " unary)~0..2
        unary: "NOT " unary | atom
        atom: "true" | "false" | VAR | "(" disj ")"
        VAR: /[a-z]/
    """,
    "ini": r"""
        start: section~1..2
        section: "[" NAME "]\n" (NAME "=" value "\n")~1..3
        NAME: /[a-z]{1,6}/
        value: INT | STR
        INT: /[0-9]{1,4}/
        STR: /"[^"\\\n]{0,8}"/
    """,
    "chess": r"""
        start: "1. " move " " move "\n" (NUM ". " move " " move "\n")~0..3
        NUM: /[1-9][0-9]?/
        move: (pawn | nonpawn | castle) CHECK?
        CHECK: "+" | "#"
        pawn: CAPTURE? SQUARE PROMOTION?
        CAPTURE: /[a-h]x/
        SQUARE: /[a-h][1-8]/
        PROMOTION: /=[NBKQR]/
        nonpawn: /[NBKQR][a-h]?[1-8]?x?[a-h][1-8]/
        castle: "O-O" | "O-O-O"
    """,
    "log": r"""
        start: line~1..3
        line: DATE "T" TIME " " LEVEL " " MSG "\n"
        DATE: /[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9])/
        TIME: /([01][0-9]|2[0-3]):[0-5][0-9]/
        LEVEL: "INFO" | "WARN" | "ERROR"
        MSG: /[^\n]{1,12}/
    """,
    "url": r"""
        start: "https://" host ("/" SEG)~0..3 ("?" KEY "=" VAL? ("&" KEY "=" VAL?)~0..1)?
        host: LABEL ("." LABEL)~0..2 "." TLD
        TLD: "com" | "org" | "io"
        LABEL: /[a-z0-9][a-z0-9-]{0,6}/
        SEG: /[a-zA-Z0-9_.~-]{1,8}/
        KEY: /[a-z]{1,5}/
        VAL: /[a-zA-Z0-9%]{1,6}/
    """,
}

_parsers = {}


def parse_grammar(name, text):
    if name == "json":
        json.loads(text)
        return
    if name not in _parsers:
        _parsers[name] = Lark(LARK[name], parser="earley", lexer="dynamic")
    _parsers[name].parse(text)


def check(record):
    kind, text = record["kind"], record["text"]
    if record.get("finish") != "stop":
        return f"did not end at a stop id (finish: {record.get('finish')})"
    try:
        if kind == "schema":
            validator = jsonschema.Draft202012Validator(record["schema"], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
            validator.validate(json.loads(text))
        elif kind == "grammar":
            parse_grammar(record["name"], text)
        elif kind == "regex":
            if re.fullmatch(record["pattern"], text) is None:
                return "re.fullmatch found no match"
        else:
            return f"unknown kind {kind}"
    except Exception as error:  # the validator's own message says why
        return f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"
    return None


def main():
    checked, failures = 0, []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            checked += 1
            problem = check(record)
            if problem:
                failures.append({"name": record["name"], "seed": record.get("seed"), "text": record["text"], "problem": problem})
    print(json.dumps({"checked": checked, "failures": failures}, ensure_ascii=False))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
