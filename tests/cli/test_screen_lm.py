#!/usr/bin/env python3
"""A language model (bundle task,lm) on the screen (stdlib only, TAP output):
the pipeline ends on the three stages after norm2 (logits over the vocabulary,
the next-token probabilities, the choice) with the chosen token on screen; the
causal mask is on from the start and m does not turn it off but says why, in
English and Korean; every view (v) draws without the program dying.

Usage: test_screen_lm.py ATTNSTEP_BINARY SOURCE_ROOT

Reuses the tmux harness of test_screen.py. Exits 77 (skipped) without tmux.
"""
import os
import subprocess
import sys

import test_screen as ts
from test_screen import Fail, attnstep, expect, has_status, message, status, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

LM = os.path.join(ts.ROOT, "tests", "data", "bundles", "lm-crlf")
SENTENCE = "the big cat sat on a"


def choice():
    """The greedy next token, as --print says it."""
    out = subprocess.run([ts.BIN, "--lang", "en", "--model", LM, "--print", *SENTENCE.split()], capture_output=True,
                         text=True, timeout=60).stdout
    return out.split("next = argmax P = ")[1].split()[0]


@test("a language model: causal on from the start; End reaches «The choice: the next token» with the chosen token")
def t_end():
    want = choice()
    with attnstep("--model", LM, SENTENCE) as p:
        s = p.settle(has_status(step=1))
        expect(status(s)["causal"] == "on", "the mask is off at the start", s)
        p.keys("End")
        s = p.settle(lambda s: "The choice: the next token" in s)
        st = status(s)
        expect(st["stage"] == st["stages"], "End is not the last stage", s)
        expect("next = argmax P = " + want in s, "the formula does not choose %r" % want, s)
        p.text("[")
        s = p.settle(lambda s: "Probabilities of the next token" in s)
        p.text("[")
        s = p.settle(lambda s: "Logits: a score per token" in s)
        expect("W_lm" in s, "no W_lm panel at the logits stage", s)


@test("m on a language model: the mask stays on and the message says why (English and Korean)")
def t_mask():
    for lang, why in (("en", "a language model always uses the causal mask"), ("ko", "언어 모델은 늘 인과 마스크를")):
        with attnstep("--lang", lang, "--model", LM, SENTENCE) as p:
            s = p.settle(lambda s: s.strip() != "")
            p.text("m")
            s = p.settle(lambda s: why in message(s))
            if lang == "en":
                expect(status(s)["causal"] == "on", "m turned the mask off", s)


@test("v through every view of a language model and back: each draws, the program lives")
def t_views():
    with attnstep("--model", LM, SENTENCE) as p:
        first = p.settle(has_status(step=1))
        for _ in range(6):
            p.text("v")
            s = p.settle()
            if p.dead():
                raise Fail("attnstep died after v", s)
            expect(s.strip() != "", "an empty screen after v", s)
        p.text("q")


if __name__ == "__main__":
    sys.exit(ts.main())
