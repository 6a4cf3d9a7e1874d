#!/usr/bin/env bash
# Prints the size of the core, tinygrad-style: for every package, its
# non-test Go lines (all, and code without blank or comment-only lines);
# the number of autodiff primitive ops; and the package-level vars outside
# main packages (compile-time assertions `var _ T = ...` and lazily computed,
# immutable sync.OnceValue values such as CPU features excepted).
#
# With --check it exits 1 if autodiff's non-test code lines exceed
# AUTODIFF_BUDGET (default below) or a non-main package declares a var.
set -euo pipefail
cd "$(dirname "$0")/.."
AUTODIFF_BUDGET=${AUTODIFF_BUDGET:-1200}

printf '%-40s %7s %7s %5s\n' package lines code vars
status=0
autodiff_code=0
for dir in $(git ls-files '*.go' | grep -v '_test\.go$' | xargs -n1 dirname | sort -u); do
  files=$(git ls-files "$dir/*.go" | grep -v '_test\.go$' | awk -v d="$dir" '{ f=$0; sub("/[^/]*$", "", f); if (f == d) print }')
  [ -n "$files" ] || continue
  lines=$(cat $files | wc -l)
  code=$(cat $files | awk '/^[[:space:]]*$/ {next} /^[[:space:]]*\/\// {next} {n++} END {print n+0}')
  # Package-level vars: `var x` at column 0, and the names inside `var ( … )`
  # blocks, skipping blank-identifier assertions. main packages may have vars.
  vars=0
  if ! grep -qx 'package main' $files; then
    vars=$(cat $files | awk '
      /^var \(/ {blk=1; next}
      blk && /^\)/ {blk=0; next}
      blk && /^\t[A-Za-z_]/ { if ($1 != "_") n++; next }
      /^var .*= sync\.OnceValue/ { next }
      /^var / { if ($2 != "_") n++ }
      END {print n+0}')
  fi
  printf '%-40s %7d %7d %5d\n' "$dir" "$lines" "$code" "$vars"
  if [ "$dir" = autodiff ]; then autodiff_code=$code; fi
  if [ "$vars" -ne 0 ]; then status=1; fi
done

# Primitive ops: the opcodes between opInvalid and numOps, minus opFused.
prims=$(awk '/opInvalid opcode = iota/ {on=1; next} on && /numOps/ {on=0} on && /^\top[A-Z]/ && $1 != "opFused" {n++} END {print n+0}' autodiff/ops.go)
echo "autodiff primitive ops: $prims"
echo "autodiff non-test code lines: $autodiff_code (budget $AUTODIFF_BUDGET)"

if [ "${1:-}" = --check ]; then
  if [ "$autodiff_code" -gt "$AUTODIFF_BUDGET" ]; then
    echo "autodiff exceeds its line budget"; exit 1
  fi
  if [ "$status" -ne 0 ]; then
    echo "package-level vars found (see the vars column)"; exit 1
  fi
fi
