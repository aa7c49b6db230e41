#!/usr/bin/env python3
"""Hand-written mutation testing: plants each one-line mutant of mutants.txt, runs the test suite, reverts.

A mutant line is `path | find | replace | what it breaks`, fields separated by ' | '; `find` must occur exactly
once in the file (so the mutant is unambiguous) and the test run must fail for the mutant to count as killed.
Lines starting with '#' and blank lines are skipped. Usage, from the repository root:

    python3 tools/mutate/mutate.py [--only SUBSTRING] [--lines N,N,...] [--all] [--class NAME ...] [mutants.txt]

Each mutant costs one incremental build of the test project (only RawGan.dll and what depends on it recompile) and
one run of RawGan.Tests through xUnit's in-process runner (the test assembly itself, what `dotnet test --no-build`
starts, without VSTest around it), stopped at the first failing test, in stages (see NEAR). --all runs the whole suite instead and
names every failing test (to see how many tests catch a mutant); --class restricts the run to test classes
(xUnit's -class filter, wildcards allowed); --only runs the mutants whose line contains SUBSTRING, --lines the
mutants on those lines of the file. Prints one line
per mutant with the first test that failed, then the score; exits 1 if any mutant survived or failed to apply.
Each mutated file is restored from its original bytes, and the build is left matching the sources.
"""
import argparse, pathlib, re, subprocess, sys, time

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROJECT = "tests/RawGan.Tests/RawGan.Tests.csproj"
ASSEMBLY = "tests/RawGan.Tests/bin/Release/net10.0/RawGan.Tests.dll"
TEST_TIMEOUT_S = 900  # a mutant that makes a loop endless is killed by the clock
# Stages, each run only when the one before passed, so a mutant is declared a survivor only after the whole suite
# passed: first the test namespaces nearest the mutated folder (most mutants die there, in seconds), then the rest
# but the process-starting CLI and serve tests (the slowest, rarely the only ones to catch a bug), then those.
NEAR = {
    "src/RawGan/Autograd": ["Autograd", "Ops"],
    "src/RawGan/Backends/Cpu": ["Backends", "Autograd", "Golden"],
    "src/RawGan/Backends/Cuda": ["Cuda", "Backends"],
    "src/RawGan/Data": ["Data"],
    "src/RawGan/Gan": ["Gan"],
    "src/RawGan/IO": ["IO"],
    "src/RawGan/Nn": ["Nn", "Golden"],
    "src/RawGan/Ops": ["Autograd", "Golden", "Ops"],
    "src/RawGan/Optim": ["Golden", "Gan"],
    "src/RawGan/Tensors": ["Tensors", "Backends"],
}
SLOW = ["Cli", "Serve"]


def stages(path):
    near = next((v for k, v in NEAR.items() if path.startswith(k + "/")), [])
    ns = lambda names, flag: [a for n in names for a in (flag, f"RawGan.Tests.{n}")]
    return ([ns(near, "-namespace")] if near else []) + [ns(near + SLOW, "-namespace-"), ns(SLOW, "-namespace")]
FAIL = re.compile(r"^\s*(\S.*?) \[FAIL\]", re.MULTILINE)  # xUnit's line for a failed test: "    Name(args) [FAIL]"


def parse(path):
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(" | ")
        if len(parts) != 4:
            sys.exit(f"{path}:{n}: expected 'path | find | replace | why', got {line!r}")
        yield n, line, [p.strip() for p in parts]


def run(cmd, timeout=None):
    return subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)


def build():
    return run(["dotnet", "build", PROJECT, "-c", "Release", "-nologo", "-v", "q", "--no-restore"])


def test(path, classes, stop_on_fail):
    """Runs the suite (in stages when stopping at the first failure); returns (passed, the failing tests)."""
    if classes:
        return run_tests([a for c in classes for a in ("-class", c)], stop_on_fail)
    if not stop_on_fail:
        return run_tests([], False)
    for stage in stages(path):
        passed, failed = run_tests(stage, True)
        if not passed:
            return passed, failed
    return True, []


def run_tests(filters, stop_on_fail):
    cmd = ["dotnet", ASSEMBLY, "-noLogo", "-noColor"] + (["-stopOnFail"] if stop_on_fail else []) + filters
    try:
        r = run(cmd, timeout=TEST_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return False, [f"(timed out after {TEST_TIMEOUT_S} s)"]
    failed = list(dict.fromkeys(FAIL.findall(r.stdout)))
    return r.returncode == 0, failed or ([] if r.returncode == 0 else [f"(exit {r.returncode}, no test named)"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mutants", nargs="?", default=str(pathlib.Path(__file__).with_name("mutants.txt")))
    ap.add_argument("--only")
    ap.add_argument("--lines", help="comma-separated line numbers of mutants.txt to run, in that order")
    ap.add_argument("--all", action="store_true", help="run every test, not only up to the first failure")
    ap.add_argument("--class", dest="classes", action="append", default=[])
    a = ap.parse_args()
    killed, survived, broken = [], [], []
    mutants = list(parse(pathlib.Path(a.mutants)))
    if a.lines:
        by_line = {m[0]: m for m in mutants}
        mutants = [by_line[int(n)] for n in a.lines.split(",")]
    for n, line, (path, find, replace, why) in mutants:
        if a.only and a.only not in line:
            continue
        file = ROOT / path
        original = file.read_bytes()
        text = original.decode()
        if text.count(find) != 1:
            broken.append(f"line {n}: '{find}' occurs {text.count(find)} times in {path}")
            print(f"BROKEN   {n:3}  {why}  ({broken[-1]})", flush=True)
            continue
        start = time.time()
        try:
            file.write_text(text.replace(find, replace))
            built = build()
            if built.returncode != 0:
                errors = [l for l in built.stdout.splitlines() if ": error " in l]
                outcome, detail = "KILLED", "does not compile: " + (errors[0].strip() if errors else built.stdout.strip()[-300:])
                killed.append(n)
            else:
                passed, failed = test(path, a.classes, stop_on_fail=not a.all)
                if passed:
                    outcome, detail = "SURVIVED", ""
                    survived.append(f"line {n}: {why}")
                else:
                    outcome, detail = "KILLED", f"{len(failed)} failing: " + ", ".join(failed) if a.all else failed[0]
                    killed.append(n)
        finally:
            file.write_bytes(original)
        print(f"{outcome:8} {n:3}  {why}  [{time.time() - start:.0f} s]  {detail}", flush=True)
    total = len(killed) + len(survived)
    if total:
        print(f"\nscore: {len(killed)}/{total} killed ({100 * len(killed) / total:.0f}%)")
    for s in survived:
        print(f"survived: {s}")
    for b in broken:
        print(f"not applied: {b}")
    build()  # leave the build matching the sources
    sys.exit(1 if survived or broken else 0)


if __name__ == "__main__":
    main()
