#!/usr/bin/env python3
"""End-to-end tests of the quiz (--quiz, a): a round of each kind — a row of
attention weights, a cell's number, the classifier's prediction, the compare
view's "which word still matters most" — with a right and a wrong answer, the
tally on the status line, Esc, and the keys outside a question (stdlib only,
TAP output).

Usage: test_screen_quiz.py ATTNSTEP_BINARY SOURCE_ROOT

The right answers come from the numpy reference's committed golden files
(tests/golden/cases/default_en, tiny_en), never from attnstep. Reuses the tmux
harness of test_screen.py. Exits 77 (skipped) without tmux.
"""
import csv
import os
import re
import sys

import test_screen as ts
from test_screen import Fail, attnstep, expect, has_status, message, split_lines, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

ROOT = ts.ROOT
MODELS = os.path.join(ROOT, "assets", "models")
RANDOM_EN, TINY_EN = os.path.join(MODELS, "random-en"), os.path.join(MODELS, "tiny-en")
GOLDEN = os.path.join(ROOT, "tests", "golden", "cases")
SENTENCE = ["the", "movie", "was", "not", "good"]


def golden(case, name):
    """A golden CSV as (header, {row label: [floats]}) in row order."""
    with open(os.path.join(GOLDEN, case, name), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0][1:], [(r[0], [float(x) for x in r[1:]]) for r in rows[1:]]


def argmax(v):
    return max(range(len(v)), key=lambda i: v[i])


def panel(screen):
    """The quiz panel: the lines between its rule and the status line, joined."""
    lines = split_lines(screen)
    for i in range(len(lines) - 2, -1, -1):
        if lines[i].startswith("────") and set(lines[i].strip()) == {"─"}:
            return " ".join(l.strip() for l in lines[i + 1:-1])
    return ""


def tally(screen):
    m = re.search(r"(?:quiz|퀴즈) (\d+)/(\d+)\s*$", split_lines(screen)[-1])
    return (int(m.group(1)), int(m.group(2))) if m else None


def has_tally(t):
    return lambda s: tally(s) == t


def feedback(screen):
    """The verdict: from "Right:" or "Wrong:" on, in the panel or the message above the status line."""
    text = panel(screen) or message(screen)
    m = re.search(r"(Right:|Wrong:|맞았습니다|틀렸습니다).*", text)
    return m.group(0) if m else text


def number_after(text, name):
    m = re.search(re.escape(name) + r" = (-?[0-9.]+)", text)
    return float(m.group(1)) if m else None


@test("quiz, row: «the» and «movie» of head 1 ask before their weights appear; right, wrong, Esc; the tally")
def _():
    _, w = golden("default_en", "head1_weights.csv")
    with attnstep("--quiz", "--model", RANDOM_EN, *SENTENCE) as p:
        s = p.settle(has_status(step=1))
        expect(tally(s) == (0, 0), "no 'quiz 0/0' on the status line: %r" % split_lines(s)[-1], s)
        p.keys(*["]"] * 9)  # tokens e p x Q K V S S' → the weights of head 1
        s = p.settle(lambda s: "Which word will «the» attend to most in head 1?" in panel(s))
        expect("S'[the,·] = (" in panel(s), "the question does not give the scaled scores: %r" % panel(s), s)
        expect(has_status(step=46)(s), "the question is not at the weights' first step", s)
        # held: the row of weights is not on screen yet
        expect(not re.search(r"A\[the\] = softmax", s), "the weights of «the» are shown before the answer", s)
        right = argmax(w[0][1])
        p.text(str(right + 1))
        p.keys("Enter")
        s = p.settle(has_tally((1, 1)))
        fb = feedback(s)
        expect(fb.startswith("Right: «%s»" % SENTENCE[right]), "not marked right: %r" % fb, s)
        expect(abs(number_after(fb, "A[the,%s]" % SENTENCE[right]) - w[0][1][right]) < 1e-4,
               "the revealed weight is not the reference's %.4f: %r" % (w[0][1][right], fb), s)
        expect("A[the] = softmax" in s, "the row is not revealed after the answer", s)
        # «movie»: a wrong word, chosen with the arrow keys
        p.keys("Right")
        s = p.settle(lambda s: "Which word will «movie» attend to most in head 1?" in panel(s))
        best = argmax(w[1][1])
        wrong = (best + 1) % 5
        p.keys(*["Right"] * wrong)
        p.keys("Enter")
        s = p.settle(has_tally((1, 2)))
        fb = feedback(s)
        expect(fb.startswith("Wrong: you chose «%s»" % SENTENCE[wrong]), "not marked wrong: %r" % fb, s)
        expect("the largest is «%s»" % SENTENCE[best] in fb, "the right word is not named: %r" % fb, s)
        expect(abs(number_after(fb, "A[movie,%s]" % SENTENCE[best]) - w[1][1][best]) < 1e-4,
               "the revealed weight is not the reference's: %r" % fb, s)
        # beside the guess: every word's weight, ✗ on the guess, ✓ on the right one
        marks = dict((m.group(1), (float(m.group(2)), m.group(3))) for m in
                     re.finditer(r"\d (\w+) ([0-9.]+)( ✓| ✗)?", panel(s)))
        expect(marks.get(SENTENCE[wrong], (0, ""))[1] == " ✗" and marks.get(SENTENCE[best], (0, ""))[1] == " ✓",
               "the guess and the truth are not marked: %r" % marks, s)
        expect(all(abs(marks[t][0] - w[1][1][j]) < 1e-4 for j, t in enumerate(SENTENCE)),
               "the weights beside the words are not the reference's: %r" % marks, s)
        # the next key puts the reveal away and does its own work
        p.keys("Left")
        s = p.settle(has_status(step=46))
        expect(not panel(s), "the reveal stayed after the next key", s)
        p.keys("Right")
        s = p.settle(has_status(step=47))
        expect(not panel(s), "an answered step asked again", s)
        # Esc skips: not counted
        p.keys("Right")
        p.settle(lambda s: "«was» attend to most" in panel(s))
        p.keys("Escape")
        s = p.settle(lambda s: "skipped, not counted" in message(s))
        expect(tally(s) == (1, 2), "Esc changed the tally: %r" % (tally(s),), s)
        # back and forward again: a step is asked once
        p.keys("Left", "Right")
        s = p.settle(has_status(step=48))
        expect(not panel(s), "the skipped step asked again", s)


@test("quiz, cell: S[the,the] and S[the,movie] of head 1 as typed numbers; right, wrong with the error")
def _():
    _, sc = golden("default_en", "head1_scores.csv")
    with attnstep("--quiz", "--granularity", "cell", "--model", RANDOM_EN, *SENTENCE) as p:
        p.settle(has_status(step=1))
        p.keys(*["]"] * 7)  # tokens e p x Q K V → the scores of head 1
        s = p.settle(lambda s: "What is the score S[the,the] in head 1? Type a number." in panel(s))
        expect("Q[the] = (" in panel(s) and "K[the] = (" in panel(s), "no operands: %r" % panel(s), s)
        truth = sc[0][1][0]
        p.text("%.3f" % truth)
        s = p.settle(lambda s: ("%.3f" % truth) in panel(s))
        p.keys("Enter")
        s = p.settle(has_tally((1, 1)))
        fb = feedback(s)
        expect(fb.startswith("Right: S[the,the] = "), "not marked right: %r" % fb, s)
        expect(abs(number_after(fb, "S[the,the]") - truth) < 1e-4, "not the reference's %.4f: %r" % (truth, fb), s)
        expect("(within ±" in fb, "no tolerance said: %r" % fb, s)
        p.keys("Right")
        s = p.settle(lambda s: "S[the,movie]" in panel(s))
        truth = sc[0][1][1]
        p.text("%.2f" % (truth + 1))
        p.keys("BSpace")  # erase the last digit, type it again
        p.text(("%.2f" % (truth + 1))[-1])
        p.keys("Enter")
        s = p.settle(has_tally((1, 2)))
        fb = feedback(s)
        expect(fb.startswith("Wrong: S[the,movie] = "), "not marked wrong: %r" % fb, s)
        expect(abs(number_after(fb, "S[the,movie]") - truth) < 1e-4, "not the reference's value: %r" % fb, s)
        m = re.search(r"off by ([0-9.]+)", fb)
        expect(m and abs(float(m.group(1)) - abs(round(truth + 1, 2) - truth)) < 1e-3, "wrong error: %r" % fb, s)
        # a key that is not a number while typing: refused, the question stays
        p.keys("Right")
        s = p.settle(lambda s: "S[the,was]" in panel(s))
        p.text("x")
        s = p.settle(lambda s: "a question is open" in message(s) or "a question is open" in panel(s))
        expect("S[the,was]" in panel(s), "the question closed on a stray key", s)


@test("quiz, prediction: tiny-en asks for the class before the logits; right (negative) and wrong")
def _():
    labels, probs = golden("tiny_en", "probabilities.csv")
    best = argmax(probs[0][1])
    for pick, verdict, t in ((best, "Right", (1, 1)), (1 - best, "Wrong", (0, 1))):
        with attnstep("--quiz", "--granularity", "stage", "--model", TINY_EN, *SENTENCE) as p:
            p.settle(has_status(step=1))
            p.keys(*["Right"] * 27)
            s = p.settle(lambda s: "Which class will the model predict for this sentence?" in panel(s))
            expect(has_status(step=28)(s), "not asked at the logits stage", s)
            expect("1 negative" in panel(s) and "2 positive" in panel(s), "no classes: %r" % panel(s), s)
            p.text(str(pick + 1))
            p.keys("Enter")
            s = p.settle(has_tally(t))
            fb = feedback(s)
            expect(fb.startswith("%s" % verdict), "not marked %s: %r" % (verdict, fb), s)
            expect("«%s»" % labels[best] in fb, "the predicted class is not named: %r" % fb, s)


@test("quiz, compare: after the last word, the RNN (right), the LSTM (wrong), attention (Esc); then the bars")
def _():
    _, infl = golden("default_en", "influence.csv")
    by = dict(infl)
    with attnstep("--quiz", "--compare", "--model", RANDOM_EN, *SENTENCE) as p:
        s = p.settle("── RNN versus transformer")
        expect("the bars are shown" in s and "(path: 1 step)" not in s, "the influence is not hidden before the question", s)
        p.keys("End")
        s = p.settle(lambda s: "Which word still matters most to the RNN at the end?" in panel(s))
        best = argmax(by["rnn"])
        p.text(str(best + 1))
        p.keys("Enter")
        s = p.settle(lambda s: "Which word still matters most to the LSTM at the end?" in panel(s))
        fb = feedback(s)
        expect(fb.startswith("Right: «%s»" % SENTENCE[best]), "RNN not marked right: %r" % fb, s)
        expect(tally(s) == (1, 1), "tally %r" % (tally(s),), s)
        lbest = argmax(by["lstm"])
        wrong = (lbest + 2) % 5
        p.text(str(wrong + 1))
        p.keys("Enter")
        s = p.settle(lambda s: "matters most to attention" in panel(s))
        fb = feedback(s)
        expect(fb.startswith("Wrong: you chose «%s»" % SENTENCE[wrong]), "LSTM not marked wrong: %r" % fb, s)
        expect("the largest is «%s» (influence = " % SENTENCE[lbest] in fb, "the right word is not named: %r" % fb, s)
        m = re.search(r"the largest is «[^»]*» \(influence = ([0-9.]+)\)", fb)
        expect(m and abs(float(m.group(1)) - by["lstm"][lbest]) < 1e-4, "not the reference's influence: %r" % fb, s)
        expect(tally(s) == (1, 2), "tally %r" % (tally(s),), s)
        p.keys("Escape")
        s = p.settle(lambda s: "the bars are shown" not in s and "(path: 1 step)" in s)
        expect(tally(s) == (1, 2), "Esc counted: %r" % (tally(s),), s)


@test("quiz keys: a toggles the quiz and its tally; outside a question digits and arrows keep their work")
def _():
    with attnstep("--model", RANDOM_EN, *SENTENCE) as p:
        s = p.settle(has_status(step=1))
        expect(tally(s) is None, "a tally without --quiz", s)
        p.text("a")
        s = p.settle(has_tally((0, 0)))
        expect("quiz on" in message(s), "a does not say the quiz is on: %r" % message(s), s)
        p.keys("Right")
        s = p.settle(has_status(step=2))
        expect(not panel(s), "a question at the tokens stage", s)
        p.text("2")  # a head key outside a question: refused as before (not a head's stage)
        s = p.settle(lambda s: message(s).startswith("2: "))
        p.text("a")
        s = p.settle(lambda s: tally(s) is None)
        expect("quiz off" in message(s), "a does not say the quiz is off: %r" % message(s), s)
        p.keys(*["]"] * 9)
        p.keys("Right")  # the weights' second row, without the quiz: no question
        s = p.settle(has_status(step=47))
        expect(not panel(s) and "A[movie] = softmax" in s, "a question with the quiz off", s)


@test("quiz in Korean: the question, the reveal and the tally")
def _():
    _, w = golden("default_en", "head1_weights.csv")
    with attnstep("--lang", "ko", "--quiz", "--model", RANDOM_EN, *SENTENCE) as p:
        p.settle(lambda s: tally(s) == (0, 0))
        p.keys(*["]"] * 9)
        s = p.settle(lambda s: "«the»" in panel(s) and "헤드 1" in panel(s))
        expect("퀴즈" in panel(s), "the panel is not in Korean: %r" % panel(s), s)
        right = argmax(w[0][1])
        p.text(str(right + 1))
        p.keys("Enter")
        s = p.settle(has_tally((1, 1)))
        fb = feedback(s)
        expect(fb.startswith("맞았습니다") and "«%s»" % SENTENCE[right] in fb, "not marked right in Korean: %r" % fb, s)


if __name__ == "__main__":
    sys.exit(ts.main())
