#!/usr/bin/env bash
# flake8 end to end, counted in instructions (valgrind's callgrind), not seconds: a
# figure that a loaded or noisy machine does not move.  Three runs of the real flake8
# CLI on the same packages, one process each (--jobs=1): flake8's own checkers only,
# with this plugin, and with it in one-file mode.  Bytecode is compiled first (into a
# private prefix) so that no run pays for compiling.
#
#   bash benchmarks/instructions.sh [PACKAGE ...]      (default: httpx httpcore)
#
# Needs valgrind and the corpus (python benchmarks/corpus.py).  Takes ~100x the normal
# run time (about 5 minutes per run for httpx + httpcore).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python}"
corpus="${FLAKE8_ASYNCIO_TASKS_CORPUS:-$HOME/.cache/flake8-asyncio-tasks/corpus}"
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(httpx httpcore)
targets=()
for p in "${packages[@]}"; do targets+=("$corpus/$p"); done
unset PYTHONDONTWRITEBYTECODE
PYTHONPYCACHEPREFIX="$(mktemp -d)"
export PYTHONPYCACHEPREFIX
run() {  # label, plugins to keep, extra flake8 arguments...
  local label=$1 keep=$2
  shift 2
  "$python" "$here/run_flake8.py" "$keep" -- --isolated --jobs=1 --exit-zero \
    --select=E,F,W,C90,AIO "$@" "${targets[@]}" > /dev/null  # compiles the bytecode
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$python" "$here/run_flake8.py" \
    "$keep" -- --isolated --jobs=1 --exit-zero --select=E,F,W,C90,AIO "$@" "${targets[@]}" \
    2>&1 >/dev/null | sed -n "s/.*Collected : \([0-9]*\).*/$label \1/p"
}
{
  run builtin ""
  run plugin flake8-asyncio-tasks
  run one-file flake8-asyncio-tasks --asyncio-project-analysis=no
} | awk '{ n[$1] = $2; print } END {
  printf "plugin: %+.1f %%, one-file: %+.1f %% instructions over flake8 alone\n",
         100 * (n["plugin"] - n["builtin"]) / n["builtin"],
         100 * (n["one-file"] - n["builtin"]) / n["builtin"] }'
rm -rf "$PYTHONPYCACHEPREFIX"
