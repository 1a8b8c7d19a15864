#!/usr/bin/env python3
"""Transfer learning from the command line (stdlib only, TAP output).

Usage: test_transfer.py ATTNSTEP_BINARY SOURCE_ROOT

`attnstep train DATA --from BUNDLE --freeze encoder` writes the embeddings,
attention, norms and feed-forward byte for byte as BUNDLE has them and trains
the classifier; `--freeze none` moves every weight; data whose classes are not
BUNDLE's gets a new classifier (with either mode); the log says how many
tokens are <unk>; bad input (--freeze without --from, an unknown mode, data the
model cannot read at all) gets a clear error. `attnstep transfer` trains the
three models and writes comparison.csv, the same for the same seed.
"""
import csv
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-transfer-")
MODELS = os.path.join(ROOT, "assets", "models")
DATA = os.path.join(ROOT, "assets", "data")
TINY_EN, TINY_KO = os.path.join(MODELS, "tiny-en"), os.path.join(MODELS, "tiny-ko")
# the encoder: everything --freeze encoder keeps; the classifier: what it trains
ENCODER = ["vocab.csv", "tokenizer.csv", "w_q.csv", "w_k.csv", "w_v.csv", "w_o.csv", "b_q.csv", "b_k.csv", "b_v.csv",
           "b_o.csv", "ln1_gamma.csv", "ln1_beta.csv", "w_ff1.csv", "b_ff1.csv", "w_ff2.csv", "b_ff2.csv",
           "ln2_gamma.csv", "ln2_beta.csv"]
CLASSIFIER = ["w_cls.csv", "b_cls.csv"]


def run(*args, lang="en", timeout=300):
    env = {k: v for k, v in os.environ.items() if k not in ("ATTNSTEP_MODEL", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"
    r = subprocess.run([BIN, "--lang", lang, *args], capture_output=True, timeout=timeout, env=env, cwd=TMP,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout.decode("utf-8", errors="replace"), r.stderr.decode("utf-8", errors="replace")


def write(name, rows):
    path = os.path.join(TMP, name)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("text", "label"))
        w.writerows(rows)
    return path


def rows_of(path, n=None):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    return rows[:n] if n else rows


def labels(model):
    with open(os.path.join(model, "config.csv"), encoding="utf-8") as f:
        return [r[1] for r in csv.reader(f) if r and r[0] == "labels"][0]


def same(a, b, name):
    return filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False)


def out(name):
    return os.path.join(TMP, name)


# 40 sentences of tiny-en's own kind, and 40 with classes tiny-en does not have
small = write("small.csv", rows_of(os.path.join(DATA, "sentiment-en-test.csv"), 40))
renamed = write("renamed.csv", [(t, "recommend" if lab == "positive" else "avoid") for t, lab in rows_of(small)])
one_class = write("one-class.csv", [(t, "recommend") for t, _ in rows_of(small)])

# ---- --freeze encoder: the encoder byte for byte, the classifier trained
rc, so, se = run("train", small, "--from", TINY_EN, "--freeze", "encoder", "--epochs", "3", "--out", out("fe"))
check("train --from tiny-en --freeze encoder: exit 0", rc == 0, se, so)
kept = [n for n in ENCODER if os.path.exists(os.path.join(TINY_EN, n))]
check("--freeze encoder: the %d encoder files (embeddings, attention, norms, feed-forward, tokenizer) are tiny-en's "
      "byte for byte" % len(kept), rc == 0 and len(kept) == len(ENCODER)
      and all(same(out("fe"), TINY_EN, n) for n in kept), [n for n in kept if rc == 0 and not same(out("fe"), TINY_EN, n)])
check("--freeze encoder: the classifier (w_cls, b_cls) has learned: both differ from tiny-en's",
      rc == 0 and not any(same(out("fe"), TINY_EN, n) for n in CLASSIFIER))
check("--freeze encoder: every snapshot keeps the encoder too (epoch 1 and 3)",
      rc == 0 and all(same(os.path.join(out("fe"), "snapshots", e), TINY_EN, n)
                      for e in ("epoch-001", "epoch-003") for n in ENCODER))
check("--freeze encoder: the log says what is kept and what learns, and the <unk> count",
      "feature-based transfer" in so and "only the classifier" in so and "is kept" in so
      and "0 of " in so and "are <unk>" in so, so)
with open(os.path.join(out("fe"), "config.csv"), encoding="utf-8") as f:
    conf = f.read()
check("--freeze encoder is recorded in the model's description", "--freeze encoder" in conf
      and "--from " + TINY_EN in conf, conf)

# ---- --freeze none (and the default): every weight moves
rc, so, se = run("train", small, "--from", TINY_EN, "--freeze", "none", "--epochs", "3", "--out", out("ft"))
moved = [n for n in ENCODER + CLASSIFIER if n != "tokenizer.csv" and not same(out("ft"), TINY_EN, n)]
check("--freeze none: every one of the %d weight files differs from tiny-en's" % (len(ENCODER) + 1),
      rc == 0 and len(moved) == len(ENCODER) + 1, se, sorted(set(ENCODER + CLASSIFIER) - set(moved)))
check("--freeze none: the tokenizer is tiny-en's, and the log says fine-tuning",
      rc == 0 and same(out("ft"), TINY_EN, "tokenizer.csv") and "fine-tuning" in so, so)
rc, so2, se = run("train", small, "--from", TINY_EN, "--epochs", "3", "--out", out("ft-default"))
check("--from without --freeze fine-tunes: the same model as --freeze none, byte for byte",
      rc == 0 and all(same(out("ft"), out("ft-default"), n) for n in ENCODER + CLASSIFIER), se)

# ---- a new classifier for new classes, with both modes
for mode in ("encoder", "none"):
    d = out("new-" + mode)
    rc, so, se = run("train", renamed, "--from", TINY_EN, "--freeze", mode, "--epochs", "2", "--out", d)
    ok = rc == 0
    check("--freeze %s on classes tiny-en lacks (avoid, recommend): a new classifier over them" % mode,
          ok and labels(d) == "avoid;recommend" and "a new classifier" in so, se, so)
    if ok:
        with open(os.path.join(d, "snapshots", "epoch-000", "w_cls.csv")) as f:
            start = [list(map(float, r)) for r in csv.reader(f)]
        with open(os.path.join(TINY_EN, "w_cls.csv")) as f:
            old = [list(map(float, r)) for r in csv.reader(f)]
        with open(os.path.join(d, "snapshots", "epoch-000", "b_cls.csv")) as f:
            b0 = [float(x) for x in next(csv.reader(f))]
        check("--freeze %s: the new classifier starts from fresh weights (16 × 2, not tiny-en's) and zero biases"
              % mode, len(start) == 16 and all(len(r) == 2 for r in start) and start != old
              and b0 == [0.0, 0.0], start[:2], old[:2])
    if mode == "encoder":
        check("--freeze encoder with a new classifier: the encoder is still tiny-en's byte for byte",
              ok and all(same(d, TINY_EN, n) for n in ENCODER))
rc, so, se = run("train", renamed, "--from", TINY_EN, "--freeze", "encoder", "--epochs", "2", "--out", out("new-2"))
check("the new classifier is seeded: the same run gives the same model",
      rc == 0 and all(same(out("new-encoder"), out("new-2"), n) for n in CLASSIFIER))

# ---- bad input
rc, so, se = run("train", small, "--freeze", "encoder", "--out", out("x1"))
check("--freeze without --from: usage error, exit 2", rc == 2 and "--freeze" in se and "--from" in se
      and not os.path.exists(out("x1")), rc, se)
rc, so, se = run("train", small, "--from", TINY_EN, "--freeze", "all", "--out", out("x2"))
check("--freeze all: usage error naming the modes, exit 2", rc == 2 and "none" in se and "encoder" in se
      and "'all'" in se and not os.path.exists(out("x2")), rc, se)
rc, so, se = run("train", small, "--from", TINY_EN, "--freeze", "--out", out("x3"))
check("--freeze with a missing mode: exit 2", rc == 2 and not os.path.exists(out("x3")), rc, se)
rc, so, se = run("train", small, "--from", TINY_EN, "--freeze", "all", "--out", out("x4"), lang="ko")
check("--freeze all in Korean: exit 2, a Korean message", rc == 2 and "--freeze" in se
      and any("\uac00" <= c <= "\ud7a3" for c in se), rc, se)
korean = os.path.join(DATA, "sentiment-ko-test.csv")
rc, so, se = run("train", korean, "--from", TINY_EN, "--out", out("x5"))
lines = se.strip().split("\n")
check("Korean data on tiny-en: exit 1, one line: the model knows none of its words", rc == 1 and len(lines) == 1
      and lines[0].startswith("attnstep: " + korean) and "<unk>" in lines[0] and "knows nothing" in lines[0]
      and not os.path.exists(out("x5")), rc, se)
rc, so, se = run("train", os.path.join(DATA, "sentiment-en-test.csv"), "--from", TINY_KO, "--freeze", "encoder",
                 "--out", out("x6"))
check("English data on tiny-ko: exit 1, the same reason", rc == 1 and "knows nothing" in se, rc, se)
rc, so, se = run("train", one_class, "--from", TINY_EN, "--freeze", "encoder", "--out", out("x7"))
check("one new class only: exit 1, a classifier needs two", rc == 1 and "two classes" in se, rc, se)
rc, so, se = run("train", "--help")
check("train --help lists --freeze and its modes", rc == 0 and "--freeze MODE" in so and "encoder" in so, so)

shutil.rmtree(TMP, ignore_errors=True)
finish()
