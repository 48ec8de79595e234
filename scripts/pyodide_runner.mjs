// Run pytest under Pyodide (CPython 3.12 compiled to WebAssembly), for
// scripts/python-tiers.sh when this machine has no real CPython 3.12.
//
//   node scripts/pyodide_runner.mjs --pyodide DIR --wheels DIR --work DIR --dist DIR -- TEST...
//
//   --pyodide DIR  the npm package (node_modules/pyodide)
//   --wheels DIR   micropip and packaging wheels (from PyPI: the Pyodide CDN is not used)
//   --work DIR     mounted at /work; pytest runs in /work/src (the copied source tree)
//   --dist DIR     the project's wheel(s), installed without dependencies
//
// flake8 and pytest come from PyPI through micropip (pure-Python wheels).  There are no
// subprocesses under Pyodide: tests that start the flake8 command skip themselves
// (tests/conftest.py, NO_SUBPROCESS).
//
// Exit status: pytest's own (0-5), 100 when Pyodide or flake8/pytest could not be set
// up (the tier is skipped), 101 when the project's wheel would not install (a failure).

import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const SETUP_FAILED = 100;
const PROJECT_FAILED = 101;

function parseArgs(argv) {
  const options = { tests: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      options.tests = argv.slice(i + 1);
      break;
    }
    const name = arg.replace(/^--/, "");
    if (!["pyodide", "wheels", "work", "dist"].includes(name) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete argument: ${arg}`);
    }
    options[name] = path.resolve(argv[++i]);
  }
  for (const name of ["pyodide", "wheels", "work", "dist"]) {
    if (!options[name]) throw new Error(`missing --${name}`);
  }
  return options;
}

// Pyodide's errors can carry a whole line of minified JavaScript: keep the Python part.
function brief(error) {
  const text = String(error && error.message ? error.message : error);
  return text.length > 3000 ? "..." + text.slice(-3000) : text;
}

function wheelsIn(dir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".whl"))
    .sort()
    .map((name) => path.join(dir, name));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let pyodide;
  try {
    const { loadPyodide } = await import(
      pathToFileURL(path.join(options.pyodide, "pyodide.mjs")).href
    );
    // An empty package lock: micropip then takes every package from PyPI instead of
    // trying the Pyodide CDN for the ones Pyodide itself builds (pytest, pluggy...).
    const lock = JSON.parse(readFileSync(path.join(options.pyodide, "pyodide-lock.json"), "utf8"));
    lock.packages = {};
    const lockFile = path.join(options.work, "pyodide-lock.empty.json");
    writeFileSync(lockFile, JSON.stringify(lock));
    pyodide = await loadPyodide({
      indexURL: options.pyodide + path.sep,
      lockFileURL: lockFile,
    });
    await pyodide.loadPackage(wheelsIn(options.wheels), {
      messageCallback: (message) => console.log(message),
      errorCallback: (message) => console.error(message),
    });
    pyodide.pyimport("micropip"); // loadPackage reports errors without throwing
    console.log("+ micropip.install(['flake8', 'pytest'])");
    await pyodide.pyimport("micropip").install(["flake8", "pytest"]);
  } catch (error) {
    console.error(`pyodide setup failed: ${brief(error)}`);
    return SETUP_FAILED;
  }

  const FS = pyodide.FS;
  FS.mkdirTree("/work");
  FS.mount(FS.filesystems.NODEFS, { root: options.work }, "/work");
  try {
    const micropip = pyodide.pyimport("micropip");
    for (const wheel of wheelsIn(options.dist)) {
      const relative = path.relative(options.work, wheel);
      if (relative.startsWith("..")) throw new Error(`--dist must be inside --work: ${wheel}`);
      console.log(`+ micropip.install('${path.basename(wheel)}', deps=False)`);
      await micropip.install.callKwargs(`emfs:/work/${relative}`, { deps: false });
    }
  } catch (error) {
    console.error(`the project did not install: ${brief(error)}`);
    return PROJECT_FAILED;
  }

  pyodide.globals.set("TESTS", pyodide.toPy(options.tests));
  const code = pyodide.runPython(`
import os, platform, sys
import pyodide, pytest
sys.dont_write_bytecode = True
os.chdir("/work/src")
print("TIER-INTERPRETER:", platform.python_implementation(), platform.python_version(),
      f"(Pyodide {pyodide.__version__}, {sys.platform}, {platform.machine()})")
# fd-level capture needs real file descriptors: capture sys.stdout/sys.stderr instead
args = ["-q", "-p", "no:cacheprovider", "--capture=sys", *TESTS]
print("+ pytest", " ".join(args), flush=True)
int(pytest.main(args))
`);
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`pyodide runner: ${brief(error)}`);
    process.exitCode = 1;
  },
);
