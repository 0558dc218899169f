#!/usr/bin/env python3
"""Task scoping over TASKMAP.yaml (make task-list/-show/-files/-tests/-audit).

  taskmap.py list                 each task and its description
  taskmap.py show TASK            the whole entry, as YAML
  taskmap.py files TASK           the files that exist for its globs
  taskmap.py tests TASK           its CTest names (labels expanded)
  taskmap.py run-tests TASK       build those tests' targets, run exactly them
  taskmap.py audit TASK|all       size limits, layering, missing tests/files,
                                  unowned files; exit 1 on a violation
  taskmap.py check                the CTest test `taskmap`: every glob matches,
                                  every test exists, every file has a task

Options: --build-dir DIR (default $BUILD_DIR or build) for the CTest list;
--map FILE reads another map (the `taskmap` test's self-test).
Needs python3-yaml (installer/deps-debian.sh) and, for audit, universal-ctags.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:
    sys.exit("taskmap: python3-yaml is missing; run installer/deps-debian.sh --test")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_EXT = (".cpp", ".h", ".c", ".js")
REQUIRED = {"description": str, "files": list, "tests": list, "docs": list, "invariants": list}


def load_map(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise SystemExit(f"taskmap: TASKMAP.yaml: {e}")
    problems = []
    for name, task in (data.get("tasks") or {}).items():
        for key, kind in REQUIRED.items():
            if not isinstance(task.get(key), kind):
                problems.append(f"{name}: '{key}' must be a {kind.__name__}")
        if not task.get("files"):
            problems.append(f"{name}: 'files' is empty")
    return data, problems


def expand(pattern):
    """Existing files (not folders) matched by one glob, relative to ROOT."""
    hits = glob.glob(os.path.join(ROOT, pattern), recursive=True)
    return sorted(os.path.relpath(h, ROOT) for h in hits if os.path.isfile(h))


def task_files(task):
    files, empty = set(), []
    for pattern in task["files"]:
        hits = expand(pattern)
        if not hits:
            empty.append(pattern)
        files.update(hits)
    return sorted(files), empty


def tracked_files(roots):
    try:
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "--", *roots],
                             check=True, capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if os.path.isfile(os.path.join(ROOT, line))]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for r in roots:
            for d, _, names in os.walk(os.path.join(ROOT, r)):
                found += [os.path.relpath(os.path.join(d, n), ROOT) for n in names]
        return found


def ctest_tests(build_dir):
    """{name: {"labels": [...], "command": [...]}} from `ctest --show-only=json-v1`."""
    if not os.path.isfile(os.path.join(build_dir, "CTestTestfile.cmake")):
        raise SystemExit(f"taskmap: {build_dir} is not a configured build dir (run `make configure`)")
    out = subprocess.run(["ctest", "--test-dir", build_dir, "--show-only=json-v1"],
                         check=True, capture_output=True, text=True).stdout
    tests = {}
    for t in json.loads(out)["tests"]:
        labels = []
        for p in t.get("properties", []):
            if p["name"] == "LABELS":
                labels = p["value"]
        tests[t["name"]] = {"labels": labels, "command": t.get("command", [])}
    return tests


def resolve_tests(task, known):
    """(ctest names, entries that name no test or label)."""
    names, missing = [], []
    for entry in task["tests"]:
        if entry.startswith("label:"):
            label = entry[len("label:"):]
            hits = [n for n, t in known.items() if label in t["labels"]]
        else:
            hits = [entry] if entry in known else []
        if not hits:
            missing.append(entry)
        names += [h for h in hits if h not in names]
    return names, missing


def unowned(data):
    owned = set()
    for task in data["tasks"].values():
        owned.update(task_files(task)[0])
    return sorted(f for f in tracked_files(data.get("owned_roots", [])) if f not in owned)


def get_task(data, name):
    if name not in data["tasks"]:
        raise SystemExit(f"taskmap: no task '{name}' (make task-list shows them)")
    return data["tasks"][name]


def cmd_list(data, _args):
    width = max(len(n) for n in data["tasks"])
    for name, task in data["tasks"].items():
        print(f"{name:<{width}}  {task['description']}")
    return 0


def cmd_show(data, args):
    print(yaml.safe_dump({args.task: get_task(data, args.task)}, sort_keys=False, width=100), end="")
    return 0


def cmd_files(data, args):
    files, empty = task_files(get_task(data, args.task))
    print("\n".join(files))
    for pattern in empty:
        print(f"taskmap: '{pattern}' matches no file", file=sys.stderr)
    return 1 if empty else 0


def cmd_tests(data, args):
    names, missing = resolve_tests(get_task(data, args.task), ctest_tests(args.build_dir))
    print("\n".join(names))
    for entry in missing:
        print(f"taskmap: '{entry}' is not a CTest test or label", file=sys.stderr)
    return 1 if missing else 0


def build_targets(build_dir):
    """Target names of a Ninja build dir (None for another generator)."""
    if not os.path.isfile(os.path.join(build_dir, "build.ninja")):
        return None
    out = subprocess.run(["ninja", "-C", build_dir, "-t", "targets", "all"],
                         capture_output=True, text=True).stdout
    return {line.split(":", 1)[0] for line in out.splitlines() if line.endswith(": phony")}


def test_targets(names, known, build_dir):
    """CMake targets to build: each test's executable (named as the test by
    paas_add_test and the fuzz replays; before the first build CTest knows no
    command for it), and paas (integration tests start it; PAAS_BIN)."""
    targets = {"paas"}
    build = os.path.realpath(build_dir)
    available = build_targets(build_dir)
    for n in names:
        cmd = known[n]["command"]
        if cmd and not os.path.realpath(cmd[0]).startswith(build + os.sep):
            continue  # a script or node test: nothing to build
        target = os.path.basename(cmd[0]) if cmd else n
        if available is None or target in available:
            targets.add(target)
    return sorted(targets)


def cmd_run_tests(data, args):
    known = ctest_tests(args.build_dir)
    names, missing = resolve_tests(get_task(data, args.task), known)
    if missing:
        print(f"taskmap: not CTest tests or labels: {', '.join(missing)}", file=sys.stderr)
        return 1
    if not names:
        print(f"taskmap: task {args.task} has no tests")
        return 0
    targets = test_targets(names, known, args.build_dir)
    print(f"taskmap: building {' '.join(targets)}", flush=True)
    subprocess.run(["cmake", "--build", args.build_dir, "--target", *targets], check=True)
    regex = "^(" + "|".join(re.escape(n) for n in names) + ")$"
    print(f"taskmap: running {len(names)} tests: {' '.join(names)}", flush=True)
    return subprocess.run(["ctest", "--test-dir", args.build_dir, "--output-on-failure",
                           "--timeout", "900", "-R", regex]).returncode


def count_lines(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return sum(1 for _ in f)


def function_sizes(files):
    """{"path:name": lines} for every function/method ctags finds (C++ and JS)."""
    ctags = shutil.which("ctags-universal") or shutil.which("ctags")
    if not ctags:
        raise SystemExit("taskmap: universal-ctags is missing; run installer/deps-debian.sh --test")
    if not files:
        return {}
    proc = subprocess.run([ctags, "--output-format=json", "--fields=+ne", "--kinds-C++=f",
                           "--kinds-C=f", "--kinds-JavaScript=fm",
                           "-L", "-", "-o", "-"], input="\n".join(files), cwd=ROOT,
                          capture_output=True, text=True, check=True)
    sizes = {}
    for line in proc.stdout.splitlines():
        tag = json.loads(line)
        if "end" in tag:
            key = f"{tag['path']}:{tag['name']}"
            sizes[key] = max(sizes.get(key, 0), tag["end"] - tag["line"] + 1)
    return sizes


def over_limit(sizes, limit, allowed, what):
    """Violations of one size rule, honouring the shrink-only allowlist."""
    found = []
    for key, size in sorted(sizes.items()):
        cap = allowed.get(key)
        if size > limit and cap is None:
            found.append(f"{what} over {limit} lines: {key} ({size})")
        elif cap is not None and size > cap:
            found.append(f"{what} grew past its allowlisted size: {key} ({size} > {cap})")
        elif cap is not None and size <= limit:
            found.append(f"allowlist entry no longer needed (now {size} lines): {key}; delete it from TASKMAP.yaml")
    return found


def layering_violations(files):
    script = os.path.join(ROOT, "tests", "unit", "layering", "check-layering.sh")
    out = subprocess.run(["bash", script, ROOT], capture_output=True, text=True).stdout
    wanted = set(files)
    return [f"layering: {line}" for line in out.splitlines() if line.split(":", 1)[0] in wanted]


def audit_task(data, name, known):
    task = get_task(data, name)
    limits = data.get("limits", {})
    allow = data.get("allowlist", {}) or {}
    files, empty = task_files(task)
    sources = [f for f in files if f.endswith(SOURCE_EXT)]
    found = [f"glob matches no file: {p}" for p in empty]
    file_sizes = {f: count_lines(f) for f in sources}
    found += over_limit(file_sizes, limits.get("file_lines", 500), allow.get("files") or {}, "file")
    found += over_limit(function_sizes(sources), limits.get("function_lines", 60),
                        allow.get("functions") or {}, "function")
    found += layering_violations(sources)
    found += [f"test does not exist: {t}" for t in resolve_tests(task, known)[1]]
    return files, found


def cmd_audit(data, args):
    known = ctest_tests(args.build_dir)
    names = list(data["tasks"]) if args.task == "all" else [args.task]
    total = 0
    for name in names:
        files, found = audit_task(data, name, known)
        print(f"{name}: {len(files)} files, {len(found)} violations")
        for v in found:
            print(f"  {v}")
        total += len(found)
    orphans = unowned(data)
    if orphans:
        print(f"files that no task owns ({len(orphans)}):")
        for f in orphans:
            print(f"  {f}")
    total += len(orphans)
    print(f"task-audit: {total} violations" if total else "task-audit: ok")
    return 1 if total else 0


def cmd_check(data, args):
    known = ctest_tests(args.build_dir)
    problems = []
    for name, task in data["tasks"].items():
        problems += [f"{name}: glob matches no file: {p}" for p in task_files(task)[1]]
        problems += [f"{name}: not a CTest test or label: {t}" for t in resolve_tests(task, known)[1]]
        problems += [f"{name}: doc does not exist: {d}" for d in task["docs"]
                     if not os.path.isfile(os.path.join(ROOT, d))]
    problems += [f"no task owns: {f}" for f in unowned(data)]
    allow = data.get("allowlist") or {}
    for key in list(allow.get("files") or {}) + list(allow.get("functions") or {}):
        if not os.path.isfile(os.path.join(ROOT, key.split(":", 1)[0])):
            problems.append(f"allowlist names a file that does not exist: {key}")
    for p in problems:
        print(f"taskmap: {p}")
    ntasks = len(data["tasks"])
    print(f"taskmap: {ntasks} tasks, {len(known)} CTest tests known, {len(problems)} problems")
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build"))
    parser.add_argument("--map", default=os.path.join(ROOT, "TASKMAP.yaml"), help="another TASKMAP (self-tests)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    sub.add_parser("check")
    for name in ("show", "files", "tests", "run-tests", "audit"):
        sub.add_parser(name).add_argument("task")
    args = parser.parse_args()
    data, problems = load_map(args.map)
    if problems:
        print("\n".join(f"taskmap: TASKMAP.yaml: {p}" for p in problems))
        return 1
    handlers = {"list": cmd_list, "show": cmd_show, "files": cmd_files, "tests": cmd_tests,
                "run-tests": cmd_run_tests, "audit": cmd_audit, "check": cmd_check}
    return handlers[args.cmd](data, args)


if __name__ == "__main__":
    sys.exit(main())
