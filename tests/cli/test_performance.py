#!/usr/bin/python3
"""bench/performance.py --quick, as a smoke test (stdlib only, TAP output): it runs, prints the Markdown
table with a row per row asked for, each with a figure from the run (milliseconds, seconds and MB, a
percentage) and a yes or no against the goal, and the command that made it. The figures themselves are
not judged: a test is not a benchmark. Rows 4 and 5 (PyTorch) take minutes and are left out.

Usage: test_performance.py ATTNSTEP_BINARY SOURCE_ROOT
Exits 77 (skipped) when the script does (numpy missing).
"""
import os
import re
import subprocess
import sys

from tap import check, finish

if len(sys.argv) != 3:
    sys.stderr.write("usage: test_performance.py ATTNSTEP_BINARY SOURCE_ROOT\n")
    sys.exit(2)
BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
r = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "performance.py"), "--quick", "--rows", "1,2,3,6",
                    "--attnstep", BIN], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
if r.returncode == 77:
    print("1..0 # SKIP %s" % r.stdout.strip())
    sys.exit(0)
lines = r.stdout.split("\n")
rows = [l for l in lines[2:] if l.startswith("| ")]
cells = [[c.strip() for c in l.strip("|").split(" | ")] for l in rows]
check("it exits 0 and prints a Markdown table's header", r.returncode == 0 and lines[:2] == [
    "| what | attnstep | peer in the same run | goal | met |", "| --- | --- | --- | --- | --- |"],
    r.returncode, r.stderr[-800:], *lines[:3])
check("one row for each of the 4 rows asked for, 5 cells each", len(cells) == 4 and all(len(c) == 5 for c in cells),
      *rows)
want = [("first frame, tiny-en", r"^\d+\.\d ms from the command .*; \d+\.\d ms after main\(\) starts$",
         r"random-en \(no snapshots\): \d+\.\d ms; \d+\.\d ms$"),
        ("`--export` with a 2k × 30 vocabulary", r"^\d+\.\d+ s, \d+ MB peak RSS$", r"numpy.loadtxt \d+\.\d+ s, \d+ MB"),
        ("a larger vocabulary (8k × 30", r"^(loaded and exported|refused \(exit \d+: .*\)): \d+\.\d+ s, \d+ MB peak RSS$",
         r"^—$"),
        ("`train --out` (tiny-en's command, 2 epochs)", r"\(with − without --out\) / with: -?\d+%", r"^—$")]
for (what, ours, peer), c in zip(want, cells):
    check("%s: a figure from the run beside its peer's, and yes or no against the goal" % what,
          c[0].startswith(what) and re.search(ours, c[1]) and re.search(peer, c[2]) and
          re.match(r"^(yes|no)\b", c[4]), *c)
check("the command that made the table is under it", any(l.startswith(
    "Measured with `/usr/bin/python3 bench/performance.py --quick --rows 1,2,3,6") for l in lines), *lines[-3:])
check("progress went to stderr, not into the table", "performance: " in r.stderr and "performance: " not in r.stdout,
      r.stderr[-400:])
finish()
