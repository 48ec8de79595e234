#!/usr/bin/env bash
# Run a subset of the tests on the other Python versions the project supports.
#
#   3.13       Debian trixie, in a debootstrap chroot
#   3.14 3.15  Debian sid, in one debootstrap chroot (python3.14 and python3.15)
#   3.12       a real CPython 3.12 if one is found on this machine, otherwise
#              Pyodide (CPython 3.12 compiled to WebAssembly, run by node)
#
# usage: scripts/python-tiers.sh [--pyodide] [--fresh] [--cache-dir DIR] [--jobs N] [TIER...]
#
#   TIER...          only these tiers (default: all of 3.12 3.13 3.14 3.15)
#   --pyodide        3.12 through Pyodide even when a real CPython 3.12 exists (TIERS_PYODIDE=1)
#   --fresh          rebuild the interpreters of the selected tiers (TIERS_FRESH=1)
#   --cache-dir DIR  chroots, Pyodide, logs (TIERS_DIR; default: .tiers/ in the clone)
#   --jobs N         test runs at the same time (TIERS_JOBS; default: number of cores)
#
# Other environment: TIERS_PY312=/path/to/python3.12 (the real 3.12 to use),
# TIERS_MIRROR (Debian mirror; default: the one in this machine's apt sources).
#
# Each tier: interpreter (built once, reused while complete), a fresh venv with
# `pip install . pytest` from a copy of the working tree, then
# `python -m pytest -q -p no:cacheprovider <TIER_TESTS that exist>`.
# An interpreter that cannot be set up (archive or registry unreachable, no root...)
# skips its tier loudly; a test failure on an interpreter that was set up fails the run.

# The tests every tier runs (those that exist).  Defined here, once.
TIER_TESTS=(
    tests/test_fixtures.py
    tests/test_spelling_matrix.py
    tests/test_stdlib_sweep.py
    tests/test_fault_isolation.py
    tests/test_syntax_versions.py
)
# The part of TIER_TESTS that runs under Pyodide: no subprocesses there (the flake8 CLI
# tests skip), and the standard-library sweep is left out (see CONTRIBUTING.md).
PYODIDE_TESTS=(
    tests/test_fixtures.py
    tests/test_spelling_matrix.py
)
ALL_TIERS=(3.12 3.13 3.14 3.15)
PYODIDE_VERSION=0.27.8
# the micropip and packaging versions pyodide-lock.json of that release names
MICROPIP_VERSION=0.9.0
PACKAGING_VERSION=24.2

set -uo pipefail
shopt -s nullglob

# exit codes of the inner steps (pytest itself uses 0-5)
SETUP_FAILED=100    # interpreter or test dependencies unavailable: tier skipped
PROJECT_FAILED=101  # the project itself would not install: tier failed

DEBOOTSTRAP_TIMEOUT=${TIERS_DEBOOTSTRAP_TIMEOUT:-900}
INSTALL_TIMEOUT=${TIERS_INSTALL_TIMEOUT:-900}
TEST_TIMEOUT=${TIERS_TEST_TIMEOUT:-1800}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${TIERS_DIR:-$repo/.tiers}
force_pyodide=${TIERS_PYODIDE:-0}
fresh=${TIERS_FRESH:-0}
jobs=${TIERS_JOBS:-$(nproc 2>/dev/null || echo 2)}
tiers=()

usage() { sed -n '9,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
    case $1 in
        --pyodide) force_pyodide=1 ;;
        --fresh) fresh=1 ;;
        --cache-dir) cache=${2:?--cache-dir needs a directory}; shift ;;
        --cache-dir=*) cache=${1#*=} ;;
        --jobs) jobs=${2:?--jobs needs a number}; shift ;;
        --jobs=*) jobs=${1#*=} ;;
        -h|--help) usage; exit 0 ;;
        3.12|3.13|3.14|3.15) tiers+=("$1") ;;
        *) echo "python-tiers: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
((${#tiers[@]})) || tiers=("${ALL_TIERS[@]}")
[[ $force_pyodide == 0 || $force_pyodide == "" ]] && force_pyodide=0 || force_pyodide=1
[[ $fresh == 0 || $fresh == "" ]] && fresh=0 || fresh=1
if ! mkdir -p "$cache" || ! cache=$(cd "$cache" && pwd); then
    echo "python-tiers: cannot create $cache" >&2
    exit 2
fi

# one run at a time per cache directory (the lock goes when this shell exits)
exec {lock_fd}> "$cache/.lock"
if ! flock -n "$lock_fd"; then
    echo "python-tiers: another run is using $cache" >&2
    exit 2
fi

logs=$cache/logs
results=$cache/results
slots=$cache/slots
mkdir -p "$logs" "$slots" && rm -rf "$results" && mkdir -p "$results"
start_epoch=$(date +%s)

say() { printf '[%4ss] %s\n' "$(($(date +%s) - start_epoch))" "$*"; }

existing() {  # the arguments that exist in the repository
    local test
    for test; do [[ -e $repo/$test ]] && printf '%s\n' "$test"; done
}
mapfile -t run_tests < <(existing "${TIER_TESTS[@]}")
mapfile -t pyodide_tests < <(existing "${PYODIDE_TESTS[@]}")
if ((${#run_tests[@]} == 0)); then
    echo "python-tiers: none of TIER_TESTS exists under $repo" >&2
    exit 1
fi

# --- results --------------------------------------------------------------------------
# results/TIER.<field> files, read by the summary
put() { printf '%s\n' "$3" > "$results/$1.$2"; }
get() { cat "$results/$1.$2" 2>/dev/null; }

skip_tier() {  # TIER REASON
    put "$1" status SKIPPED
    put "$1" reason "$2"
    printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
    printf '!!! TIER %s SKIPPED: %s\n' "$1" "$2"
    printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n'
}

# --- test slots: at most $jobs pytest runs at once --------------------------------------
slot_fd=
take_slot() {
    local i
    while :; do
        for ((i = 0; i < jobs; i++)); do
            exec {slot_fd}> "$slots/$i"
            if flock -n "$slot_fd"; then return 0; fi
            exec {slot_fd}>&-
        done
        sleep 1
    done
}
give_slot() { [[ -n $slot_fd ]] && exec {slot_fd}>&-; slot_fd=; }

# --- the source tree, copied for each tier -----------------------------------------------
stage_source() {  # DEST: the working tree (tracked and untracked, minus ignored files)
    local dest=$1
    rm -rf "$dest" && mkdir -p "$dest" || return 1
    if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$repo" && git ls-files -z --cached --others --exclude-standard \
            | while IFS= read -r -d '' file; do [[ -f $file ]] && printf '%s\0' "$file"; done \
            | tar --null -T - -cf -) | tar -C "$dest" -xf -
    else
        tar -C "$repo" --exclude=./.git --exclude="./${cache#"$repo"/}" --exclude=.venv \
            --exclude=venv --exclude=build --exclude=dist --exclude='*.egg-info' \
            --exclude=__pycache__ --exclude=.mypy_cache --exclude=.pytest_cache \
            --exclude=.hypothesis -cf - . | tar -C "$dest" -xf -
    fi
}

# the last pytest summary line of a log ("12 passed, 1 skipped in 3.45s")
result_line() {
    grep -E ' in [0-9]+(\.[0-9]+)?s( \([0-9:]+\))?$' "$1" 2>/dev/null \
        | grep -E 'passed|failed|error|skipped|deselected|no tests ran|xfail|xpass' \
        | tail -n 1 | sed -E 's/^=+ //; s/ =+$//'
}

# record the outcome of a finished test step: CODE TIER LOG
record_tests() {
    local code=$1 tier=$2 log=$3 line
    line=$(result_line "$log")
    put "$tier" pytest "${line:-(no pytest summary line; see $log)}"
    if ((code == 0)); then
        put "$tier" status PASS
    elif ((code == SETUP_FAILED)); then
        skip_tier "$tier" "the interpreter or the test dependencies (flake8, pytest from PyPI) could not be set up; see $log"
    elif ((code == PROJECT_FAILED)); then
        put "$tier" status FAIL
        put "$tier" reason "the project did not install on this interpreter; see $log"
    elif ((code == 124 || code == 137)); then
        put "$tier" status FAIL
        put "$tier" reason "timed out after ${TEST_TIMEOUT}s, or killed (exit $code); see $log"
    else
        put "$tier" status FAIL
        put "$tier" reason "pytest exit code $code$( ((code == 5)) && echo ' (no tests collected)'); see $log"
    fi
}

# --- Debian chroots ------------------------------------------------------------------------
suite_of() { case $1 in 3.13) echo trixie ;; *) echo sid ;; esac; }
packages_of() {  # the Debian packages of a tier: the interpreter, venv, and the standard
    # library's own tests (Debian ships Lib/test separately), so that the stdlib sweep
    # reads every new syntax the release's test suite uses; a tier runs without them
    echo "python$1 python$1-venv libpython$1-testsuite"
}

debian_mirror() {
    if [[ -n ${TIERS_MIRROR:-} ]]; then echo "$TIERS_MIRROR"; return; fi
    local uri
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
              /etc/apt/sources.list.d/*.list 2>/dev/null \
          | grep -v '^[[:space:]]*#' | grep -oE 'https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
          | head -n 1 | tr -d '[:space:]')
    echo "${uri:-http://deb.debian.org/debian}"
}

# The only mounts are made inside a private mount namespace (and a PID namespace whose
# processes die with it), so nothing stays mounted when the command ends, fails or is
# interrupted.
in_namespace() { unshare --mount --propagation private --pid --fork --kill-child --mount-proc "$@"; }

mounts_under() {  # does anything stay mounted below DIR? (then never delete it)
    awk -v dir="$1/" '{ gsub(/\\040/, " ", $5); if (index($5 "/", dir) == 1) found = 1 }
                      END { exit !found }' /proc/self/mountinfo
}

remove_tree() {
    local dir=$1
    [[ -e $dir ]] || return 0
    if mounts_under "$dir"; then
        echo "python-tiers: something is mounted under $dir; not deleting it" >&2
        return 1
    fi
    rm -rf --one-file-system "$dir"
}

chroot_run() {  # ROOT COMMAND...: COMMAND inside ROOT, with /proc and /dev, clean env
    local root=$1; shift
    local -a env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                  HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb
                  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
                  "PIP_DEFAULT_TIMEOUT=${PIP_DEFAULT_TIMEOUT:-60}")
    local var
    for var in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY \
               PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST; do
        [[ -n ${!var:-} ]] && env+=("$var=${!var}")
    done
    # never through a symlink of the chroot: an absolute one would point at this host's file
    [[ -L $root/etc/resolv.conf ]] && rm -f "$root/etc/resolv.conf"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
    # sh stays PID 1 of the namespace (no exec): GNU timeout 9.10 fails (125) as PID 1
    in_namespace sh -c '
        root=$1; shift
        mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" || exit 100
        chroot "$root" /usr/bin/env -i "$@"' sh "$root" "${env[@]}" "$@"
}

# Build (or reuse) the chroot of a Debian suite, with the interpreters of all its tiers
# (selected or not: one chroot serves every later run).  Writes ROOT/.tiers-complete,
# which also lists the packages the suite did not have.
build_suite() {  # SUITE LOG
    local suite=$1 log=$2
    local root=$cache/chroots/$suite partial=$cache/chroots/$suite.partial
    local wanted=() tier pkg missing=() mirror include attempt status
    for tier in 3.13 3.14 3.15; do
        [[ $(suite_of "$tier") == "$suite" ]] || continue
        for pkg in $(packages_of "$tier"); do wanted+=("$pkg"); done
    done
    if [[ -f $root/.tiers-complete ]] && ((!fresh)); then
        local have=1
        for pkg in "${wanted[@]}"; do
            grep -qxF "package=$pkg" "$root/.tiers-complete" \
                || grep -qxF "missing=$pkg" "$root/.tiers-complete" || have=0
        done
        if ((have)); then
            echo "reusing the complete chroot $root" >> "$log"
            echo "reused, built by debootstrap $(grep -oP '^built=\K.*' "$root/.tiers-complete")" \
                > "$cache/chroots/$suite.how"
            return 0
        fi
        echo "chroot $root lacks some of: ${wanted[*]}; rebuilding" >> "$log"
    fi
    remove_tree "$partial" && remove_tree "$root" || return 1
    mirror=$(debian_mirror)
    # an unreachable archive fails here in seconds, not after debootstrap's retries
    echo "+ wget $mirror/dists/$suite/InRelease" >> "$log"
    if ! wget -q -T 20 -t 2 -O /dev/null "$mirror/dists/$suite/InRelease" >> "$log" 2>&1; then
        echo "E: $mirror/dists/$suite/InRelease cannot be fetched: archive unreachable" >> "$log"
        return 1
    fi
    # first with every wanted package; a package the suite lacks is dropped, once
    for attempt in 1 2; do
        include=ca-certificates
        for pkg in "${wanted[@]}"; do
            [[ " ${missing[*]} " == *" $pkg "* ]] || include+=",$pkg"
        done
        remove_tree "$partial" || return 1
        mkdir -p "$cache/chroots"
        echo "+ debootstrap --variant=minbase --include=$include $suite $partial $mirror" >> "$log"
        timeout --kill-after=30 "$DEBOOTSTRAP_TIMEOUT" \
            unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
            debootstrap --variant=minbase --include="$include" "$suite" "$partial" "$mirror" \
            >> "$log" 2>&1
        status=$?
        ((status == 0)) && break
        # debootstrap: "E: Couldn't find these debs: python3.15 python3.15-venv"
        local lacking
        lacking=$(grep -oE "Couldn't find these debs: .*" "$log" | tail -n 1 | cut -d: -f2-)
        if ((attempt == 1)) && [[ -n $lacking ]]; then
            for pkg in $lacking; do missing+=("$pkg"); done
            echo "not in $suite: ${missing[*]}; trying without them" >> "$log"
            continue
        fi
        echo "debootstrap $suite failed (exit $status)" >> "$log"
        remove_tree "$partial"
        return 1
    done
    # pip inside needs this machine's extra CA certificates and pip.conf; apt inside sid
    # needs to accept a fixed snapshot whose Release file has expired
    mkdir -p "$partial/usr/local/share/ca-certificates"
    for pkg in /usr/local/share/ca-certificates/*.crt; do cp -L "$pkg" "$partial/usr/local/share/ca-certificates/"; done
    [[ -f /etc/pip.conf ]] && cp -L /etc/pip.conf "$partial/etc/pip.conf"
    printf 'Acquire::Check-Valid-Until "false";\n' > "$partial/etc/apt/apt.conf.d/99python-tiers"
    rm -f "$partial"/var/cache/apt/archives/*.deb  # installed: the archives only take space
    chroot_run "$partial" update-ca-certificates >> "$log" 2>&1 || {
        echo "update-ca-certificates failed in the $suite chroot" >> "$log"; return 1; }
    {
        echo "suite=$suite"
        echo "mirror=$mirror"
        echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        for pkg in "${wanted[@]}"; do
            if [[ " ${missing[*]} " == *" $pkg "* ]]; then echo "missing=$pkg"; else echo "package=$pkg"; fi
        done
    } > "$partial/.tiers-complete"
    mv "$partial" "$root" || return 1
    echo "built now by debootstrap" > "$cache/chroots/$suite.how"
}

# The two scripts run inside a chroot (or on the host) for one tier:
# WORKDIR/install.sh (venv, flake8 and pytest, the project) and WORKDIR/test.sh.
write_tier_scripts() {  # PYTHON WORKDIR DESTDIR TEST...
    local python=$1 work=$2 dest=$3; shift 3
    cat > "$dest/install.sh" <<EOF
set -u
cd "$work/src" || exit $SETUP_FAILED
rm -rf "$work/venv"
"$python" -m venv "$work/venv" || exit $SETUP_FAILED
. "$work/venv/bin/activate"
echo "TIER-INTERPRETER: \$(python -c 'import platform, sys; print(platform.python_implementation(), platform.python_version(), "(" + sys.executable + ")")')"
echo "+ \$(date +%T) pip install flake8 pytest"
timeout $INSTALL_TIMEOUT python -m pip install --quiet flake8 pytest || exit $SETUP_FAILED
echo "+ \$(date +%T) pip install ."
timeout $INSTALL_TIMEOUT python -m pip install --quiet . || exit $PROJECT_FAILED
python -m pip list 2>/dev/null | grep -iE '^(flake8|pytest|pyflakes|pycodestyle|flake8-asyncio-tasks) '
echo "+ \$(date +%T) installed"
EOF
    cat > "$dest/test.sh" <<EOF
set -u
cd "$work/src" || exit 1
. "$work/venv/bin/activate"
echo "+ \$(date +%T) python -m pytest -q -p no:cacheprovider $*"
exec timeout --kill-after=30 $TEST_TIMEOUT python -m pytest -q -p no:cacheprovider $*
EOF
}

# install (network-bound, any number at once), then tests in a slot (CPU-bound)
run_phases() {  # TIER LOG INSTALL-COMMAND... -- TEST-COMMAND...
    local tier=$1 log=$2; shift 2
    local -a install=() tests=()
    while (($#)) && [[ $1 != -- ]]; do install+=("$1"); shift; done
    shift
    tests=("$@")
    local t0 t1 t2 code
    t0=$(date +%s)
    "${install[@]}" >> "$log" 2>&1
    code=$?
    t1=$(date +%s)
    put "$tier" install "$((t1 - t0))"
    ((code == 0)) || return "$code"
    take_slot
    t2=$(date +%s)
    put "$tier" waited "$((t2 - t1))"
    "${tests[@]}" >> "$log" 2>&1
    code=$?
    give_slot
    put "$tier" tests "$(($(date +%s) - t2))"
    return "$code"
}

debian_tier() {  # TIER: the suite's chroot is built; venv, install, tests
    local tier=$1 suite root work log code python version
    suite=$(suite_of "$tier")
    root=$cache/chroots/$suite
    work=/work/tier-$tier
    log=$logs/tier-$tier.log
    python=/usr/bin/python$tier
    if grep -qxF "missing=python$tier" "$root/.tiers-complete" 2>/dev/null \
            || [[ ! -x $root$python ]]; then
        skip_tier "$tier" "python$tier is not in Debian $suite at $(debian_mirror) (chroot built $(grep -oP '^built=\K.*' "$root/.tiers-complete"); --fresh to retry)"
        return
    fi
    version=$(chroot_run "$root" "$python" -c 'import platform; print(platform.python_version())' 2>>"$log")
    put "$tier" interpreter "CPython ${version:-?}"
    put "$tier" how "$python in a Debian $suite chroot ($(cat "$cache/chroots/$suite.how" 2>/dev/null)) at $root"
    if ! stage_source "$root$work/src"; then
        put "$tier" status FAIL; put "$tier" reason "could not copy the source tree into $root$work"; return
    fi
    write_tier_scripts "$python" "$work" "$root$work" "${run_tests[@]}"
    say "$tier: install and tests on CPython $version (Debian $suite), log $log"
    run_phases "$tier" "$log" chroot_run "$root" /bin/sh "$work/install.sh" \
        -- chroot_run "$root" /bin/sh "$work/test.sh"
    record_tests $? "$tier" "$log"
}

suite_job() {  # SUITE TIER...: build the chroot once, then its tiers in parallel
    local suite=$1; shift
    local log=$logs/debootstrap-$suite.log t0 tier pids=()
    t0=$(date +%s)
    : > "$log"
    for tier; do : > "$logs/tier-$tier.log"; done
    if ((fresh)) || [[ ! -f $cache/chroots/$suite/.tiers-complete ]]; then
        say "$*: debootstrap $suite (log $log)"
    fi
    if ! build_suite "$suite" "$log"; then
        local why
        why=$(grep -E '^(E|W): ' "$log" | tail -n 1)
        for tier; do
            put "$tier" setup "$(($(date +%s) - t0))"
            skip_tier "$tier" "could not build a Debian $suite chroot with debootstrap${why:+ ($why)}; see $log"
        done
        return
    fi
    say "$*: Debian $suite chroot ready ($(cat "$cache/chroots/$suite.how"); $(($(date +%s) - t0))s)"
    for tier; do
        put "$tier" setup "$(($(date +%s) - t0))"
        debian_tier "$tier" &
        pids+=($!)
    done
    wait "${pids[@]}"
}

# --- 3.12: a real CPython, or Pyodide -------------------------------------------------------
find_python312() {
    local candidate
    local -a candidates=()
    [[ -n ${TIERS_PY312:-} ]] && candidates+=("$TIERS_PY312")
    candidates+=("$(command -v python3.12 2>/dev/null)")
    mapfile -t -O "${#candidates[@]}" candidates \
        < <(printf '%s\n' "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 | sort -rV)
    candidates+=(/usr/local/bin/python3.12 /usr/bin/python3.12 /opt/python3.12/bin/python3.12)
    for candidate in "${candidates[@]}"; do
        [[ -n $candidate && -x $candidate ]] || continue
        if "$candidate" -c 'import sys, venv, ensurepip; assert sys.version_info[:2] == (3, 12) and sys.implementation.name == "cpython"' \
                >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

host_python() {  # a Python with venv, for host-side helpers (wheel building)
    local candidate
    for candidate in python3 /usr/bin/python3; do
        "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1 && { command -v "$candidate"; return 0; }
    done
    return 1
}

real312_tier() {  # TIER PYTHON
    local tier=$1 python=$2 work=$cache/work/$1 log=$logs/tier-$1.log version
    version=$("$python" -c 'import platform; print(platform.python_version())')
    put "$tier" interpreter "CPython $version"
    put "$tier" how "real CPython found on this machine: $python"
    put "$tier" setup 0
    if ! stage_source "$work/src"; then
        put "$tier" status FAIL; put "$tier" reason "could not copy the source tree into $work"; return
    fi
    write_tier_scripts "$python" "$work" "$work" "${run_tests[@]}"
    say "$tier: install and tests on CPython $version ($python), log $log"
    local -a clean=(env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV)
    run_phases "$tier" "$log" "${clean[@]}" bash "$work/install.sh" \
        -- "${clean[@]}" bash "$work/test.sh"
    record_tests $? "$tier" "$log"
}

setup_pyodide() {  # DIR LOG: node, pyodide from npm, micropip and packaging from PyPI
    local dir=$1 log=$2 tmp=$1.partial helper
    if [[ -f $dir/.tiers-complete ]] && ((!fresh)); then
        echo "reusing $dir" >> "$log"; echo "reused, installed $(cat "$dir/.tiers-complete")" > "$dir.how"; return 0
    fi
    command -v node >/dev/null || { echo "node is not installed" >> "$log"; return 1; }
    command -v npm >/dev/null || { echo "npm is not installed" >> "$log"; return 1; }
    remove_tree "$tmp" && remove_tree "$dir" && mkdir -p "$tmp/wheels" || return 1
    echo "+ npm install pyodide@$PYODIDE_VERSION" >> "$log"
    (cd "$tmp" && timeout "$INSTALL_TIMEOUT" npm install --prefix "$tmp" --no-save \
        --no-package-lock --no-audit --no-fund "pyodide@$PYODIDE_VERSION") >> "$log" 2>&1 \
        || { echo "npm install failed" >> "$log"; return 1; }
    [[ -f $tmp/node_modules/pyodide/pyodide.mjs ]] || { echo "no pyodide.mjs after npm install" >> "$log"; return 1; }
    helper=$(host_python) || { echo "no host python3 with venv for pip download" >> "$log"; return 1; }
    "$helper" -m venv "$tmp/pip" >> "$log" 2>&1 || return 1
    echo "+ pip download micropip==$MICROPIP_VERSION packaging==$PACKAGING_VERSION" >> "$log"
    timeout "$INSTALL_TIMEOUT" "$tmp/pip/bin/python" -m pip download --quiet --no-deps \
        --only-binary=:all: --python-version 3.12 --implementation py -d "$tmp/wheels" \
        "micropip==$MICROPIP_VERSION" "packaging==$PACKAGING_VERSION" >> "$log" 2>&1 \
        || { echo "pip download of micropip failed" >> "$log"; return 1; }
    rm -rf "$tmp/pip"
    date -u +%Y-%m-%dT%H:%M:%SZ > "$tmp/.tiers-complete"
    mv "$tmp" "$dir" && echo "installed now" > "$dir.how"
}

extra_ca_bundle() {  # node ignores the system store: hand it this machine's extra CAs
    local bundle=$cache/extra-ca.pem
    local certs=(/usr/local/share/ca-certificates/*.crt)
    ((${#certs[@]})) || return 1
    cat "${certs[@]}" > "$bundle" && echo "$bundle"
}

build_project_wheel() {  # WORK: WORK/src -> WORK/dist/*.whl (micropip installs wheels only)
    local work=$1 helper
    rm -rf "$work/dist" "$work/build-venv"
    helper=$(host_python) || { echo "no host python3 with venv to build the project wheel"; return "$SETUP_FAILED"; }
    echo "+ building the project wheel with $helper"
    "$helper" -m venv "$work/build-venv" \
        && timeout "$INSTALL_TIMEOUT" "$work/build-venv/bin/python" -m pip install --quiet 'setuptools>=77' \
        || { echo "could not install setuptools from PyPI"; return "$SETUP_FAILED"; }
    timeout "$INSTALL_TIMEOUT" "$work/build-venv/bin/python" -m pip wheel --quiet --no-deps \
        --no-build-isolation -w "$work/dist" "$work/src" || return "$PROJECT_FAILED"
    rm -rf "$work/build-venv" "$work/src/build"
    ls "$work/dist"
}

pyodide_tier() {  # TIER [REASON]: 3.12 under Pyodide
    local tier=$1 why=${2:-} work=$cache/work/$1 log=$logs/tier-$1.log t0 code helper
    local dir=$cache/pyodide-$PYODIDE_VERSION
    t0=$(date +%s)
    say "$tier: Pyodide $PYODIDE_VERSION ($why), log $log"
    if ! setup_pyodide "$dir" "$log"; then
        put "$tier" setup "$(($(date +%s) - t0))"
        skip_tier "$tier" "Pyodide $PYODIDE_VERSION could not be set up (npm registry or PyPI unreachable?; Pyodide because: $why); see $log"
        return
    fi
    put "$tier" setup "$(($(date +%s) - t0))"
    put "$tier" interpreter "CPython 3.12 (Pyodide $PYODIDE_VERSION)"
    put "$tier" how "Pyodide $PYODIDE_VERSION from npm ($(cat "$dir.how")), node $(node --version) ($why)"
    if ! stage_source "$work/src"; then
        put "$tier" status FAIL; put "$tier" reason "could not copy the source tree into $work"; return
    fi
    if ((${#pyodide_tests[@]} == 0)); then
        put "$tier" status FAIL; put "$tier" reason "none of PYODIDE_TESTS exists"; return
    fi
    local -a node_env=()
    [[ -n ${NODE_EXTRA_CA_CERTS:-} && -r ${NODE_EXTRA_CA_CERTS:-} ]] \
        || { local bundle; bundle=$(extra_ca_bundle) && node_env=(NODE_EXTRA_CA_CERTS="$bundle"); }
    say "$tier: project wheel, then tests on Pyodide $PYODIDE_VERSION, log $log"
    # "install" is the wheel build on the host; micropip's installs run inside the tests'
    # node process (Pyodide keeps no state between processes)
    run_phases "$tier" "$log" build_project_wheel "$work" \
        -- timeout --kill-after=30 "$TEST_TIMEOUT" \
        env "${node_env[@]}" node "$repo/scripts/pyodide_runner.mjs" \
        --pyodide "$dir/node_modules/pyodide" --wheels "$dir/wheels" --work "$work" \
        --dist "$work/dist" -- "${pyodide_tests[@]}"
    code=$?
    local version
    version=$(grep -oP '^TIER-INTERPRETER: \K.*' "$log" | tail -n 1)
    [[ -n $version ]] && put "$tier" interpreter "$version"
    record_tests "$code" "$tier" "$log"
}

py312_job() {
    local tier=3.12 python
    : > "$logs/tier-$tier.log"
    if ((force_pyodide)); then
        pyodide_tier "$tier" "forced by --pyodide / TIERS_PYODIDE=1"
    elif python=$(find_python312); then
        real312_tier "$tier" "$python"
    else
        pyodide_tier "$tier" "no real CPython 3.12 found on this machine"
    fi
}

# --- main ------------------------------------------------------------------------------
kill_tree() {  # PID: its descendants, then itself
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
    kill -TERM "$1" 2>/dev/null
}
on_signal() {
    trap - INT TERM
    echo "python-tiers: interrupted; stopping the tiers" >&2
    local pid
    for pid in "${job_pids[@]}"; do kill_tree "$pid"; done
    wait
    exit 130
}
job_pids=()
trap on_signal INT TERM

wants() { [[ " ${tiers[*]} " == *" $1 "* ]]; }
debian_tiers=()
for tier in 3.13 3.14 3.15; do wants "$tier" && debian_tiers+=("$tier"); done

say "python tiers ${tiers[*]}: tests ${run_tests[*]}"
say "cache $cache, $jobs test run(s) at a time"

debian_ok=1
if ((${#debian_tiers[@]})); then
    why=
    if ((EUID != 0)); then
        why="debootstrap and chroot need root"
    elif ! command -v unshare >/dev/null || ! unshare --mount --pid --fork --kill-child true 2>/dev/null; then
        why="unshare --mount --pid does not work here (no namespaces)"
    elif ! command -v debootstrap >/dev/null; then
        say "installing debootstrap (apt-get)"
        { apt-get install -y -q debootstrap || { apt-get update -q && apt-get install -y -q debootstrap; }; } \
            > "$logs/apt-debootstrap.log" 2>&1
        command -v debootstrap >/dev/null || why="debootstrap could not be installed (see $logs/apt-debootstrap.log)"
    fi
    if [[ -n $why ]]; then
        debian_ok=0
        for tier in "${debian_tiers[@]}"; do skip_tier "$tier" "$why"; done
    fi
fi

if wants 3.12; then
    py312_job & job_pids+=($!)
fi
if ((debian_ok)); then
    sid_tiers=()
    for tier in "${debian_tiers[@]}"; do
        case $(suite_of "$tier") in
            trixie) suite_job trixie "$tier" & job_pids+=($!) ;;
            sid) sid_tiers+=("$tier") ;;
        esac
    done
    ((${#sid_tiers[@]})) && { suite_job sid "${sid_tiers[@]}" & job_pids+=($!); }
fi
wait "${job_pids[@]}"
trap - INT TERM

# --- summary -------------------------------------------------------------------------------
failed=0
echo
echo "==================================== Python tiers ===================================="
for tier in "${tiers[@]}"; do
    status=$(get "$tier" status)
    [[ -z $status ]] && { status=FAIL; put "$tier" reason "the tier ended without a result; see $logs/tier-$tier.log"; }
    t_setup=$(get "$tier" setup); t_install=$(get "$tier" install)
    t_waited=$(get "$tier" waited); t_tests=$(get "$tier" tests)
    printf 'TIER %s  %-7s  %s\n' "$tier" "$status" "$(get "$tier" interpreter)"
    [[ -n $(get "$tier" how) ]] && printf '    obtained: %s\n' "$(get "$tier" how)"
    printf '    time:     wall %ss = interpreter %ss + install %ss + %stests %ss\n' \
        "$(( ${t_setup:-0} + ${t_install:-0} + ${t_waited:-0} + ${t_tests:-0} ))" "${t_setup:-0}" \
        "${t_install:-0}" "$( ((${t_waited:-0} > 0)) && echo "waiting for a test slot ${t_waited}s + ")" \
        "${t_tests:-0}"
    [[ -n $(get "$tier" pytest) ]] && printf '    pytest:   %s\n' "$(get "$tier" pytest)"
    [[ -n $(get "$tier" reason) ]] && printf '    %s\n' "$(get "$tier" reason)"
    printf '    log:      %s\n' "$logs/tier-$tier.log"
    [[ $status == FAIL ]] && failed=1
done
echo "total: $(($(date +%s) - start_epoch))s"
for tier in "${tiers[@]}"; do
    [[ $(get "$tier" status) == SKIPPED ]] && echo "!!! TIER $tier SKIPPED: $(get "$tier" reason)"
done
if ((failed)); then
    for tier in "${tiers[@]}"; do
        [[ $(get "$tier" status) == FAIL ]] || continue
        echo
        echo "------------------------ TIER $tier FAILED: last lines of its log ------------------------"
        tail -n 60 "$logs/tier-$tier.log"
    done
    echo
    echo "python-tiers: FAILED on: $(for t in "${tiers[@]}"; do [[ $(get "$t" status) == FAIL ]] && printf '%s ' "$t"; done)"
    exit 1
fi
echo "python-tiers: OK (skipped tiers do not fail the run)"
