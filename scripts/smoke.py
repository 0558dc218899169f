#!/usr/bin/env python3
"""Smoke checks against a running paas (make wait-api, smoke-registration, smoke-ci).

  smoke.py wait-api          wait until GET /healthz answers 200 (WAIT_SECONDS, default 60)
  smoke.py registration      create a project, follow its op to completed, check its artifacts
  smoke.py ci                commit in that project's source repo; the post-commit hook must
                             start a ci op at that commit, and it must complete

Environment: PAAS_API (default http://127.0.0.1:8080), PAAS_API_TOKEN (sent as
Bearer when set), SMOKE_PROJECT (project id; default smoke-<time> for
registration; ci uses the id the last registration saved in SMOKE_STATE, else
runs a registration first), SMOKE_STATE (default build/smoke-project),
SMOKE_RUNTIME (default static), SMOKE_TIMEOUT (seconds per op, default 180).
Every check prints one line; the first failed check exits 1.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

API = os.environ.get("PAAS_API", "http://127.0.0.1:8080").rstrip("/")
TIMEOUT = float(os.environ.get("SMOKE_TIMEOUT", "180"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.environ.get("SMOKE_STATE", os.path.join(ROOT, "build", "smoke-project"))
TERMINAL = ("completed", "failed", "cancelled")


class SmokeFailure(Exception):
    pass


def check(ok, what):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        raise SmokeFailure(what)


def request(method, path, body=None):
    """(status, parsed JSON or raw text)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if os.environ.get("PAAS_API_TOKEN"):
        headers["Authorization"] = "Bearer " + os.environ["PAAS_API_TOKEN"]
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def wait_api():
    bound = float(os.environ.get("WAIT_SECONDS", "60"))
    deadline = time.monotonic() + bound
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, body = request("GET", "/healthz")
            if status == 200:
                print(f"wait-api: {API}/healthz answered 200 {json.dumps(body)}")
                return 0
            last = f"{status} {body}"
        except OSError as e:
            last = str(e)
        time.sleep(0.5)
    print(f"wait-api: {API}/healthz did not answer 200 within {bound:.0f}s (last: {last})", file=sys.stderr)
    return 1


def follow_op(op_id):
    """Polls GET /api/ops/{id} until the op is terminal; prints each step once it ends."""
    deadline = time.monotonic() + TIMEOUT
    printed = set()
    while time.monotonic() < deadline:
        status, op = request("GET", f"/api/ops/{op_id}")
        if status != 200:
            check(False, f"GET /api/ops/{op_id} answers 200 (got {status})")
        for step in op.get("steps", []):
            if step.get("status") in TERMINAL + ("skipped",) and step["name"] not in printed:
                printed.add(step["name"])
                print(f"       step {step['name']}: {step['status']}", flush=True)
        if op.get("status") in TERMINAL:
            return op
        time.sleep(0.3)
    raise SmokeFailure(f"op {op_id} not terminal after {TIMEOUT:.0f}s")


def settled_project(project_id, op_id):
    """The project once its record has taken the op in (last_op.id == op_id)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, project = request("GET", f"/api/projects/{project_id}")
        if status == 200 and (project.get("last_op") or {}).get("id") == op_id:
            return project
        time.sleep(0.2)
    raise SmokeFailure(f"project {project_id} did not take op {op_id} in within 30s")


def smoke_spec(name):
    return {"apiVersion": "platform.example.com/v2", "kind": "App", "name": name,
            "runtime": os.environ.get("SMOKE_RUNTIME", "static"), "capabilities": ["http"],
            "environments": {"dev": {"vars": {"LOG_LEVEL": "info"}}},
            "networkPolicies": {"ingress": "internal", "egress": "internal"}}


def check_artifacts(project_id, project):
    status, listing = request("GET", f"/api/projects/{project_id}/artifacts")
    check(status == 200, f"GET /api/projects/{project_id}/artifacts answers 200")
    paths = {f["path"] for f in listing.get("files", [])}
    for want in ("registration/project.yaml", "repos/source", "repos/manifests/kustomization.yaml",
                 "repos/manifests/rendered.yaml", "build/image.txt"):
        check(want in paths, f"artifact {want} is listed")
    status, image_txt = request("GET", f"/api/projects/{project_id}/artifacts/build/image.txt")
    ref = (project.get("image") or {}).get("ref", "")
    check(status == 200 and ref and ref in str(image_txt), f"build/image.txt names the project's image {ref}")
    status, rendered = request("GET", f"/api/projects/{project_id}/artifacts/repos/manifests/rendered.yaml")
    check(status == 200 and "kind: Deployment" in str(rendered), "rendered.yaml holds a Deployment")


def registration():
    project_id = os.environ.get("SMOKE_PROJECT") or f"smoke-{int(time.time())}"
    print(f"smoke-registration: {API}, project {project_id}")
    status, body = request("POST", "/api/events/registration",
                           {"action": "create", "project_id": project_id, "spec": smoke_spec(project_id)})
    check(status == 202 and body.get("accepted") is True, f"POST /api/events/registration answers 202 (got {status})")
    op_id = body["op"]["id"]
    print(f"       op {op_id}")
    op = follow_op(op_id)
    check(op["status"] == "completed", f"op {op_id} completed (got {op['status']}: {op.get('error')})")
    project = settled_project(project_id, op_id)
    check(project.get("status") == "ready", f"project {project_id} is ready (got {project.get('status')})")
    image = project.get("image") or {}
    check(bool(image.get("commit")), f"the project records an image built at a commit (mode {image.get('mode')})")
    check_artifacts(project_id, project)
    os.makedirs(os.path.dirname(STATE), exist_ok=True)
    with open(STATE, "w", encoding="utf-8") as f:
        f.write(project_id + "\n")
    print(f"smoke-registration: ok ({project_id}, saved in {STATE})")
    return project_id


def commit_in(repo):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    with open(os.path.join(repo, "smoke.txt"), "a", encoding="utf-8") as f:
        f.write(f"smoke-ci {stamp}\n")
    git = ["git", "-C", repo, "-c", "user.name=paas smoke", "-c", "user.email=smoke@paas.local"]
    subprocess.run(git + ["add", "smoke.txt"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", f"smoke: ci {stamp}"], check=True)
    return subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def find_ci_op(project_id, sha):
    """The ci op the hook started for this commit (the newest ops first)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body = request("GET", f"/api/projects/{project_id}/ops?limit=20")
        for op in (body.get("ops", []) if status == 200 else []):
            if op.get("kind") == "ci" and sha in json.dumps(op.get("trigger", {})):
                return op
        time.sleep(0.3)
    raise SmokeFailure(f"no ci op for commit {sha[:12]} within 30s (is the post-commit hook installed?)")


def ci():
    project_id = os.environ.get("SMOKE_PROJECT")
    if not project_id and os.path.isfile(STATE):
        project_id = open(STATE, encoding="utf-8").read().strip()
    if not project_id:
        project_id = registration()
    print(f"smoke-ci: {API}, project {project_id}")
    status, system = request("GET", "/api/system")
    check(status == 200 and "artifacts_root" in system, "GET /api/system names the artifacts root")
    repo = os.path.join(system["artifacts_root"], project_id, "repos", "source")
    check(os.path.isdir(os.path.join(repo, ".git")), f"source repo {repo} is on this machine")
    sha = commit_in(repo)
    print(f"       committed {sha[:12]} on main")
    op = find_ci_op(project_id, sha)
    source = (op.get("trigger") or {}).get("source")
    print(f"  ok   ci op {op['id']} started for {sha[:12]} (trigger source: {source})", flush=True)
    op = follow_op(op["id"])
    check(op["status"] == "completed", f"ci op {op['id']} completed (got {op['status']}: {op.get('error')})")
    project = settled_project(project_id, op["id"])
    commit = (project.get("image") or {}).get("commit", "")
    check(commit == sha, f"the project's image is built at {sha[:12]} (got {commit[:12]})")
    print(f"smoke-ci: ok ({project_id} @ {sha[:12]})")
    return 0


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("wait-api", "registration", "ci"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if sys.argv[1] == "wait-api":
            return wait_api()
        if sys.argv[1] == "registration":
            registration()
            return 0
        return ci()
    except SmokeFailure as e:
        print(f"smoke: failed: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"smoke: cannot reach {API}: {e} (is paas running? make wait-api)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
