#!/usr/bin/env python3
"""The training view of a language model (stdlib only, TAP output): the
shipped tiny-lm-en and tiny-lm-ko show their perplexity curve with the
bigram baseline's level, the next-token candidates instead of classes, epoch
0 to the end with the step keys, Korean text, and R retrains the model live
from the command in its description.

Usage: test_screen_train_lm.py ATTNSTEP_BINARY SOURCE_ROOT

Reuses the tmux harness of test_screen.py. Exits 77 (skipped) without tmux.
"""
import csv
import os
import sys

import test_screen as ts
from test_screen import Fail, attnstep, expect, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

MODELS = os.path.join(ts.ROOT, "assets", "models")


def last_row(model):
    with open(os.path.join(MODELS, model, "training.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return dict(zip(rows[0], rows[-1])), len(rows) - 2  # the figures, the last epoch


def to_training(p, heading):
    """v until the training view's heading shows (the views before it may grow)."""
    for _ in range(10):
        s = p.settle()
        if heading in s:
            return s
        p.text("v")
        if p.dead():
            raise Fail("attnstep died after v", s)
    return p.settle(heading)


@test("training view on tiny-lm-en: perplexity vs the bigram's dashed level, next tokens, epoch 0 to the end")
def t_lm_training_view():
    last, epochs = last_row("tiny-lm-en")
    with attnstep("--model", os.path.join(MODELS, "tiny-lm-en"), "my", "mother") as p:
        s = to_training(p, "── Training: watching attention learn · epoch %d of %d" % (epochs, epochs))
        flat = " ".join(s.split())
        want = "%.2f, bigram %.2f" % (float(last["test_perplexity"]), float(last["bigram_perplexity"]))
        short = "%.2f (bigram %.2f ╌)" % (float(last["test_perplexity"]), float(last["bigram_perplexity"]))
        expect(want in flat or short in flat, "no perplexity title with the bigram's figure (%s)" % want, s)
        expect("╌╌╌" in s, "no dashed bigram level in the curve", s)
        expect("accuracy" not in flat, "an accuracy curve on a language model", s)
        expect("next token after the sentence" in s and "prediction" not in flat,
               "no next-token candidates in place of the classes", s)
        p.text("g")
        s = p.settle("epoch 0 of %d (snapshot 1 of" % epochs)
        expect("Random start" in s, "epoch 0 is not narrated as the random start", s)
        p.keys("Right")
        p.settle("epoch 1 of %d" % epochs)


@test("training view on tiny-lm-ko in Korean: the perplexity and bigram in Korean; R retrains it live")
def t_lm_training_view_korean():
    last, epochs = last_row("tiny-lm-ko")
    with attnstep("--lang", "ko", "--model", os.path.join(MODELS, "tiny-lm-ko"), "민수는") as p:
        s = to_training(p, "에포크 %d/%d" % (epochs, epochs))
        expect("테스트" in s and "바이그램" in s and "%.2f" % float(last["bigram_perplexity"]) in s,
               "no Korean perplexity title with the bigram's figure", s)
        expect("문장 다음에 올 토큰" in s, "no Korean heading over the next tokens", s)
        p.text("R")
        s = p.wait("다시 학습했습니다", timeout=60)
        expect("%.2f" % float(last["test_perplexity"]) in s,
               "the live run does not end on the shipped model's perplexity %s" % last["test_perplexity"], s)


if __name__ == "__main__":
    sys.exit(ts.main())
