#!/usr/bin/env python3
"""The compare view with trained recurrent models (issue 13), in tmux (stdlib
only, TAP output).

Usage: test_screen_compare_trained.py ATTNSTEP_BINARY SOURCE_ROOT

tiny-en and tiny-ko carry an RNN and an LSTM trained by `train --recurrent`:
under each influence column the model's prediction for the sentence (the
export's rnn_/lstm_probabilities.csv and probabilities.csv) and its held-out
accuracy (training_recurrent.csv, training.csv); the bars are the trained
weights' influence (the export's influence.csv); the narration says the
accuracies, whole, in English and in Korean. A model with random recurrent
weights says they are random.
"""
import csv
import os
import re
import subprocess
import sys
import tempfile

import test_screen as ts
from test_screen import attnstep, expect, split_lines, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

ROOT, BIN = ts.ROOT, ts.BIN
MODELS = os.path.join(ROOT, "assets", "models")
TINY_EN, TINY_KO, RANDOM_EN = (os.path.join(MODELS, m) for m in ("tiny-en", "tiny-ko", "random-en"))
TMP = tempfile.mkdtemp(prefix="attnstep-cmp-trained-")


def flat(screen):
    return " ".join(l.strip() for l in split_lines(screen))


def accuracies(model):
    """{rnn, lstm, attention: last held-out accuracy, as the screen rounds it}."""
    acc = {}
    for row in csv.DictReader(open(os.path.join(model, "training_recurrent.csv"))):
        acc[row["model"]] = float(row["test_accuracy"])
    acc["attention"] = float(list(csv.DictReader(open(os.path.join(model, "training.csv"))))[-1]["test_accuracy"])
    return {k: "%.0f%%" % (100 * v) for k, v in acc.items()}


def export(model, words):
    out = os.path.join(TMP, os.path.basename(model))
    subprocess.run([BIN, "--model", model, "--export", out, "--force", "--", *words], check=True,
                   capture_output=True)
    pred = {}
    for m, f in (("rnn", "rnn_probabilities.csv"), ("lstm", "lstm_probabilities.csv"),
                 ("attention", "probabilities.csv")):
        rows = list(csv.reader(open(os.path.join(out, f))))
        probs = [float(x) for x in rows[1][1:]]
        best = max(range(len(probs)), key=lambda i: probs[i])
        pred[m] = "%s %.0f%%" % (rows[0][1 + best], 100 * probs[best])
    infl = {row[0]: [float(x) for x in row[1:]] for row in list(csv.reader(open(os.path.join(out, "influence.csv"))))[1:]}
    return pred, infl


SENTENCE_EN = "the movie was not good".split()


@test("tiny-en, 120×40: each model's prediction and held-out accuracy under its column, the export's class and "
      "the training logs' accuracy; the bars are the trained weights' influence")
def t_predictions_en():
    acc = accuracies(TINY_EN)
    pred, infl = export(TINY_EN, SENTENCE_EN)
    with attnstep("--model", TINY_EN, "--compare", *SENTENCE_EN, w=120, h=40) as p:
        s = p.settle(lambda s: "Held-out accuracy" in s)
        lines = split_lines(s)
        row = next((l for l in lines if l.count("· test ") == 3), None)
        expect(row, "no row of three predictions with their test accuracy", s)
        for m in ("rnn", "lstm", "attention"):
            want = "%s · test %s" % (pred[m], acc[m])
            expect(want in row, "%s: %r not in %r" % (m, want, row), s)
        # the RNN's bars: its number column equals the export's influence (trained weights)
        for i, tok in enumerate(["the", "mov", "##ie", "was", "not", "good"]):
            bar = next((l for l in lines if l.split() and l.split()[0] == tok and "█" in l or "▏" in l and
                        l.split() and l.split()[0] == tok), None)
            expect(bar, "no bar row for %s" % tok, s)
            nums = [float(x) for x in re.findall(r"\d+\.\d+", bar)]
            expect(len(nums) == 3 and abs(nums[0] - infl["rnn"][i]) <= 1e-4 * max(1, infl["rnn"][i])
                   and abs(nums[1] - infl["lstm"][i]) <= 1e-4 * max(1, infl["lstm"][i]),
                   "%s: bars %r, export rnn %r lstm %r" % (tok, nums, infl["rnn"][i], infl["lstm"][i]), s)


@test("tiny-en, 80×24: the narration states the three held-out accuracies, whole; at 64×18, where the bars need "
      "the rows, the bars come first and no sentence is cut")
def t_narration_en():
    acc = accuracies(TINY_EN)
    want = "Held-out accuracy: RNN %s, LSTM %s, transformer %s." % (acc["rnn"], acc["lstm"], acc["attention"])
    with attnstep("--model", TINY_EN, "--compare", *SENTENCE_EN, w=80, h=24) as p:
        s = p.settle(lambda s: "Held-out" in s)
        expect("Trained on the same data. " + want in flat(s), "%r not said whole" % want, s)
        expect("…" not in flat(s).split("Trained on")[1], "the narration is cut", s)
        expect(all(len(l) <= 80 for l in split_lines(s)), "a line wider than 80", s)
    with attnstep("--model", TINY_EN, "--compare", *SENTENCE_EN, w=64, h=18) as p:
        s = p.settle(lambda s: "good" in s and "negative" in s)
        text = flat(s)
        expect("Trained on" not in text or want in text, "a cut narration at 64×18", s)
        expect(all(len(l) <= 64 for l in split_lines(s)), "a line wider than 64", s)


@test("tiny-ko --lang ko, 80×24: predictions (부정) with 테스트 accuracies and the Korean narration, whole")
def t_korean():
    acc = accuracies(TINY_KO)
    words = ["영화가", "좋지", "않았다"]
    pred, _ = export(TINY_KO, words)
    with attnstep("--lang", "ko", "--model", TINY_KO, "--compare", *words, w=80, h=24) as p:
        s = p.settle(lambda s: "테스트 정확도는" in s)
        text = flat(s)
        want = "같은 데이터로 학습했습니다. 테스트 정확도는 RNN %s, LSTM %s, 트랜스포머 %s입니다." % (
            acc["rnn"], acc["lstm"], acc["attention"])
        expect(want in text, "the Korean narration %r is not on screen whole" % want, s)
        for m in ("rnn", "lstm", "attention"):
            expect("%s · 테스트 %s" % (pred[m], acc[m]) in s or pred[m] in s, "%s: %r missing" % (m, pred[m]), s)
        expect("Held-out" not in s and "test" not in s, "English left", s)


@test("random-en: its recurrent weights are said to be random, not trained; no prediction row")
def t_random():
    with attnstep("--model", RANDOM_EN, "--compare", w=80, h=24) as p:
        s = p.settle(lambda s: "random, not trained" in s)
        expect("These RNN and LSTM weights are random, not trained" in flat(s), "no random narration", s)
        expect("Held-out" not in s and "· test" not in s, "a trained model's figures on a random one", s)


if __name__ == "__main__":
    sys.exit(ts.main())
