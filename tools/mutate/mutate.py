#!/usr/bin/env python3
"""Hand-written mutation testing: plants each one-line mutant of mutants.txt, runs the test suite, reverts.

A mutant line is `path | find | replace | what it breaks`, fields separated by ' | '; `find` must occur exactly
once in the file (so the mutant is unambiguous) and the test run must fail for the mutant to count as killed.
Lines starting with '#' and blank lines are skipped. Usage, from the repository root:

    python3 tools/mutate/mutate.py [--filter EXPR] [--only SUBSTRING] [mutants.txt]

--filter passes a `dotnet test --filter` expression (a quicker, partial run); --only runs the mutants whose line
contains SUBSTRING. Prints one line per mutant and the score; exits 1 if any mutant survived or failed to apply.
The working tree must be clean of edits to the mutated files: each file is restored from its original bytes.
"""
import argparse, pathlib, subprocess, sys, time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def parse(path):
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(" | ")
        if len(parts) != 4:
            sys.exit(f"{path}:{n}: expected 'path | find | replace | why', got {line!r}")
        yield n, line, [p.strip() for p in parts]


def run(cmd):
    return subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mutants", nargs="?", default=str(pathlib.Path(__file__).with_name("mutants.txt")))
    ap.add_argument("--filter")
    ap.add_argument("--only")
    a = ap.parse_args()
    killed, survived, broken = [], [], []
    for n, line, (path, find, replace, why) in parse(pathlib.Path(a.mutants)):
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
            build = run(["dotnet", "build", "-c", "Release", "-nologo", "-v", "q"])
            if build.returncode != 0:
                outcome = "KILLED (does not compile)"
                killed.append(n)
            else:
                cmd = ["dotnet", "test", "-c", "Release", "--no-build", "-nologo"]
                if a.filter:
                    cmd += ["--filter", a.filter]
                test = run(cmd)
                if test.returncode != 0:
                    outcome = "KILLED"
                    killed.append(n)
                else:
                    outcome = "SURVIVED"
                    survived.append(f"line {n}: {why}")
        finally:
            file.write_bytes(original)
        print(f"{outcome:8} {n:3}  {why}  [{time.time() - start:.0f} s]", flush=True)
    total = len(killed) + len(survived)
    if total:
        print(f"\nscore: {len(killed)}/{total} killed ({100 * len(killed) / total:.0f}%)")
    for s in survived:
        print(f"survived: {s}")
    for b in broken:
        print(f"not applied: {b}")
    run(["dotnet", "build", "-c", "Release", "-nologo", "-v", "q"])  # leave the build matching the sources
    sys.exit(1 if survived or broken else 0)


if __name__ == "__main__":
    main()
