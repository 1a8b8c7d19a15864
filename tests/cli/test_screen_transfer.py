#!/usr/bin/env python3
"""The transfer view (stdlib only, TAP output): a model written by `attnstep
transfer` shows the three test-accuracy curves side by side, with each model's
accuracy at the epoch shown (comparison.csv's figures), and per model a bar of
mean |ΔW| per matrix since epoch 0, in which the feature-based model's frozen
matrices are exactly 0 and only W_cls moves; the step keys go from epoch 0 to
the end; Korean; a model that is not a transfer run never reaches the view.

Usage: test_screen_transfer.py ATTNSTEP_BINARY SOURCE_ROOT

Reuses the tmux harness of test_screen.py. Exits 77 (skipped) without tmux.
"""
import csv
import os
import shutil
import subprocess
import sys

import test_screen as ts
from test_screen import Fail, attnstep, expect, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

DATA = os.path.join(ts.ROOT, "assets", "data")
RUN = os.path.join(ts.TMP, "transfer")
EPOCHS = 4


def make_run():
    if os.path.exists(os.path.join(RUN, "comparison.csv")):
        return
    r = subprocess.run([ts.BIN, "--lang", "en", "transfer", os.path.join(DATA, "reviews-en-train.csv"), "--from",
                        ts.TINY_EN, "--test", os.path.join(DATA, "reviews-en-test.csv"), "--out", RUN, "--epochs",
                        str(EPOCHS)], capture_output=True, env=dict(os.environ, LANG="C.UTF-8"), timeout=120)
    if r.returncode:
        raise Fail("attnstep transfer failed: %s" % r.stderr.decode(errors="replace"))


def comparison():
    with open(os.path.join(RUN, "comparison.csv"), newline="") as f:
        rows = list(csv.reader(f))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def to_view(p, heading):
    """v until heading shows; after each v, the next view's screen (the transfer view reads three
    histories the first time, so wait for the screen to change before looking)."""
    s = p.settle()
    for _ in range(8):
        if heading in s:
            return s
        p.text("v")
        prev = s
        p.wait(lambda t: t != prev, msg="the screen to change after v")
        s = p.settle()
    return p.settle(heading)


@test("transfer view: three accuracy curves with comparison.csv's figures, the feature model's frozen matrices 0")
def t_transfer_view():
    make_run()
    last, first = comparison()[EPOCHS], comparison()[0]
    with attnstep("--model", os.path.join(RUN, "feature"), "the", "lamp", "was", "not", "bright") as p:
        s = to_view(p, "Transfer: scratch, feature-based and fine-tuned · epoch %d of %d" % (EPOCHS, EPOCHS))
        for name, key in (("scratch", "scratch"), ("feature-based", "feature"), ("fine-tuned", "finetune")):
            want = "%s %.1f%%" % (name, 100 * float(last[key + "_test_accuracy"]))
            expect(want in s, "no title %r with comparison.csv's last test accuracy" % want, s)
        expect("pre-trained model's outputs" in s and "Fine-tuning:" in s, "no definitions narrated", s)
        expect(s.count("0 frozen") == 8, "the feature model's 8 frozen matrices are not shown as exactly 0 "
               "(%d)" % s.count("0 frozen"), s)
        cls = [ln for ln in s.split("\n") if ln.lstrip().startswith("W_cls")]
        expect(cls and "frozen" not in cls[0] and cls[0].count(".") == 3,
               "W_cls should have moved in all three models", s)
        expect("epoch %d/%d" % (EPOCHS, EPOCHS) in s.split("\n")[-1] or "epoch %d/%d" % (EPOCHS, EPOCHS) in s,
               "no epoch on the status line", s)
        p.text("g")
        s = p.settle("epoch 0 of %d" % EPOCHS)
        want = "feature-based %.1f%%" % (100 * float(first["feature_test_accuracy"]))
        expect(want in s, "epoch 0 does not show the starting accuracy %r" % want, s)
        expect(s.count("0 frozen") == 27, "at epoch 0 no matrix has moved yet (%d of 27)" % s.count("0 frozen"), s)
        p.keys("Right")
        p.settle("epoch 1 of %d" % EPOCHS)


@test("transfer view in Korean at 64 columns: Korean titles and narration, the frozen matrices 0 고정")
def t_transfer_view_korean():
    make_run()
    with attnstep("--lang", "ko", "--model", os.path.join(RUN, "finetune"), "the", "lamp", w=64, h=32) as p:
        s = to_view(p, "전이: 처음부터, 특징 기반, 미세 조정")
        expect("특징 기반 전이" in s and "미세 조정(fine-tuning)" in s and "무작위 가중치에서 학습합니다." in s,
               "the Korean definitions are missing or cut", s)
        expect(s.count("0 고정") == 8, "no 8 frozen matrices in Korean (%d)" % s.count("0 고정"), s)
        expect(all(ts.width(ln) <= 64 for ln in s.split("\n")), "a line wider than 64 cells", s)


def write_lesson(name, rows):
    path = os.path.join(ts.TMP, name)
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["model", "sentence", "view", "stage", "note"], *rows])
    return path


@test("a lesson slide with view transfer opens the run from its model folder, at the slide's epoch")
def t_transfer_slide():
    make_run()
    rows = comparison()
    lesson = write_lesson("xfer-lesson.csv", [
        ["transfer/feature", "the lamp was bright", "transfer", "2", "Which weights moved?"],
        ["tiny-en", "the movie was good", "pipeline", "", "Back to attention."],
        ["transfer/finetune", "", "transfer", "", "Fine-tuned, to the end."],
    ])
    with attnstep("--lesson", lesson, w=100, h=44) as p:
        s = p.settle("── slide 1 of 3")
        expect("Transfer: scratch, feature-based and fine-tuned · epoch 2 of %d" % EPOCHS in s,
               "the first slide does not show the transfer view at epoch 2", s)
        want = "feature-based %.1f%%" % (100 * float(rows[2]["feature_test_accuracy"]))
        expect(want in s, "no %r: comparison.csv's accuracy at epoch 2" % want, s)
        expect(s.count("0 frozen") == 8, "the feature model's 8 frozen matrices (%d)" % s.count("0 frozen"), s)
        expect("Which weights moved?" in s, "no note", s)
        p.keys("NPage")
        s = p.settle("── slide 2 of 3")
        expect("Transfer:" not in s, "slide 2 (tiny-en, pipeline) still shows the transfer view", s)
        p.keys("NPage")
        s = p.settle("── slide 3 of 3")
        expect("Transfer: scratch, feature-based and fine-tuned · epoch %d of %d" % (EPOCHS, EPOCHS) in s,
               "an empty stage does not show the last epoch", s)
        p.text("g")
        p.settle("epoch 0 of %d" % EPOCHS)
        p.keys("PPage")
        p.keys("PPage")
        s = p.settle("── slide 1 of 3")
        expect("epoch 2 of %d" % EPOCHS in s, "paging back does not return to the slide's epoch 2", s)


@test("a lesson with view transfer on a model that is not a transfer run is refused before the screen")
def t_transfer_slide_refused():
    lesson = write_lesson("xfer-bad.csv", [["tiny-en", "the movie", "transfer", "", ""]])
    r = subprocess.run([ts.BIN, "--lang", "en", "--lesson", lesson], capture_output=True, text=True,
                       env=dict(os.environ, LANG="C.UTF-8"), stdin=subprocess.DEVNULL, timeout=60)
    expect(r.returncode == 1 and "xfer-bad.csv:2:1: the transfer view needs one of the three models" in r.stderr
           and "tiny-en is not" in r.stderr, "not refused with FILE:LINE:COL (rc %d): %s" % (r.returncode, r.stderr))


@test("R retrains the three models live, in memory: comparison.csv's accuracies again, nothing written; a key stops")
def t_transfer_retrain_live():
    make_run()
    last = comparison()[EPOCHS]
    before = {os.path.join(d, f): os.path.getmtime(os.path.join(d, f)) for d, _, fs in os.walk(RUN) for f in fs}
    with attnstep("--model", os.path.join(RUN, "finetune"), "the", "lamp", w=100, h=40) as p:
        to_view(p, "Transfer: scratch, feature-based and fine-tuned")
        p.text("R")
        s = p.settle("retrained live, in memory (nothing written)")
        want = "test accuracy %.0f%%, %.0f%%, %.0f%%" % tuple(100 * float(last[k + "_test_accuracy"])
                                                          for k in ("scratch", "feature", "finetune"))
        expect(want in s, "the live run does not reproduce comparison.csv's accuracies (%r)" % want, s)
        for name, key in (("scratch", "scratch"), ("feature-based", "feature"), ("fine-tuned", "finetune")):
            title = "%s %.1f%%" % (name, 100 * float(last[key + "_test_accuracy"]))
            expect(title in s, "no title %r after the live run" % title, s)
        expect(s.count("0 frozen") == 8, "the live feature model's frozen matrices are not 0", s)
        p.text("g")
        p.settle("epoch 0 of %d" % EPOCHS)
        p.text("Rx")  # x waits in the input: the first epoch's report sees it and stops
        s = p.settle("retraining stopped: the recorded run is shown again")
        expect("epoch %d of %d" % (EPOCHS, EPOCHS) in s, "the recorded run is not shown after the stop", s)
    after = {os.path.join(d, f): os.path.getmtime(os.path.join(d, f)) for d, _, fs in os.walk(RUN) for f in fs}
    expect(before == after, "the live retraining wrote or touched a file in the run")


@test("R on a transfer run whose config.csv does not record the command says why")
def t_transfer_retrain_unrecorded():
    make_run()
    copy = os.path.join(ts.TMP, "transfer-unrecorded")
    if not os.path.exists(copy):
        shutil.copytree(RUN, copy)
        for m in ("scratch", "feature", "finetune"):
            cfg = os.path.join(copy, m, "config.csv")
            with open(cfg) as f:
                lines = [ln for ln in f if not ln.startswith("description,")]
            with open(cfg, "w") as f:
                f.writelines(lines)
    with attnstep("--model", os.path.join(copy, "feature"), "the", "lamp", w=100, h=40) as p:
        to_view(p, "Transfer: scratch, feature-based and fine-tuned")
        p.text("R")
        p.settle("this model does not record the transfer command that made it")


@test("a model that is not a transfer run: v never reaches the transfer view")
def t_not_transfer():
    with attnstep("--model", ts.TINY_EN, "the", "movie") as p:
        s = p.settle()
        for _ in range(8):
            p.text("v")
            prev = s
            p.wait(lambda t: t != prev, msg="the screen to change after v")
            s = p.settle()
            expect("Transfer:" not in s, "the transfer view shown for tiny-en", s)


if __name__ == "__main__":
    sys.exit(ts.main())
