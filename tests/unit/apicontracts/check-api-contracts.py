#!/usr/bin/env python3
"""Every route in the router's table is in docs/API_CONTRACTS.md, and every
path there is a route (issue 14).

Routes are read from the route modules in engine/api: each
`router.add(M::<Method>, QStringLiteral("<regex>"), ...)` call, and the
`{"/api/...", "<kind>"}` rows of a table that a loop registers with
`router.add(M::<Method>, QString::fromLatin1(path), ...)`. A router.add call
of any other shape fails the test, so a new way of registering routes cannot
slip past it. Documented endpoints are the `### \\`METHOD /path\\`` headings
and the `| \\`METHOD /path\\` |` table rows of the contract.

Usage: check-api-contracts.py REPO_ROOT   (runs a self-test first: the
comparison must report a route missing from the doc and a doc path that is no
route, so this test can fail.)
"""
import glob
import os
import re
import sys

ADD = re.compile(r"router\.add\(\s*M::(\w+),\s*([^,]+),")
LITERAL = re.compile(r'^QStringLiteral\("([^"]+)"\)$')
TABLE_ROW = re.compile(r'\{\s*"(/api/[^"]*)",\s*"[^"]*"\s*\}')
DOC = re.compile(r'^(?:###\s+|\|\s*)`(GET|POST|PUT|DELETE|PATCH|HEAD) (/[^`\s]*)`', re.M)


def normalize_route(regex):
    path = regex.replace("(.+)", "{...}").replace("([^/]+)", "{}")
    if re.search(r"[()\[\]+*?^$\\]", path):
        raise ValueError(f"route pattern with an unknown regex form: {regex}")
    return path


def normalize_doc(path):
    path = path.split("?", 1)[0]
    path = re.sub(r"\{[^}/]*\.\.\.\}", "<rest>", path)
    return re.sub(r"\{[^}/]*\}", "{}", path).replace("<rest>", "{...}")


def routes_in(source_dir):
    routes, problems = set(), []
    for path in sorted(glob.glob(os.path.join(source_dir, "*.cpp"))):
        text = open(path, encoding="utf-8").read()
        for method, arg in ADD.findall(text):
            arg = arg.strip()
            literal = LITERAL.match(arg)
            try:
                if literal:
                    routes.add(f"{method.upper()} {normalize_route(literal.group(1))}")
                elif arg == "QString::fromLatin1(path)" and TABLE_ROW.search(text):
                    routes.update(f"{method.upper()} {normalize_route(p)}" for p in TABLE_ROW.findall(text))
                else:
                    problems.append(f"{os.path.basename(path)}: cannot read router.add(M::{method}, {arg}, ...)")
            except ValueError as e:
                problems.append(f"{os.path.basename(path)}: {e}")
    return routes, problems


def documented(doc_text):
    return {f"{m} {normalize_doc(p)}" for m, p in DOC.findall(doc_text)}


def compare(routes, docs):
    problems = [f"route not in docs/API_CONTRACTS.md: {r}" for r in sorted(routes - docs)]
    problems += [f"documented path is no route: {d}" for d in sorted(docs - routes)]
    return problems


def self_test():
    routes = {"GET /healthz", "POST /api/ops/{}/cancel", "GET /api/projects/{}/artifacts/{...}"}
    doc = ("### `GET /healthz`\n| `POST /api/ops/{opID}/cancel` | 202 |\n"
           "### `GET /api/projects/{id}/artifacts/{path...}`\n")
    assert compare(routes, documented(doc)) == [], compare(routes, documented(doc))
    broken = compare(routes | {"GET /api/new"}, documented(doc + "### `GET /api/gone?x=1`\n"))
    assert broken == ["route not in docs/API_CONTRACTS.md: GET /api/new",
                      "documented path is no route: GET /api/gone"], broken
    assert normalize_route("/api/projects/([^/]+)/ops") == "/api/projects/{}/ops"


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    self_test()
    routes, problems = routes_in(os.path.join(root, "engine", "api"))
    docs = documented(open(os.path.join(root, "docs", "API_CONTRACTS.md"), encoding="utf-8").read())
    if not routes or not docs:
        problems.append(f"found {len(routes)} routes and {len(docs)} documented endpoints; expected both")
    problems += compare(routes, docs)
    for p in problems:
        print(f"api_contracts: {p}")
    print(f"api_contracts: {len(routes)} routes, {len(docs)} documented endpoints, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
