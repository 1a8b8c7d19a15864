#!/usr/bin/env python3
"""End-to-end tests of `attnstep train --task lm` (stdlib only, TAP output).

Usage: test_train_lm.py ATTNSTEP_BINARY SOURCE_ROOT

Bad data and options get one clear line (exit 1, usage 2); a small language
model trains, is reproducible byte for byte, loads and generates; training.csv
has the lm columns; the bigram baseline train prints is assets/data/bigram.py's
figure (tokens after the first, and <eos>) on both shipped corpora; and the
shipped tiny-lm-en / tiny-lm-ko beat that baseline on held-out perplexity and
are exactly what their recorded command produces.
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
from tap import check, finish, hangul, run_attnstep

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-train-lm-")
DATA = os.path.join(ROOT, "assets", "data")
MODELS = os.path.join(ROOT, "assets", "models")


def run(*args, lang="en", timeout=300):
    return run_attnstep(BIN, args, lang, cwd=ROOT, timeout=timeout)


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(text)
    return path


def one_error(res, *needles, code=1):
    rc, _, err = res
    lines = err.strip().split("\n")
    return rc == code and len(lines) == 1 and lines[0].startswith("attnstep: ") and all(n in lines[0] for n in needles)


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def out(name):
    return os.path.join(TMP, "out", name)


# ---- bad input ------------------------------------------------------------------------------------------
good = write("good.csv", "text\nthe cat sat .\nthe dog sat .\na cat ran .\na dog ran .\n")
res = run("train", good, "--task", "nonsense", "--out", out("x"))
rc, _, err = res
check("--task nonsense: usage error (2) naming classify and lm", rc == 2 and "classify or lm" in err, rc, err)
res = run("train", write("notext.csv", "sentence,label\nthe cat,a\n"), "--task", "lm", "--out", out("x"))
check("data without a text column: file:1:1, says a text column is needed",
      one_error(res, "notext.csv:1:1:", "text"), res)
res = run("train", write("empty.csv", ""), "--task", "lm", "--out", out("x"))
check("an empty file: one line naming it, exit 1", one_error(res, "empty.csv:1:1:"), res)
res = run("train", write("header.csv", "text\n"), "--task", "lm", "--out", out("x"))
check("a header and no sentence: file:2:1, no sentences", one_error(res, "header.csv:2:1:", "no sentences"), res)
res = run("train", write("ragged.csv", "text,label\nthe cat,a\nthe dog\n"), "--task", "lm", "--out", out("x"))
check("a row with fewer fields than the header: its line", one_error(res, "ragged.csv:3:1:", "header has 2"), res)
res = run("train", write("emptysent.csv", 'text\nthe cat sat\n""\n'), "--task", "lm", "--out", out("x"))
check("an empty sentence: its cell, says a language model needs a token",
      one_error(res, "emptysent.csv:3:1:", "at least one token"), res)
res = run("train", good, "--task", "lm", "--test", write("badtest.csv", "words\nthe cat\n"), "--out", out("x"))
check("a test file without a text column: the test file's line", one_error(res, "badtest.csv:1:1:"), res)
res = run("train", good, "--task", "lm", "--from", os.path.join(MODELS, "tiny-en"), "--out", out("x"))
check("--from with --task lm: exit 1, not supported yet", one_error(res, "--from", "--task lm", "not supported"), res)
res = run("train", good, "--task", "lm", "--from", os.path.join(MODELS, "tiny-en"), "--tokenizer", "word",
          "--out", out("x"))
check("--from with --task lm and --tokenizer: still exit 1, the lm reason", one_error(res, "not supported"), res)
res = run("train", good, "--task", "lm", "--d-model", "10", "--heads", "3", "--out", out("x"))
check("heads not dividing d_model: exit 1", one_error(res, "divide"), res)
check("nothing is left behind by the failed runs", not os.path.exists(out("x")), os.listdir(TMP))
res = run("train", write("notext-ko.csv", "sentence\n고양이\n"), "--task", "lm", "--out", out("x"), lang="ko")
check("Korean: the missing text column in Korean, file:1:1 kept", one_error(res, "notext-ko.csv:1:1:")
      and hangul(res[2]), res)

# ---- a small language model, twice -----------------------------------------------------------------------
TRAIN, TEST = os.path.join(DATA, "lm-en-train.csv"), os.path.join(DATA, "lm-en-test.csv")
small = write("small.csv", "text\n" + "".join(r[0] + "\n" for r in rows(TRAIN)[1:201]))
runs = [run("train", small, "--task", "lm", "--tokenizer", "word", "--test", TEST, "--epochs", "3", "--d-model", "8",
            "--d-ff", "16", "--out", out(os.path.join(d, "m"))) for d in ("a", "b")]
ok = all(r[0] == 0 for r in runs)
A, B = out(os.path.join("a", "m")), out(os.path.join("b", "m"))
same = ok and all(filecmp.cmp(os.path.join(A, p), os.path.join(B, p), shallow=False)
                  for p in ("vocab.csv", "w_lm.csv", "b_lm.csv", "w_q.csv", "training.csv", "config.csv"))
check("train --task lm runs, and the same data and seed give the same files byte for byte", same,
      *(r[2][-400:] for r in runs))
rc, so, se = runs[0]
check("it says what it trains on: sentences, tokens to predict, vocabulary",
      re.search(r"training a language model on 200 sentences \(\d+ tokens to predict, vocabulary of \d+\)", so), so)
check("it prints the bigram baseline to beat at the start, and model vs bigram at the end",
      re.search(r"baseline to beat on .*lm-en-test.csv: add-one bigram perplexity [\d.]+", so)
      and re.search(r"held-out perplexity: model [\d.]+, (not )?below the bigram's [\d.]+", so), so)
conf = dict(r[:2] for r in rows(os.path.join(A, "config.csv"))) if ok else {}
vocab = [r[0] for r in rows(os.path.join(A, "vocab.csv"))[1:]] if ok else []
wlm = rows(os.path.join(A, "w_lm.csv")) if ok else []
blm = rows(os.path.join(A, "b_lm.csv")) if ok else []
check("the bundle: task,lm, <eos> and <unk> in the vocabulary, w_lm d_model × V, b_lm 1 × V, no classifier",
      conf.get("task") == "lm" and "<eos>" in vocab and "<unk>" in vocab and len(wlm) == 8
      and all(len(r) == len(vocab) for r in wlm) and len(blm) == 1 and len(blm[0]) == len(vocab)
      and "labels" not in conf and not os.path.exists(os.path.join(A, "w_cls.csv")), conf, len(wlm))
check("the description records the command with --task lm",
      conf.get("description", "").startswith("trained: attnstep train ") and " --task lm " in conf.get("description", "")
      and "--tokenizer word" in conf.get("description", ""), conf.get("description"))
log = rows(os.path.join(A, "training.csv")) if ok else [[]]
check("training.csv: epoch,loss,train_perplexity,test_perplexity,bigram_perplexity, one row per epoch from 0",
      log[0] == ["epoch", "loss", "train_perplexity", "test_perplexity", "bigram_perplexity"] and len(log) == 5
      and [r[0] for r in log[1:]] == ["0", "1", "2", "3"] and all(len(r) == 5 for r in log), log[:3])
numbers = [[float(x) for x in r] for r in log[1:]] if len(log) == 5 else []
check("the loss falls, perplexity = exp(mean loss) at epoch 0, and the bigram column is one figure",
      numbers and numbers[-1][1] < numbers[0][1] and abs(numbers[0][2] - 2.718281828459045 ** numbers[0][1])
      < 1e-6 * numbers[0][2] and len({r[4] for r in numbers}) == 1, numbers)
snaps = sorted(os.listdir(os.path.join(A, "snapshots"))) if ok else []
check("snapshots from epoch 000 to 003, each a language model",
      snaps == ["epoch-000", "epoch-001", "epoch-002", "epoch-003"] and all(
          "task,lm" in open(os.path.join(A, "snapshots", s, "config.csv")).read() for s in snaps), snaps)
rc, so, se = run("--model", A, "--print", "--generate", "5", "my", "mother")
check("the trained model loads with --model and --generate prints a continuation",
      rc == 0 and re.search(r"^Text: my mother", so, re.M), so[-400:], se)
rc, so, se = run("train", os.path.join(DATA, "sentiment-en-train.csv"), "--task", "lm", "--epochs", "1",
                 "--d-model", "4", "--d-ff", "4", "--out", out("from-labelled"))
check("text,label data trains a language model too (the label column is read past), bpe by default",
      rc == 0 and os.path.exists(os.path.join(out("from-labelled"), "tokenizer.csv"))
      and "no --test" in so, so[-300:], se)
rc, so, se = run("train", small, "--task", "lm", "--epochs", "1", "--d-model", "4", "--d-ff", "4",
                 "--out", out("ko-words"), lang="ko")
check("--lang ko: the lm lines in Korean", rc == 0 and hangul(so) and "퍼플렉서티" in so and "loss" not in so
      and "perplexity train" not in so, so)

# ---- the bigram baseline against assets/data/bigram.py ------------------------------------------------
r = subprocess.run([sys.executable, "-B", os.path.join(DATA, "bigram.py")], capture_output=True, timeout=120)
py = dict(re.findall(r"^(en|ko): add-one bigram perplexity ([\d.]+) over \d+ predictions \(tokens after the first",
                     r.stdout.decode(), re.M))
check("bigram.py gives the after-first figure for en and ko", set(py) == {"en", "ko"}, r.stdout, r.stderr)
for lang in ("en", "ko"):
    rc, so, se = run("train", os.path.join(DATA, "lm-%s-train.csv" % lang), "--task", "lm", "--tokenizer", "word",
                     "--test", os.path.join(DATA, "lm-%s-test.csv" % lang), "--epochs", "1", "--d-model", "4",
                     "--d-ff", "4", "--out", out("bigram-" + lang))
    m = re.search(r"add-one bigram perplexity ([\d.]+)", so)
    logged = rows(os.path.join(out("bigram-" + lang), "training.csv"))[1][4] if rc == 0 else "nan"
    check("%s: the C bigram perplexity (word tokens) is bigram.py's %s, printed and in training.csv"
          % (lang, py.get(lang)), m and m.group(1) == py.get(lang) and "%.2f" % float(logged) == py.get(lang),
          so, se)

# ---- the shipped language models ---------------------------------------------------------------------------
for name, lang, prompt in (("tiny-lm-en", "en", ["my", "mother"]), ("tiny-lm-ko", "ko", ["민수는"])):
    model = os.path.join(MODELS, name)
    if not os.path.isdir(model):
        check("%s is shipped" % name, False, "no " + model)
        continue
    conf = dict(r[:2] for r in rows(os.path.join(model, "config.csv")))
    log = rows(os.path.join(model, "training.csv"))
    last = dict(zip(log[0], log[-1]))
    check("%s: its held-out perplexity (%s) beats the bigram's (%s, bigram.py's %s)"
          % (name, last.get("test_perplexity"), last.get("bigram_perplexity"), py.get(lang)),
          conf.get("task") == "lm" and float(last["test_perplexity"]) < float(last["bigram_perplexity"])
          and "%.2f" % float(last["bigram_perplexity"]) == py.get(lang), last)
    rc, so, se = run("--model", model, "--print", "--generate", "12", *prompt)
    text = re.findall(r"^Text: (.*)$", so, re.M)
    check("%s: greedy generation from %s ends a sentence with <eos>" % (name, " ".join(prompt)),
          rc == 0 and text and text[-1].startswith(" ".join(prompt)) and text[-1].endswith(". <eos>"), so[-300:], se)
    cmd = shlex.split(conf["description"].split("trained: ", 1)[1])
    again = os.path.join(TMP, "retrain", name)
    rc, so, se = run(*cmd[1:], "--out", again)
    diffs = []
    for dirpath, _, files in os.walk(model):
        for f in files:
            p = os.path.join(dirpath, f)
            q = os.path.join(again, os.path.relpath(p, model))
            if not os.path.exists(q) or not filecmp.cmp(p, q, shallow=False):
                diffs.append(os.path.relpath(p, model))
    check("%s: retraining with its recorded command reproduces every shipped file" % name, rc == 0 and not diffs,
          " ".join(cmd), se[-300:], diffs[:5])

shutil.rmtree(TMP, ignore_errors=True)
finish(6)
