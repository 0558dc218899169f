# paas — the two commands a new user needs:
#   make run    install dependencies, build, start the app
#   make test   install test dependencies, build, run every test through CTest
BUILD_DIR   ?= build
BUILD_TYPE  ?= Release
CMAKE_FLAGS ?=
ARGS        ?=
CTEST_ARGS  ?=
UNAME       := $(shell uname -s)
# ccache hits across clones in different folders (CI clones afresh).
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= true

ifeq ($(UNAME),Darwin)
DEPS_CMD      = installer/deps-macos.sh
DEPS_TEST_CMD = installer/deps-macos.sh --test
else
DEPS_CMD      = installer/deps-debian.sh
DEPS_TEST_CMD = installer/deps-debian.sh --test
endif

.PHONY: all deps deps-test configure build build-all run run-headless test test-unit test-sanitize test-tsan fuzz bench soak clean

all: build

deps:
	@$(DEPS_CMD)

deps-test:
	@$(DEPS_TEST_CMD)

configure:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: deps configure
	@cmake --build $(BUILD_DIR)
	@echo "built $(BUILD_DIR)/bin/paas"

# Everything `make test` runs, built without running it (CI times the two apart).
build-all: deps-test configure
	@cmake --build $(BUILD_DIR)

run: build
	$(BUILD_DIR)/bin/paas $(ARGS)

run-headless: build
	$(BUILD_DIR)/bin/paas --headless $(ARGS)

test: deps-test configure
	@cmake --build $(BUILD_DIR)
	@ctest --test-dir $(BUILD_DIR) --output-on-failure --timeout 900 $(CTEST_ARGS)

# AddressSanitizer + UndefinedBehaviorSanitizer over the unit and integration
# tests (server-only build: no Widgets/WebEngine). Any report fails the run.
SAN_DIR     ?= build-sanitize
SANITIZE    ?= address,undefined
SAN_ENV      = ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0 \
               UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# -O1 -g1: line tables for the reports' stacks without full debug info,
# which took most of the sanitizer build's time; paas_bench is left out.
SAN_FLAGS   ?= -O1 -g1 -DNDEBUG
test-sanitize: deps-test
	@cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAAS_WITH_UI=OFF \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(SAN_FLAGS)" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$(SAN_FLAGS)" \
	  -DPAAS_BUILD_BENCH=OFF -DPAAS_SANITIZE=$(SANITIZE) >/dev/null
	@cmake --build $(SAN_DIR)
	@$(SAN_ENV) ctest --test-dir $(SAN_DIR) --output-on-failure --timeout 900 -L 'unit|integration' $(CTEST_ARGS)

# libFuzzer targets (tests/fuzz): clang-16 build with ASan+UBSan in
# $(FUZZ_DIR), only the fuzz targets and the engine libraries they link; each
# runs FUZZ_SECONDS on a scratch copy of its seed corpus. A crash fails.
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz: deps-test
	@CC=clang-16 CXX=clang++-16 cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPAAS_FUZZ=ON -DPAAS_WITH_UI=OFF -DPAAS_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_DIR) --target paas_fuzz_targets
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run-fuzz.sh $(FUZZ_DIR)

# ThreadSanitizer over the store, pipeline and SSE tests (server-only build).
# Builds only the paas binary (integration tests start it) and those tests.
# Qt and nats.c are not instrumented: tests/tsan.supp lists the false
# positives they cause, each with its reason. Any other report fails the run.
# Not part of CI (.ci/run): see docs/RELIABILITY.md, "ThreadSanitizer".
TSAN_DIR    ?= build-tsan
TSAN_TESTS  ?= tst_store tst_childguard tst_eventlog tst_ssehub tst_sseapp tst_regpipeline tst_regdurability \
               tst_backendfaults tst_ciwebhook tst_cihooks tst_deliverypath tst_deliveryguards
empty       :=
space       := $(empty) $(empty)
# ignore_noninstrumented_modules: accesses made inside Qt/glib/libstdc++/
# nats.c themselves are not checked (their locks are invisible to TSan);
# every access of our code, and all pthread synchronisation, still is.
TSAN_ENV     = TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$(CURDIR)/tests/tsan.supp
test-tsan: deps-test
	@cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAAS_WITH_UI=OFF \
	  -DPAAS_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN_DIR) --target paas $(TSAN_TESTS)
	@$(TSAN_ENV) ctest --test-dir $(TSAN_DIR) --output-on-failure --timeout 900 \
	  -R '^($(subst $(space),|,$(strip $(TSAN_TESTS))))$$' $(CTEST_ARGS)

test-unit: configure
	@cmake --build $(BUILD_DIR)
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -L unit $(CTEST_ARGS)

# Issue 11's performance table and issue 12's BuildKit rows
# (docs/PERFORMANCE.md): one table on stdout (figure, floor, ratio, goal,
# meets/misses per row), progress on stderr, the same rows in
# $(BENCH_RESULTS). ~15 minutes on 2 cores by default.
# Knobs (environment): BENCH_QUICK=1 (smoke run, small sizes),
# BENCH_PROJECTS=N (default 5000), BENCH_OPS=N (default 10000),
# BENCH_CONTEXT_MB / BENCH_CONTEXT_FILES / BENCH_IGNORED_MB /
# BENCH_BUILD_SAMPLES (the buildkit phase; it starts a private dockerd as
# root, or uses PAAS_TEST_DOCKER_SOCK); BENCH_ARGS names phases to run
# (paas_bench --list).
BENCH_RESULTS ?= $(abspath $(BUILD_DIR))/bench/results.json
BENCH_ARGS    ?=
bench: deps configure
	@cmake --build $(BUILD_DIR) --target paas paas_bench
	@BENCH_RESULTS=$(BENCH_RESULTS) BENCH_GIT_REV=$$(git rev-parse --short HEAD 2>/dev/null) \
	  $(BUILD_DIR)/bin/paas_bench $(BENCH_ARGS)

# Soak: API, real hook-commit and SSE load on a real paas for SOAK_MINUTES;
# fails on growth (RSS/fds/threads slopes), lost ops or missed SSE events.
SOAK_MINUTES ?= 10
soak: deps configure
	@cmake --build $(BUILD_DIR) --target paas paas_soak
	@SOAK_MINUTES=$(SOAK_MINUTES) $(BUILD_DIR)/bin/paas_soak

# A local cluster (docs/SCALING.md): 3 nats-server nodes (JetStream R3), one
# api instance on 127.0.0.1:8080 and two workers, on one shared artifacts
# root under $(BUILD_DIR)/cluster.
.PHONY: cluster-up cluster-down
cluster-up: build
	@scripts/cluster.sh up $(abspath $(BUILD_DIR))/cluster
cluster-down:
	@scripts/cluster.sh down $(abspath $(BUILD_DIR))/cluster

# Packaging (issue 13; installer/README.md). `make package` builds
# $(BUILD_DIR)/paas_<version>_<arch>.deb with CPack (configured for /usr; only
# what the package installs is built); `make package-check` runs lintian,
# desktop-file-validate and appstreamcli on it; `make test-install` installs
# it into a clean debootstrap'ed Debian 12 root (cached in
# $(BUILD_DIR)/install-test) and runs paas there (as root).
.PHONY: package package-check test-install
package: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=/usr $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) --target paas paas_desktop paas_package_data
	@rm -f $(BUILD_DIR)/paas_*.deb
	@cd $(BUILD_DIR) && cpack -G DEB >cpack.log || { cat cpack.log; exit 1; }
	@ls -l $(BUILD_DIR)/paas_*.deb

package-check: deps-test
	@installer/linux/check-package.sh $(BUILD_DIR)

test-install: deps-test
	@installer/linux/test-install.sh $(BUILD_DIR)

# ---- Working on paas (issue 14; AGENTS.md): the fast preflight, formatting,
# task scoping from TASKMAP.yaml, and the reference's BuildKit/run/smoke
# shortcuts. TASK names come from `make task-list`.
.PHONY: check format format-check tidy task-list task-show task-files task-tests task-audit
.PHONY: setup-local setup-buildkit buildkit-start buildkit-stop buildkit-check run-buildkit run-artifact
.PHONY: wait-api smoke-registration smoke-ci
CLANG_FORMAT ?= clang-format-14
CLANG_TIDY   ?= clang-tidy-14
TASK         ?=
PAAS_API     ?= http://127.0.0.1:8080
export PAAS_API
# Tracked files and new ones not yet added (not the ignored): a new file is
# formatted before its first commit, not caught later by format-check.
FORMAT_FILES  = $(shell git ls-files --cached --others --exclude-standard -- 'app/*.cpp' 'app/*.h' 'engine/*.cpp' 'engine/*.h' 'ui/*.cpp' 'ui/*.h' \
                  'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' 'bench/*.h' 'tools/*.cpp' 'tools/*.h')
TASKMAP       = python3 scripts/taskmap.py --build-dir $(BUILD_DIR)
NEED_TASK     = @test -n "$(TASK)" || { echo "usage: make $@ TASK=<task> (make task-list names them)" >&2; exit 2; }
BUILDKIT_DIR ?= $(abspath $(BUILD_DIR))/dockerd

# The preflight: format, build, clang-tidy on changed files, task audit,
# unit tests (layering, taskmap, api_contracts among them). Runs every step,
# prints each one's wall time, fails if any failed.
check: deps-test configure
	@BUILD_DIR=$(BUILD_DIR) CLANG_TIDY=$(CLANG_TIDY) scripts/check.sh

format:
	@$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	@$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_FILES) && echo "format: ok ($(words $(FORMAT_FILES)) files)"

# clang-tidy on the TUs changed since the merge-base with origin/main
# (FILES="a.cpp b.cpp" checks exactly those).
tidy: configure
	@CLANG_TIDY=$(CLANG_TIDY) scripts/tidy-changed.sh $(BUILD_DIR) $(FILES)

task-list:
	@$(TASKMAP) list

task-show:
	$(NEED_TASK)
	@$(TASKMAP) show $(TASK)

task-files:
	$(NEED_TASK)
	@$(TASKMAP) files $(TASK)

task-tests: configure
	$(NEED_TASK)
	@$(TASKMAP) run-tests $(TASK)

task-audit: configure
	$(NEED_TASK)
	@$(TASKMAP) audit $(TASK)

setup-local: deps

# What a local BuildKit needs. Linux: the Docker engine (its built-in
# BuildKit); buildkitd itself runs only on Linux. macOS: colima (a Linux VM)
# and the docker CLI; Docker Desktop works as well.
setup-buildkit:
ifeq ($(UNAME),Darwin)
	brew install colima docker
	@echo "setup-buildkit: now run 'colima start'; paas then finds docker:///var/run/docker.sock or set PAAS_BUILDKIT_ADDR"
else
	@installer/deps-debian.sh --buildkit
endif

# A private Docker engine (with BuildKit) under the build dir, as the tests use.
buildkit-start:
	@bash tests/support/dockerd.sh start $(BUILDKIT_DIR)
	@echo "buildkit-start: export PAAS_BUILDKIT_ADDR=docker://$(BUILDKIT_DIR)/docker.sock"

buildkit-stop:
	@bash tests/support/dockerd.sh stop $(BUILDKIT_DIR)

# ListWorkers against PAAS_BUILDKIT_ADDR, else paas's default probe order.
buildkit-check: configure
	@cmake --build $(BUILD_DIR) --target paas_buildkit_check >/dev/null
	@$(BUILD_DIR)/bin/paas_buildkit_check

run-buildkit: build
	PAAS_IMAGE_BUILDER_MODE=buildkit $(BUILD_DIR)/bin/paas $(ARGS)

run-artifact: build
	PAAS_IMAGE_BUILDER_MODE=artifact $(BUILD_DIR)/bin/paas $(ARGS)

# Against a running paas at PAAS_API (default http://127.0.0.1:8080).
wait-api:
	@python3 scripts/smoke.py wait-api

smoke-registration:
	@SMOKE_STATE=$(abspath $(BUILD_DIR))/smoke-project python3 scripts/smoke.py registration

smoke-ci:
	@SMOKE_STATE=$(abspath $(BUILD_DIR))/smoke-project python3 scripts/smoke.py ci

clean:
	rm -rf $(BUILD_DIR)
