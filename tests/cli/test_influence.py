#!/usr/bin/env python3
"""--export and the influence of each word (stdlib only, TAP output).

Usage: test_influence.py ATTNSTEP_BINARY

The RNN's and LSTM's influence costs O(N·d_hidden²·(d_model + d_hidden)), so
influence.csv leaves their rows out above d_hidden 256 (EXPORT_INFLUENCE_MAX_HIDDEN)
and says so in one line; at 256 and below every row is there. The numbers
themselves are checked against the numpy reference in tests/golden.
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish

BIN = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="attnstep-influence-")


def run(*args):
    e = dict(os.environ)
    e.pop("ATTNSTEP_MODEL", None)
    return subprocess.run([BIN, *args], capture_output=True, timeout=120, env=e, text=True)


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


for hidden, expect in [(256, ["rnn", "lstm", "attention"]), (257, ["attention"])]:
    model = os.path.join(TMP, "model-%d" % hidden)
    out = os.path.join(TMP, "export-%d" % hidden)
    r = run("--init-model", model, "--d-model", "8", "--heads", "2", "--d-hidden", str(hidden))
    check("d_hidden %d: --init-model succeeds" % hidden, r.returncode == 0, r.stderr)
    r = run("--model", model, "--export", out, "the", "movie", "was", "not", "good")
    check("d_hidden %d: --export succeeds" % hidden, r.returncode == 0, r.stderr)
    infl = rows(os.path.join(out, "influence.csv")) if r.returncode == 0 else [[]]
    check("d_hidden %d: influence.csv has the rows %s" % (hidden, expect),
          [row[0] for row in infl[1:]] == expect, infl)
    check("d_hidden %d: every influence shown is a positive number" % hidden,
          all(float(x) > 0 for row in infl[1:] for x in row[1:]), infl)
    notes = [line for line in r.stderr.splitlines() if "influence.csv" in line]
    if hidden > 256:
        check("d_hidden %d: one line says why the recurrent rows are missing" % hidden,
              len(notes) == 1 and "d_hidden 257 is above 256" in notes[0], r.stderr)
    else:
        check("d_hidden %d: nothing is said about influence.csv" % hidden, not notes, r.stderr)
    # --print still shows the recurrent influence (computed when shown).
    r = run("--model", model, "--print", "the", "movie")
    check("d_hidden %d: --print ends the LSTM lesson with each word's influence" % hidden,
          r.returncode == 0 and "influence of each word i on h_" in r.stdout, r.stderr[-500:])

shutil.rmtree(TMP, ignore_errors=True)
finish(20)
