#!/usr/bin/env python3
"""The tokens stage of a model with tokenizer.csv as a lesson of its own, on
the real screen (tmux) and in --print, in English and Korean (stdlib only,
TAP output).

Usage: test_screen_tokens.py ATTNSTEP_BINARY SOURCE_ROOT

On the korean-bpe fixture (tests/data/bundles/korean-bpe, 19 hand-made
merges) at cell granularity every word takes its code points, then one
merge per step ("좋 + 아 → 좋아 (merge 4)", the number being the merge's row
of tokenizer.csv from 1, lowest number among the pairs present first), then
its pieces with their vocabulary rows. The expected steps below are worked
out by hand from tokenizer.csv, not read from attnstep. Each step is checked
on screen (the formula, the panel's word and symbols, the pieces in the
token list), then ← is pressed back to the start and every screen must be
exactly the one shown on the way forward.

Reuses the tmux harness of test_screen.py. Exits 77 (skipped) without tmux.
"""
import os
import re
import subprocess
import sys

import test_screen as ts
from test_screen import Fail, expect, split_lines, test, width

ts.results[:] = []  # run only the tests below, with test_screen's runner

ROOT, BIN = ts.ROOT, ts.BIN
BPE = os.path.join(ROOT, "tests", "data", "bundles", "korean-bpe")
WORDTOK = os.path.join(ROOT, "tests", "data", "bundles", "korean")
SENTENCE = ["하하하", "영화가", "좋아요", "!", "그", "좋아하지도", "."]

# Per word: the symbols after each merge (the first: its code points), the
# merges applied (left, right, number = rank + 1), the pieces and their rows
# (None: <unk>, row 0).
WORDS = [
    ("하하하", [["하", "하", "하"], ["하하", "하"]], [("하", "하", 6)], [("하하", 14), ("##하", 15)]),
    ("영화가", [["영", "화", "가"], ["영화", "가"], ["영화가"]], [("영", "화", 7), ("영화", "가", 8)], [("영화가", 1)]),
    # 좋+아 (merge 4) first: 좋아+요 (merge 1) is no pair of 좋 · 아 · 요 yet
    ("좋아요", [["좋", "아", "요"], ["좋아", "요"], ["좋아요"]], [("좋", "아", 4), ("좋아", "요", 1)], [("좋아요", 17)]),
    ("!", [["!"]], [], [("!", 11)]),
    ("그", [["그"]], [], [("그", None)]),
    ("좋아하지도", [["좋", "아", "하", "지", "도"], ["좋", "아", "하지", "도"], ["좋아", "하지", "도"]],
     [("하", "지", 3), ("좋", "아", 4)], [("좋아", 23), ("##하지", 19), ("##도", 24)]),
    (".", [["."]], [], [(".", 10)]),
]
N_WORDS = len(WORDS)

TEXT = {
    "en": {
        "word": 'word %d of %d, "%s":',
        "symbols": lambda n: " %d symbol%s, one per character:" % (n, "" if n == 1 else "s"),
        "merge": "%s + %s → %s (merge %d)",
        "pieces": lambda n: " %d piece%s:" % (n, "" if n == 1 else "s"),
        "piece": "%s (row %d)",
        "unk": "%s (<unk>, row %d)",
        "panel": "word %d/%d:",
        "title": "words → pieces → vocabulary rows",
        "explain": "A word starts as characters",
        "step": re.compile(r"│ step (\d+)/(\d+) │"),
        "old": "as attnstep does for a model with a tokenizer.csv",
    },
    "ko": {
        "word": '단어 %d/%d, "%s":',
        "symbols": lambda n: " 기호 %d개(글자마다 하나):" % n,
        "merge": "%s + %s → %s (병합 %d)",
        "pieces": lambda n: " 조각 %d개:" % n,
        "piece": "%s (%d행)",
        "unk": "%s (<unk>, %d행)",
        "panel": "단어 %d/%d:",
        "title": "단어 → 조각 → 어휘 행",
        "explain": "단어는 글자에서 시작해",
        "step": re.compile(r"│ 스텝 (\d+)/(\d+) │"),
        "old": "attnstep도 tokenizer.csv가 있으면 그렇게 합니다",
    },
}


def pieces_text(t, pieces):
    return ", ".join((t["unk"] % (p, 0)) if row is None else (t["piece"] % (p, row)) for p, row in pieces)


def expected_steps(lang):
    """Per step of the tokens stage: (word index, the formula, the panel's
    line under the word: its symbols joined by " · ", or its pieces by " ")."""
    t = TEXT[lang]
    out = []
    for w, (word, states, merges, pieces) in enumerate(WORDS):
        head = t["word"] % (w + 1, N_WORDS, word)
        out.append((w, head + t["symbols"](len(states[0])) + " " + " · ".join(states[0]), " · ".join(states[0])))
        for k, (left, right, number) in enumerate(merges):
            out.append((w, head + " " + (t["merge"] % (left, right, left + right, number)) + " ⇒ "
                        + " · ".join(states[k + 1]), " · ".join(states[k + 1])))
        out.append((w, head + t["pieces"](len(pieces)) + " " + pieces_text(t, pieces), " ".join(p for p, _ in pieces)))
    return out


def run(lang, *args, w=120, h=40):
    argv = [ts.BIN, "--lang", lang, "--model", BPE, "--granularity", "cell", *args, "--", *SENTENCE]
    return ts.Pane(ts.pane_env(unset=("LANGUAGE", "LC_MESSAGES")) + argv, w, h)


def step_of(lang, screen):
    lines = split_lines(screen)
    m = TEXT[lang]["step"].search(lines[-1]) if lines else None
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def at_step(lang, n):
    return lambda s: step_of(lang, s)[0] == n


def flat(screen):
    """The screen as one line, runs of spaces as one (wrapped text joins up)."""
    return re.sub(r"\s+", " ", screen.replace("\n", " "))


def check_screen(lang, s, k, want, w, h):
    """Step k (from 1) of the tokens stage shows what `want` says."""
    word, formula, symbols = want
    t = TEXT[lang]
    lines = split_lines(s)
    expect(len(lines) <= h and all(width(l) <= w for l in lines),
           "step %d: a line wider than %d cells or more than %d lines" % (k, w, h), s)
    expect("\ufffd" not in s, "step %d: a wide glyph cut in half" % k, s)
    expect(formula in flat(s), "step %d: the formula %r is not on the screen" % (k, formula), s)
    expect(t["title"] in s, "step %d: no panel title %r" % (k, t["title"]), s)
    # The panel: the word being cut, then, on the same line after →, its symbols (or pieces).
    label = t["panel"] % (word + 1, N_WORDS)
    at = [i for i, l in enumerate(lines) if l.strip().startswith(label)]
    head = label + " " + WORDS[word][0] + " → "
    expect(at and lines[at[0]].strip().startswith(head), "step %d: no panel line %r" % (k, head), s)
    shown = lines[at[0]].strip()[len(head):] if at else ""
    expect(shown == symbols, "step %d: the panel shows %r, not %r" % (k, shown, symbols), s)


t_stage2 = {"en": "Stage 2/20", "ko": "단계 2/20"}


def walk(lang, w, h, back):
    """Steps through the tokens stage and one step past it, checking each
    screen; with back, presses ← to the start and compares every screen."""
    steps = expected_steps(lang)
    expect(len(steps) == 21, "the hand-worked steps: %d, expected 21" % len(steps))
    with run(lang, w=w, h=h) as p:
        screens = [p.settle(at_step(lang, 1))]
        total = step_of(lang, screens[0])[1]
        for k in range(2, len(steps) + 2):
            p.keys("Right")
            screens.append(p.settle(at_step(lang, k)))
        for k, want in enumerate(steps, 1):
            check_screen(lang, screens[k - 1], k, want, w, h)
        # At each word's last step its pieces are in the token list with their rows
        # (at 120x40 the whole list: every word's so far; at 64x18 one row fits, the word's first).
        k = 0
        for w_, (word, states, merges, pieces) in enumerate(WORDS):
            k += len(states) + 1
            shown = WORDS[:w_ + 1] if h >= 40 else [WORDS[w_]]
            for piece, row in [pr for *_, ps in shown for pr in ps][:None if h >= 24 else 1]:
                expect(re.search(r"\d+\s+%s\s+%d\b" % (re.escape(piece), row or 0), screens[k - 1]),
                       "step %d: the token list lacks %s with row %s" % (k, piece, row or 0), screens[k - 1])
        if back and h >= 40:  # the merge just made stands out: 하하 not drawn like the 하 beside it
            p.keys("Home")
            p.settle(at_step(lang, 1))
            p.keys("Right")
            p.settle(at_step(lang, 2))
            esc = p.screen(escapes=True)
            rows = esc.split("\n")
            at = [i for i, l in enumerate(rows) if (TEXT[lang]["panel"] % (1, N_WORDS)) in l]
            expect(at, "no panel line for word 1 (with escapes)", esc)
            attrs, cur = {}, ""
            for piece in re.split(r"(\x1b\[[0-9;:]*m)", rows[at[0]].split("→", 1)[-1]):
                if piece.startswith("\x1b["):
                    cur = cur + piece if piece not in ("\x1b[0m", "\x1b[m") else ""
                elif piece.strip():
                    for sym in piece.split():
                        attrs.setdefault(sym, []).append(cur)
            expect(attrs.get("하하") and attrs.get("하") and attrs["하하"][0] != attrs["하"][-1],
                   "the merged symbol 하하 is drawn like 하: %r" % attrs, esc.replace("\x1b", "\\e"))
            p.keys("Home")
            p.settle(at_step(lang, 1))
            for k in range(2, len(steps) + 2):
                p.keys("Right")
            p.settle(at_step(lang, len(steps) + 1))
        # One step more: stage 2, the tokens stage done (← must come back from there too).
        expect(t_stage2[lang] in screens[-1], "the step after the tokens stage is not stage 2", screens[-1])
        expect(step_of(lang, screens[-1])[1] == total, "the number of steps changed", screens[-1])
        if back:
            for k in range(len(steps), 0, -1):
                p.keys("Left")
                s = p.settle(at_step(lang, k))
                expect(s == screens[k - 1], "← to step %d does not give the screen shown on the way forward" % k,
                       s + "\n--- forward ---\n" + screens[k - 1])


@test("English, cell granularity at 120x40: each word's code points, one merge a step in rank order, its pieces "
      "with rows (그 <unk>); ← returns every screen exactly")
def t_en():
    walk("en", 120, 40, back=True)


@test("Korean (--lang ko), cell granularity at 120x40: 병합 lines, 단어 k/7, pieces with 행; ← returns every screen "
      "exactly")
def t_ko():
    walk("ko", 120, 40, back=True)


@test("Korean at 80x24 and 64x18, English at 64x18: every step fits the screen and shows its merge and symbols")
def t_small():
    walk("ko", 80, 24, back=False)
    walk("ko", 64, 18, back=True)
    walk("en", 64, 18, back=False)


@test("row granularity: a word per step, its merges listed; Tab from a cell step keeps the word")
def t_row():
    with ts.Pane(ts.pane_env(unset=("LANGUAGE", "LC_MESSAGES")) + [
            ts.BIN, "--lang", "en", "--model", BPE, "--granularity", "row", "--", *SENTENCE], 120, 40) as p:
        s = p.settle(at_step("en", 1))
        for _ in range(5):
            p.keys("Right")
        s = p.settle(at_step("en", 6))
        want = ('word 6 of 7, "좋아하지도": 하 + 지 → 하지 (merge 3), 좋 + 아 → 좋아 (merge 4) ⇒ '
                "좋아 (row 23), ##하지 (row 19), ##도 (row 24)")
        expect(want in flat(s), "the row step lists the word's merges: %r" % want, s)
    with run("en") as p:  # cell: step 9 is 좋아요's last merge; Tab to rows keeps the word
        p.settle(at_step("en", 1))
        for _ in range(9):
            p.keys("Right")
        p.settle(at_step("en", 10))
        p.keys("Tab")
        s = p.settle(lambda s: " row " in split_lines(s)[-1])
        expect(step_of("en", s)[0] == 3 and 'word 3 of 7, "좋아요":' in flat(s),
               "Tab from a cell of word 3 lands on word 3 at row granularity", s)


def print_run(lang, bundle, *extra):
    r = subprocess.run([BIN, "--lang", lang, "--model", bundle, "--print", "--granularity", "cell", *extra,
                        "--", *SENTENCE], capture_output=True, text=True, timeout=60,
                       env={k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")})
    if r.returncode != 0:
        raise Fail("--print exited %d: %s" % (r.returncode, r.stderr))
    return r.stdout


@test("--print in English and Korean: the tokens stage's steps, in order, as on screen; the subword explanation; "
      "a model without tokenizer.csv keeps one step per token and the word-tokenizer text")
def t_print():
    for lang in ("en", "ko"):
        out = print_run(lang, BPE)
        lines = [l for l in out.split("\n") if re.match(r"\s*\[\d+/\d+\] ", l)]
        steps = expected_steps(lang)
        got = [re.sub(r"^\s*\[\d+/\d+\] ", "", l) for l in lines[:len(steps)]]
        for k, (want, line) in enumerate(zip([f for _, f, _ in steps], got), 1):
            expect(line == want, "%s step %d: %r, expected %r" % (lang, k, line, want), out)
        expect(TEXT[lang]["explain"] in flat(out), "%s: no subword explanation" % lang, out)
        expect(all(width(l) <= 78 for l in out.split("\n")[:20] if not l.lstrip().startswith("[")),
               "%s: the header or explanation is wider than 78 cells" % lang, out)
        old = print_run(lang, WORDTOK)
        expect(TEXT[lang]["old"] in flat(old) and TEXT[lang]["explain"] not in flat(old),
               "%s: the word tokenizer's explanation" % lang, old)
        first = [l for l in old.split("\n") if re.match(r"\s*\[\d+/\d+\] ", l)][:len(SENTENCE)]
        expect(len(first) == len(SENTENCE) and all(("position %d:" if lang == "en" else "위치 %d:") % i in l
                                                    for i, l in enumerate(first)),
               "%s: without tokenizer.csv a step per token: %r" % (lang, first), old)


if __name__ == "__main__":
    sys.exit(ts.main())
