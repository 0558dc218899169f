#!/usr/bin/env bash
# The `taskmap` test: TASKMAP.yaml names only files, tests and docs that exist,
# and every tracked file under app/ engine/ ui/ web/js/ belongs to a task.
# First a self-test: a map with a missing file, a missing test and a task
# removed must fail and name all three, so this test can fail.
# Usage: check-taskmap.sh REPO_ROOT BUILD_DIR
set -u
root=$1 build=$2
tool=(python3 "$root/scripts/taskmap.py" --build-dir "$build")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$root/TASKMAP.yaml" "$tmp/broken.yaml" <<'PY' || exit 1
import sys, yaml
data = yaml.safe_load(open(sys.argv[1]))
data["tasks"]["app.config"]["files"].append("app/no-such-file.cpp")
data["tasks"]["app.config"]["tests"].append("no_such_test")
del data["tasks"]["ui.desktop"]
yaml.safe_dump(data, open(sys.argv[2], "w"))
PY
out=$("${tool[@]}" --map "$tmp/broken.yaml" check); rc=$?
for want in "glob matches no file: app/no-such-file.cpp" "not a CTest test or label: no_such_test" \
            "no task owns: ui/mainwindow.cpp"; do
  if ! grep -qF "$want" <<<"$out"; then
    echo "self-test: a broken map did not report '$want':"; echo "$out"; exit 1
  fi
done
if [ $rc -eq 0 ]; then echo "self-test: a broken map passed the check"; exit 1; fi
echo "self-test: ok (a broken map fails with rc $rc)"
"${tool[@]}" check
