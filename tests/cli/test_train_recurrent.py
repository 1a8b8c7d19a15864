#!/usr/bin/env python3
"""End-to-end tests of `attnstep train --recurrent` (stdlib only, TAP output).

Usage: test_train_recurrent.py ATTNSTEP_BINARY SOURCE_ROOT

The transformer's files are byte for byte those of the same run without
--recurrent; the bundle gains d_hidden, the RNN's and the LSTM's weights and
their classifiers (rnn_w_cls, rnn_b_cls, lstm_w_cls, lstm_b_cls) and
training_recurrent.csv; the run repeats byte for byte; bad options exit 2.
"""
import csv
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, write_csv

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-train-rec-")


def run(*args, timeout=300):
    env = {k: v for k, v in os.environ.items() if k != "ATTNSTEP_MODEL"}
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout, env=env, cwd=ROOT)


def write(name, rows):
    return write_csv(TMP, name, rows)


GOOD = [("the movie was good", "positive"), ("not the movie , it was good", "negative"),
        ("the food was bad", "negative"), ("not the food , it was bad", "positive")] * 4
TEST = [("the food was good", "positive"), ("not the food , it was good", "negative")]
good, test = write("good.csv", GOOD), write("test.csv", TEST)
common = ["train", good, "--test", test, "--epochs", "6", "--d-model", "8", "--seed", "3"]

r = run(*common, "--tokenizer", "word", "--out", os.path.join(TMP, "plain"))
check("without --recurrent: trains", r.returncode == 0, r.stderr)
r = run(*common, "--tokenizer", "word", "--d-hidden", "5", "--out", os.path.join(TMP, "rec"))
out = r.stdout.decode()
check("--d-hidden 5: trains, and says the recurrent models read the embeddings without changing them",
      r.returncode == 0 and "training an RNN and an LSTM (d_hidden 5)" in out and "do not change" in out, out, r.stderr)
check("it prints the RNN's and the LSTM's train and test accuracy",
      "\nRNN: train " in out and "\nLSTM: train " in out and out.count("  test ") >= 8, out[-400:])

plain, rec = os.path.join(TMP, "plain"), os.path.join(TMP, "rec")
same, differ = [], []
for dirpath, _, files in os.walk(plain):
    for f in files:
        p = os.path.join(dirpath, f)
        rel = os.path.relpath(p, plain)
        if rel.endswith("config.csv"):
            continue
        (same if filecmp.cmp(p, os.path.join(rec, rel), shallow=False) else differ).append(rel)
check("every transformer file, training.csv and each snapshot's weights are byte for byte those without --recurrent",
      not differ and len(same) > 20, differ[:5], len(same))
new = sorted(set(os.listdir(rec)) - set(os.listdir(plain)))
want = sorted(["lstm_b.csv", "lstm_b_cls.csv", "lstm_w_cls.csv", "lstm_w_h.csv", "lstm_w_x.csv", "rnn_b.csv",
               "rnn_b_cls.csv", "rnn_w_cls.csv", "rnn_w_hh.csv", "rnn_w_xh.csv", "training_recurrent.csv"])
check("the bundle gains the recurrent weights, their classifiers and training_recurrent.csv", new == want, new)
cfg = dict(row[:2] for row in csv.reader(open(os.path.join(rec, "config.csv"), encoding="utf-8")))
check("config.csv: d_hidden 5 and the command with --recurrent --d-hidden 5",
      cfg.get("d_hidden") == "5" and cfg["description"].endswith("--seed 3 --recurrent --d-hidden 5"), cfg)
grid = list(csv.reader(open(os.path.join(rec, "rnn_w_cls.csv"))))
check("rnn_w_cls.csv is d_hidden x classes (5 x 2); lstm_b_cls.csv 1 x 2",
      len(grid) == 5 and all(len(r) == 2 for r in grid)
      and [len(r) for r in csv.reader(open(os.path.join(rec, "lstm_b_cls.csv")))] == [2], grid)
log = list(csv.reader(open(os.path.join(rec, "training_recurrent.csv"))))
check("training_recurrent.csv: header model,epoch,loss,train_accuracy,test_accuracy, epochs 0-6 per model",
      log[0] == ["model", "epoch", "loss", "train_accuracy", "test_accuracy"]
      and [(row[0], row[1]) for row in log[1:]] == [(m, str(e)) for m in ("rnn", "lstm") for e in range(7)], log[:3])
first = {row[0]: float(row[2]) for row in log[1:] if row[1] == "0"}
last = {row[0]: float(row[2]) for row in log[1:] if row[1] == "6"}
check("both recurrent models lower their loss", all(last[m] < first[m] for m in ("rnn", "lstm")), first, last)

# the same command again: the same bytes
r = run(*common, "--tokenizer", "word", "--d-hidden", "5", "--out", os.path.join(TMP, "rec2"))
diffs = [f for f in os.listdir(rec) if os.path.isfile(os.path.join(rec, f)) and f != "config.csv"
         and not filecmp.cmp(os.path.join(rec, f), os.path.join(TMP, "rec2", f), shallow=False)]
cfg2 = dict(row[:2] for row in csv.reader(open(os.path.join(TMP, "rec2", "config.csv"), encoding="utf-8")))
cfg1 = dict(row[:2] for row in csv.reader(open(os.path.join(rec, "config.csv"), encoding="utf-8")))
check("the same command twice gives the same files, byte for byte (config.csv but for its name)",
      r.returncode == 0 and not diffs and dict(cfg1, name="") == dict(cfg2, name=""), diffs)

# --recurrent alone: width 16; the model loads and --export writes the classifiers' probabilities
r = run(*common, "--recurrent", "--out", os.path.join(TMP, "rec16"))
cfg = dict(row[:2] for row in csv.reader(open(os.path.join(TMP, "rec16", "config.csv"), encoding="utf-8")))
check("--recurrent alone: d_hidden 16", r.returncode == 0 and cfg.get("d_hidden") == "16", r.stderr, cfg)
exp = os.path.join(TMP, "exp")
r = run("--model", os.path.join(TMP, "rec16"), "--export", exp, "not", "the", "food")
probs = {}
for m in ("rnn", "lstm"):
    p = os.path.join(exp, m + "_probabilities.csv")
    rows = list(csv.reader(open(p))) if os.path.exists(p) else []
    probs[m] = rows
check("--export writes rnn_/lstm_probabilities.csv (header token,<classes>, one row 'sentence', summing to 1)",
      r.returncode == 0 and all(rows and rows[0] == ["token", "negative", "positive"] and rows[1][0] == "sentence"
                                and abs(sum(float(x) for x in rows[1][1:]) - 1) < 1e-6 for rows in probs.values()),
      probs, r.stderr)

# --set reaches the classifiers: a what-if edit changes the RNN's prediction; a random model has none
TINY_EN = os.path.join(ROOT, "assets", "models", "tiny-en")
r = run("--model", TINY_EN, "--set", "rnn_w_cls[0,1]=5", "--export", os.path.join(TMP, "set"), "the", "movie")
row = list(csv.reader(open(os.path.join(TMP, "set", "rnn_w_cls.csv"))))[0] if r.returncode == 0 else []
check("--set rnn_w_cls[0,1]=5 is applied (the exported copy holds 5)", r.returncode == 0 and row[1:] == ["5"],
      row, r.stderr)
r = run("--model", os.path.join(ROOT, "assets", "models", "random-en"), "--set", "rnn_w_cls[0,0]=1", "--print", "a")
check("--set rnn_w_cls on a model without recurrent classifiers: exit 2, 'this model has no rnn_w_cls.csv'",
      r.returncode == 2 and b"this model has no rnn_w_cls.csv" in r.stderr, r.stderr)
r = run("--model", TINY_EN, "--set", "lstm_b_cls[0,2]=1", "--print", "a")
check("--set lstm_b_cls[0,2]: column out of range (2 classes)",
      r.returncode == 2 and b"column 2 is out of range (lstm_b_cls has 2 columns)" in r.stderr, r.stderr)

# bad options
for args, what in ((["--d-hidden", "0"], "--d-hidden 0"), (["--d-hidden", "x"], "--d-hidden x"),
                   (["--recurrent", "--task", "lm"], "--recurrent with --task lm"), (["--d-hidden"], "--d-hidden last")):
    r = run("train", good, "--out", os.path.join(TMP, "bad"), *args)
    err = r.stderr.decode()
    check("%s: a usage error (exit 2) naming the option" % what,
          r.returncode == 2 and ("--d-hidden" in err or "--recurrent" in err), err)
check("nothing is written after a usage error", not os.path.exists(os.path.join(TMP, "bad")))

# a bundle missing one classifier file is refused, naming it
broken = os.path.join(TMP, "broken")
shutil.copytree(rec, broken)
os.remove(os.path.join(broken, "lstm_w_cls.csv"))
r = run("--model", broken, "--print", "the", "movie")
err = r.stderr.decode()
check("a bundle with 3 of the 4 classifier files: one error naming the missing one, exit 1",
      r.returncode == 1 and "lstm_w_cls.csv" in err and "3 of 4" in err and len(err.strip().split("\n")) == 1, err)

# --bench: the recurrent forward passes beside one attention layer at 8, 64 and 512 tokens
import re  # noqa: E402
r = run("--bench", "--model", os.path.join(ROOT, "assets", "models", "tiny-en"), timeout=600)
out = r.stdout.decode()
rows = re.findall(r"^ +(\d+) tokens: RNN +([\d.]+) µs, LSTM +([\d.]+) µs \((\d+) steps in a row\); "
                  r"attention +([\d.]+) µs \(1 step over all words\)$", out, re.M)
check("--bench times the RNN, the LSTM (N steps in a row) and attention (1 step) at 8, 64 and 512 tokens",
      r.returncode == 0 and "sequential vs parallel, one thread (d_hidden 16, d_model 16)" in out
      and [int(x[0]) for x in rows] == [8, 64, 512] and all(x[0] == x[3] for x in rows)
      and all(float(v) > 0 for x in rows for v in (x[1], x[2], x[4])), out[-600:], r.stderr[-300:])

shutil.rmtree(TMP, ignore_errors=True)
finish()
