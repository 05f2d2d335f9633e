#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: the install itself (install scripts reviewed,
# no npm warning), contracts (Foundry), gas targets, lint and types, the production build, unit +
# integration tests (vitest, real anvil + SQLite, real `next start` for the clients), the
# integration tests again on PostgreSQL (Debian's package, installed here when missing), browser
# tests (Playwright on Debian's Chromium, installed here when missing). Exits non-zero when anything
# fails and ends with one summary line of all test counts.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1

log_dir=$(mktemp -d)
failed_steps=()
passed=0
failed=0

step() {
  local name=$1
  shift
  echo
  echo "=== $name: $*"
  local started=$SECONDS
  "$@" 2>&1 | tee "$log_dir/$name.raw"
  local code=${PIPESTATUS[0]}
  sed 's/\x1b\[[0-9;]*m//g' "$log_dir/$name.raw" > "$log_dir/$name.log"
  echo "=== $name: exit $code ($((SECONDS - started)) s)"
  if [ "$code" -ne 0 ]; then failed_steps+=("$name"); fi
  return 0
}

# Counts from each runner's own summary line.
count() {
  local file=$log_dir/$1.log pattern=$2
  grep -aoE "$pattern" "$file" 2>/dev/null | tail -1 | grep -oE '[0-9]+' | head -1
}

# The install first: every dependency's install script allowed or denied in package.json, and an
# install that prints no npm warning (scripts/check-install.mjs).
step install-check node scripts/check-install.mjs

if ! command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null 2>&1; then
  echo "=== installing Debian's chromium for the browser tests"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null || failed_steps+=("chromium-install")
fi

# PostgreSQL (the integration suite's second pass, the cluster tests) and nginx (in front of
# several instances in the cluster tests).
missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "=== installing Debian's ${missing[*]} for the PostgreSQL and cluster tests"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if ! { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null; }; then
    echo "=== could not install ${missing[*]} with apt (needs root or sudo): their tests will fail"
    failed_steps+=("postgresql-nginx-install")
  fi
fi

step forge-build node scripts/forge.mjs build
step forge-test node scripts/forge.mjs test
step forge-snapshot node scripts/forge.mjs snapshot --check
step gas-targets node_modules/.bin/tsx scripts/gas-report.ts
step abi-check node_modules/.bin/tsx scripts/gen-abi.ts --check
step typecheck node_modules/.bin/tsc --noEmit -p .
step lint node_modules/.bin/eslint .
step format node_modules/.bin/prettier --check .
# The production build comes first: integration tests of the paying clients run against it.
step next-build node_modules/.bin/next build
step vitest node_modules/.bin/vitest run
# The integration tests again, each fixture on a fresh PostgreSQL database of one server.
step vitest-postgres node_modules/.bin/vitest run -c vitest.postgres.config.ts
step playwright node_modules/.bin/playwright test

install_passed=$(count install-check '[0-9]+ passed')
install_failed=$(count install-check '[0-9]+ failed')
forge_passed=$(count forge-test '[0-9]+ tests passed')
forge_failed=$(count forge-test '[0-9]+ failed')
# vitest's own summary line: "Tests  3 failed | 120 passed (123)".
vitest_count() {
  grep -aE '^ *Tests ' "$log_dir/$1.log" 2>/dev/null | tail -1 | grep -oE "[0-9]+ $2" | grep -oE '[0-9]+'
}
vitest_passed=$(vitest_count vitest passed)
vitest_failed=$(vitest_count vitest failed)
vitest_pg_passed=$(vitest_count vitest-postgres passed)
vitest_pg_failed=$(vitest_count vitest-postgres failed)
pw_passed=$(count playwright '[0-9]+ passed')
pw_failed=$(count playwright '[0-9]+ failed')
passed=$(( ${install_passed:-0} + ${forge_passed:-0} + ${vitest_passed:-0} + ${vitest_pg_passed:-0} + ${pw_passed:-0} ))
failed=$(( ${install_failed:-0} + ${forge_failed:-0} + ${vitest_failed:-0} + ${vitest_pg_failed:-0} + ${pw_failed:-0} ))

echo
echo "install: ${install_passed:-0} passed, forge: ${forge_passed:-0} passed," \
  "vitest: ${vitest_passed:-0} passed," \
  "vitest (postgres): ${vitest_pg_passed:-0} passed, playwright: ${pw_passed:-0} passed"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  [ "$failed" -eq 0 ] && failed=${#failed_steps[@]}
fi
echo "test:all: $passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ]
