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
import sys
import tempfile
from tap import check, finish, regenerates, run_attnstep, write_csv

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
    return run_attnstep(BIN, args, lang, cwd=TMP, timeout=timeout)


def write(name, rows):
    return write_csv(TMP, name, rows)


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
REC_FILES = ["rnn_w_xh.csv", "rnn_w_hh.csv", "rnn_w_cls.csv", "lstm_w_x.csv", "lstm_w_cls.csv",
             "training_recurrent.csv"]
left = [n for n in REC_FILES if os.path.exists(os.path.join(out("ft"), n))]
check("--from tiny-en (which has a trained RNN and LSTM): the new model has neither, since their weights and "
      "classifier were trained on tiny-en's embeddings and classes", rc == 0 and os.path.exists(
          os.path.join(TINY_EN, "rnn_w_cls.csv")) and not left, left)
rc, so3, se = run("train", small, "--from", TINY_EN, "--recurrent", "--epochs", "3", "--out", out("ft-rec"))
check("--from tiny-en --recurrent: new RNN and LSTM classifiers, trained on this data (training_recurrent.csv)",
      rc == 0 and all(os.path.exists(os.path.join(out("ft-rec"), n)) for n in REC_FILES)
      and not same(out("ft-rec"), TINY_EN, "rnn_w_cls.csv"), se)

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

# ---- the shipped small task: the generator rewrites it byte for byte; sizes and labels
gen = os.path.join(TMP, "gen")
os.makedirs(gen)
shutil.copy(os.path.join(DATA, "make_sentiment.py"), gen)  # make_reviews.py imports its helpers
NAMES = ["reviews-%s-%s.csv" % (l, s) for l in ("en", "ko") for s in ("train", "test")]
ok, err = regenerates(DATA, "make_reviews.py", NAMES, gen)
check("make_reviews.py rewrites the four reviews-*.csv files byte for byte", ok, err)
for lang, labs in (("en", {"recommend", "avoid"}), ("ko", {"추천", "비추천"})):
    tr, te = (rows_of(os.path.join(DATA, "reviews-%s-%s.csv" % (lang, s))) for s in ("train", "test"))
    check("reviews-%s: 48 training and 200 test sentences, both classes equally, no test sentence in training"
          % lang, len(tr) == 48 and len(te) == 200 and {l for _, l in tr + te} == labs
          and sum(l == sorted(labs)[0] for _, l in tr) == 24 and sum(l == sorted(labs)[0] for _, l in te) == 100
          and not {t for t, _ in tr} & {t for t, _ in te} and len({t for t, _ in te}) == 200, len(tr), len(te))

# ---- attnstep transfer: three models, comparison.csv, reproducible for a seed
SMALL_EN, TEST_EN = os.path.join(DATA, "reviews-en-train.csv"), os.path.join(DATA, "reviews-en-test.csv")


def transfer(dest, *extra, lang="en"):
    return run("transfer", SMALL_EN, "--from", TINY_EN, "--test", TEST_EN, "--out", dest, "--epochs", "3", *extra,
               lang=lang)


rc, so, se = transfer(out("t1"))
check("transfer: exit 0, a line per model and the directory written", rc == 0 and "scratch" in so
      and "feature-based" in so and "fine-tuned" in so and "wrote " + out("t1") in so, se, so)
MODELS3 = ("scratch", "feature", "finetune")
check("transfer writes scratch, feature and finetune (models with snapshots and training.csv) and comparison.csv",
      rc == 0 and all(os.path.exists(os.path.join(out("t1"), m, f)) for m in MODELS3
                      for f in ("config.csv", "w_q.csv", "w_cls.csv", "training.csv", "snapshots/epoch-003"))
      and os.path.exists(os.path.join(out("t1"), "comparison.csv")), os.listdir(out("t1")) if rc == 0 else se)
if rc == 0:
    with open(os.path.join(out("t1"), "comparison.csv"), newline="") as f:
        comp = list(csv.reader(f))
    head = ["epoch"] + ["%s_%s" % (m, k) for m in MODELS3 for k in ("loss", "test_accuracy")]
    check("comparison.csv: the header epoch, then loss and test accuracy per model; epochs 0 to 3",
          comp[0] == head and [r[0] for r in comp[1:]] == ["0", "1", "2", "3"], comp[:2])
    agree = True
    for i, m in enumerate(MODELS3):
        with open(os.path.join(out("t1"), m, "training.csv"), newline="") as f:
            log = list(csv.reader(f))[1:]
        agree &= all(r[1 + 2 * i] == l[1] and r[2 + 2 * i] == l[3] for r, l in zip(comp[1:], log)) and len(log) == 4
    check("comparison.csv holds each model's training.csv figures (loss, test accuracy) exactly", agree)
    check("transfer: the feature model keeps tiny-en's encoder byte for byte; the others moved it",
          all(same(os.path.join(out("t1"), "feature"), TINY_EN, n) for n in ENCODER)
          and not same(os.path.join(out("t1"), "finetune"), TINY_EN, "w_q.csv")
          and not same(os.path.join(out("t1"), "scratch"), TINY_EN, "w_q.csv"))
    check("transfer: scratch has tiny-en's vocabulary rows and tokenizer but not its embeddings",
          same(os.path.join(out("t1"), "scratch"), TINY_EN, "tokenizer.csv")
          and [r[0] for r in rows_of(os.path.join(out("t1"), "scratch", "vocab.csv"))]
          == [r[0] for r in rows_of(os.path.join(TINY_EN, "vocab.csv"))]
          and not same(os.path.join(out("t1"), "scratch"), TINY_EN, "vocab.csv"))
    check("transfer: all three have the data's classes (avoid;recommend), not tiny-en's",
          all(labels(os.path.join(out("t1"), m)) == "avoid;recommend" for m in MODELS3))
    check("transfer: at epoch 0 feature and finetune are the same model (tiny-en's encoder, the same new "
          "classifier): the same loss and test accuracy",
          comp[1][4] == comp[1][6] and comp[1][3] == comp[1][5], comp[1])
rc2, so2, se2 = transfer(out("t2"))
files = [os.path.join(m, f) for m in MODELS3 for f in ("config.csv", "vocab.csv", "w_q.csv", "w_ff1.csv", "w_cls.csv",
                                                       "b_cls.csv", "training.csv")] + ["comparison.csv"]
check("transfer is reproducible: the same seed writes the same %d files byte for byte" % len(files),
      rc == 0 and rc2 == 0 and all(same(out("t1"), out("t2"), f) for f in files),
      [f for f in files if rc2 == 0 and not same(out("t1"), out("t2"), f)])
rc3, _, se3 = transfer(out("t3"), "--seed", "2")
check("transfer with another seed: another comparison.csv", rc3 == 0
      and not same(out("t1"), out("t3"), "comparison.csv"), se3)
rc, so, se = transfer(out("t1"))
check("transfer into a non-empty DIR without --force: exit 1, nothing changed", rc == 1 and "attnstep: " in se
      and same(out("t1"), out("t2"), "comparison.csv"), rc, se)
for missing, args in (("--from", ["transfer", SMALL_EN, "--test", TEST_EN, "--out", out("m1")]),
                      ("--test", ["transfer", SMALL_EN, "--from", TINY_EN, "--out", out("m2")]),
                      ("--out", ["transfer", SMALL_EN, "--from", TINY_EN, "--test", TEST_EN])):
    rc, so, se = run(*args)
    check("transfer without %s: usage error, exit 2, naming it" % missing, rc == 2 and missing in se, rc, se)
rc, so, se = run("transfer", SMALL_EN, "--from", TINY_EN, "--test", TEST_EN, "--out", out("m4"), "--freeze", "none")
check("transfer --freeze (not one of its options): exit 2", rc == 2 and "--freeze" in se, rc, se)
rc, so, se = run("transfer", os.path.join(DATA, "reviews-ko-train.csv"), "--from", TINY_EN, "--test", TEST_EN,
                 "--out", out("m5"))
check("transfer of Korean data from tiny-en: exit 1, one line, nothing written", rc == 1
      and len(se.strip().split("\n")) == 1 and "knows nothing" in se and not os.path.exists(out("m5")), rc, se)
rc, so, se = run("transfer", "--help")
check("transfer --help names the three models and comparison.csv", rc == 0 and "scratch" in so and "feature" in so
      and "finetune" in so and "comparison.csv" in so, so)
rc, so, se = run("transfer", "--help", lang="ko")
check("transfer --help in Korean", rc == 0 and any("\uac00" <= c <= "\ud7a3" for c in so)
      and "comparison.csv" in so, so)
rc, so, se = run("transfer", os.path.join(DATA, "reviews-ko-train.csv"), "--from", TINY_KO, "--test",
                 os.path.join(DATA, "reviews-ko-test.csv"), "--out", out("ko"), "--epochs", "2", lang="ko")
check("transfer in Korean on the Korean task: exit 0, Korean lines, classes 비추천;추천", rc == 0
      and any("\uac00" <= c <= "\ud7a3" for c in so) and labels(os.path.join(out("ko"), "feature")) == "비추천;추천",
      se, so)

shutil.rmtree(TMP, ignore_errors=True)
finish()
