# sea-chaos recipes. `just --list` shows them. The README's two commands (scripts/run-chaos.sh,
# scripts/run-tests.sh) do all set-up on a fresh machine; these recipes assume a prepared one.
set shell := ["bash", "-euo", "pipefail", "-c"]

preset := env_var_or_default("SEA_PRESET", "ci")
build_dir := justfile_directory() / "build" / preset

# List the recipes
default:
    @just --list

# Configure and build everything (preset: SEA_PRESET, default ci)
build:
    cmake --preset {{preset}}
    cmake --build --preset {{preset}}

# Unit and integration tests (no docker needed)
test: build
    ctest --test-dir {{build_dir}} -L '^(unit|integration)$' --output-on-failure

# The platform's fast gate: build + unit + integration. Never runs chaos.
ci: test

# Chaos scenarios (manual; not in `ci`). One: just chaos opa_restart | scenario=opa_restart (scripts/chaos.sh parses)
[positional-arguments]
chaos *args:
    scripts/chaos.sh "$@"

# Stack tests: each profile and the mesh up, a real request through each, torn down clean
stack: build
    ctest --test-dir {{build_dir}} -L '^stack$' --output-on-failure

# Build every hermetic image (no registry; cached, a second run takes seconds)
images: build
    scripts/build-images.sh

# Remove the build tree (not the images: `just heal` removes leftover stacks)
clean:
    rm -rf {{build_dir}}

# Heal what dead runs left (ledger faults, stacks, work dirs), never a live run's; waits for the machine lock (--now: no wait)
heal *args:
    [ -x {{build_dir}}/tools/sea-chaos-heal ] || cmake --build --preset {{preset}} --target sea-chaos-heal
    {{build_dir}}/tools/sea-chaos-heal {{args}}

# Detection power: each scenario against broken variants of the platform, then the README table
mutants: build
    scripts/build-images.sh $(source scripts/lib.sh && sea_app_variant_args | tr '\n' ' ')
    ctest --test-dir {{build_dir}} -L '^mutants$' --output-on-failure || true
    tests/mutants/table.sh {{build_dir}}/mutant-results

# Flakiness: the chaos suite N times (just soak runs=5 | just soak 5); pass counts, durations, time-to-recover
[positional-arguments]
soak *args:
    scripts/soak.sh "$@"

# The HTML chaos report from the last chaos run (build/<preset>/chaos-report/index.html)
report:
    [ -d tools/report/node_modules/uplot ] || npm ci --prefix tools/report
    source scripts/lib.sh && sea_report

# Benchmarks: probe latency (library vs CLI), time-to-detect recovery, scenario wall-time split (table + JSON)
bench: build
    {{build_dir}}/bench/sea-chaos-bench
