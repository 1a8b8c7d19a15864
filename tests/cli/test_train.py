#!/usr/bin/env python3
"""End-to-end tests of `attnstep train` (stdlib only, TAP output).

Usage: test_train.py ATTNSTEP_BINARY SOURCE_ROOT

Bad data gets one clear line and exit 1; a run is reproducible byte for byte;
the trained model loads and ends its walk-through on a prediction; and the
shipped tiny models are exactly what their recorded command produces.
"""
import csv
import filecmp
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, write_csv

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-train-")


def run(*args, timeout=300):
    env = {k: v for k, v in os.environ.items() if k != "ATTNSTEP_MODEL"}
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout, env=env, cwd=ROOT)


def write(name, rows, header=("text", "label")):
    return write_csv(TMP, name, rows, header)


def one_error(r, *needles):
    lines = r.stderr.decode(errors="replace").strip().split("\n")
    return r.returncode == 1 and len(lines) == 1 and lines[0].startswith("attnstep: ") and all(
        n in lines[0] for n in needles)


GOOD = [("the movie was good", "positive"), ("the movie was not good", "negative"),
        ("the food was bad", "negative"), ("the food was not bad", "positive")] * 3
good = write("good.csv", GOOD)

# bad input
r = run("train", os.path.join(TMP, "missing.csv"), "--out", os.path.join(TMP, "o1"))
check("a missing data file: one line naming it, exit 1", one_error(r, "missing.csv", "cannot open"), r.stderr)
bad = write("header.csv", [("a", "b")], header=("sentence", "label"))
r = run("train", bad, "--out", os.path.join(TMP, "o2"))
check("a wrong header: file:1:", one_error(r, "header.csv:1:", "text,label"), r.stderr)
bad = write("ragged.csv", [("fine", "positive"), ("too", "many", "fields")])
r = run("train", bad, "--out", os.path.join(TMP, "o3"))
check("a row with three fields: file:3:", one_error(r, "ragged.csv:3:"), r.stderr)
bad = write("oneclass.csv", [("good", "positive"), ("great", "positive")])
r = run("train", bad, "--out", os.path.join(TMP, "o4"))
check("a single class: exit 1, says a classifier needs two", one_error(r, "two classes"), r.stderr)
test = write("test-bad.csv", [("good", "positive"), ("meh", "neutral")])
r = run("train", good, "--test", test, "--out", os.path.join(TMP, "o5"))
check("a test label the training data lacks: the test file's line", one_error(r, "test-bad.csv:3:", "neutral"),
      r.stderr)
r = run("train", good, "--out", os.path.join(TMP, "o6"), "--d-model", "10", "--heads", "3")
check("heads not dividing d_model: exit 1", one_error(r, "divide"), r.stderr)
r = run("train", good)
check("no --out: usage error (2)", r.returncode == 2, r.stderr)
os.makedirs(os.path.join(TMP, "taken"))
open(os.path.join(TMP, "taken", "mine.txt"), "w").write("keep")
r = run("train", good, "--out", os.path.join(TMP, "taken"), "--epochs", "2")
check("an existing non-empty --out is refused and left alone", one_error(r, "--force")
      and os.listdir(os.path.join(TMP, "taken")) == ["mine.txt"], r.stderr)

# a run, repeated
outs = [os.path.join(TMP, d, "m") for d in ("a", "b")]
rs = [run("train", good, "--out", o, "--epochs", "30", "--seed", "3") for o in outs]
same = all(r.returncode == 0 for r in rs)
if same:
    cmp = filecmp.dircmp(*outs)
    def identical(c):
        return not (c.diff_files or c.left_only or c.right_only or c.funny_files) and all(
            identical(s) for s in c.subdirs.values())
    # dircmp compares by stat first; force content comparison
    same = identical(cmp) and all(filecmp.cmp(os.path.join(outs[0], p), os.path.join(outs[1], p), shallow=False)
                                  for p in cmp.common_files)
check("the same data and seed give the same model, byte for byte", same, *(r.stderr for r in rs))
snaps = sorted(os.listdir(os.path.join(outs[0], "snapshots"))) if same else []
check("snapshots from epoch 0 (random) to the end, and training.csv with one row per epoch",
      snaps[:1] == ["epoch-000"] and snaps[-1] == "epoch-030"
      and len(open(os.path.join(outs[0], "training.csv")).read().strip().split("\n")) == 32, snaps)
r = run("--model", outs[0], "--print", "the", "food", "was", "not", "bad")
check("the trained model loads; its walk-through ends on the prediction", r.returncode == 0
      and b"prediction: positive" in r.stdout, r.stdout[-300:], r.stderr)

# the shipped models are what their recorded command makes
for name in ("tiny-en", "tiny-ko"):
    model = os.path.join(ROOT, "assets", "models", name)
    if not os.path.isdir(model):
        check("%s is shipped" % name, False, "no " + model)
        continue
    desc = dict(row[:2] for row in csv.reader(open(os.path.join(model, "config.csv"), encoding="utf-8")))
    cmd = shlex.split(desc["description"].split("trained: ", 1)[1])
    out = os.path.join(TMP, "retrain", name)
    args = cmd[1:] + ["--out", out]  # drop "attnstep"
    r = run(*args)
    ok = r.returncode == 0
    diffs = []
    for dirpath, _, files in os.walk(model):
        for f in files:
            p = os.path.join(dirpath, f)
            q = os.path.join(out, os.path.relpath(p, model))
            if not os.path.exists(q) or not filecmp.cmp(p, q, shallow=False):
                diffs.append(os.path.relpath(p, model))
    check("%s: retraining with its recorded command reproduces every shipped file" % name, ok and not diffs,
          " ".join(cmd), r.stderr[-300:], diffs[:5])

# tiny-ko names its classes in Korean (issue 9), in the order train gives them: sorted bytewise
ko = os.path.join(ROOT, "assets", "models", "tiny-ko")
conf = dict(row[:2] for row in csv.reader(open(os.path.join(ko, "config.csv"), encoding="utf-8")))
check("tiny-ko's classes are 긍정;부정 (sorted by name, as train orders them)",
      conf.get("labels") == "긍정;부정", conf.get("labels"))


def predicted(*words):
    """The class on the walk-through's last line, "→  prediction: 부정, 99.98%" (whatever the language)."""
    r = run("--model", ko, "--print", *words)
    m = re.findall(r"→ +[^:\n]+: (.+?), [>\d]", r.stdout.decode(errors="replace"))
    return m[-1] if r.returncode == 0 and m else r.stdout.decode(errors="replace")[-200:] + r.stderr.decode()


guesses = predicted("영화가", "좋지", "않았다"), predicted("영화가", "좋았다")
check("tiny-ko predicts 부정 for 영화가 좋지 않았다 and 긍정 for 영화가 좋았다", guesses == ("부정", "긍정"), guesses)

shutil.rmtree(TMP, ignore_errors=True)
finish(6)
