#!/usr/bin/env python3
"""End-to-end tests of the screen's what-if edits (DESIGN.md "What-if edits"):
e selects a weight with the cell cursor, e again opens the editor, Enter
recomputes everything; the changed numbers are marked, the status line counts
the edits, u and U undo exactly (the screen comes back byte for byte), a bad
value changes nothing; in English and Korean (stdlib only, TAP output).

The classic demonstration on the default model (tiny-en) and the default
sentence: head 2's W_Q[2,10] raised from -0.24 to 6 makes "good" give almost
all its attention to "not" (0.000 before), and the prediction moves from
> 99.99% negative to 98%.

Usage: test_screen_edit.py ATTNSTEP_BINARY SOURCE_ROOT

Reuses the tmux harness of test_screen.py. Exits 77 (skipped) without tmux.
"""
import re
import sys

import test_screen as ts
from test_screen import Fail, attnstep, expect, has_status, message, split_lines, status, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

TINY_EN = ts.TINY_EN
SENTENCE = "the movie was not good"
TOKENS = ["the", "mov", "##ie", "was", "not", "good"]  # tiny-en's pieces
Q2 = 12  # tiny-en's stage "Queries · head 2 of 2"
LAST = 29
CHANGED_BG = "48;5;211"  # the changed role's background in 256 colours


SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def painted(screen):
    """A capture -e screen as lines of (character, attributes) cells. The
    colour a blank cell's unused foreground keeps depends on how curses
    happened to update the terminal, not on what is shown: it is left out."""
    out = []
    for line in split_lines(screen):
        st = {"fg": None, "bg": None, "flags": frozenset()}
        cells, pos = [], 0
        for m in list(SGR.finditer(line)) + [None]:
            text = line[pos:m.start()] if m else line[pos:]
            for ch in text:
                fg = None if ch == " " else st["fg"]
                cells.append((ch, fg, st["bg"], st["flags"]))
            if not m:
                break
            pos = m.end()
            params = [int(x) if x else 0 for x in re.split(r"[;:]", m.group(1))] or [0]
            i, flags = 0, set(st["flags"])
            while i < len(params):
                c = params[i]
                if c == 0:
                    st["fg"] = st["bg"] = None
                    flags = set()
                elif c in (38, 48) and i + 2 < len(params) and params[i + 1] == 5:
                    st["fg" if c == 38 else "bg"] = params[i + 2]
                    i += 2
                elif c == 39:
                    st["fg"] = None
                elif c == 49:
                    st["bg"] = None
                elif 30 <= c <= 37 or 90 <= c <= 97:
                    st["fg"] = c
                elif 40 <= c <= 47 or 100 <= c <= 107:
                    st["bg"] = c
                elif c in (22, 23, 24, 25, 27):
                    flags -= {1, 2} if c == 22 else {c - 20}
                else:
                    flags.add(c)
                i += 1
            st["flags"] = frozenset(flags)
        while cells and cells[-1][0] == " " and cells[-1][2] is None and not cells[-1][3]:
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def same_screen(a, b):
    """Whether two capture -e screens show the same characters in the same colours and attributes."""
    return painted(a) == painted(b)


def flat(s):
    """The screen's text with its line breaks and runs of spaces as one space (wrapped lines joined)."""
    return " ".join(s.split())


def heat_row(s, tok):
    """The numbers of heatmap row tok, in column order."""
    for line in split_lines(s):
        if line.replace("▶", " ").split()[:1] == [tok]:
            nums = re.findall(r"\d*\.\d\d", line)
            if len(nums) == len(TOKENS):
                return [float(x) for x in nums]
    raise Fail("no heatmap row %r with %d numbers" % (tok, len(TOKENS)), s)


def note(s):
    """The select mode's or the editor's line above the status line."""
    lines = split_lines(s)
    return lines[-2].strip() if len(lines) >= 2 else ""


def body(s):
    """The screen without its last three lines (message, note and status)."""
    return "\n".join(split_lines(s)[:-4])


def to_stage(p, stage):
    p.text("g" + "]" * (stage - 1))
    return p.settle(has_status(stage=stage))


def select_w_q_2_10(p, lang="en"):
    """At head 2's Queries: e, then the cursor to w_q[2,10] (the panel shows columns 8–15)."""
    p.text("e")
    p.settle(lambda s: "w_q[0,8] = " in note(s))
    p.keys("Down", "Down", "Right", "Right")
    return p.settle(lambda s: "w_q[2,10] = -0.242548" in note(s))


def edit_to(p, value, done):
    """e opens the editor on the selected cell; value replaces the old one; Enter."""
    p.text("e")
    p.settle(lambda s: "▏" in note(s))
    p.text(value)
    p.keys("Enter")
    return p.settle(done)


def baseline(p):
    """Stage 12 (head 2's queries), the last step and the heatmap there, before any edit."""
    s12 = to_stage(p, Q2)
    p.text("G")
    end = p.settle(has_status(stage=LAST))
    end_e = p.screen(escapes=True)
    p.text("v")
    heat = p.settle("── Attention weights · head 2 of 2")
    heat_e = p.screen(escapes=True)
    p.text("vvv")  # compare, training, pipeline
    p.settle(has_status(stage=LAST))
    return s12, end, end_e, heat, heat_e


@test("the classic demonstration: W_Q[2,10] of head 2 raised to 6 makes «good» attend to «not», the prediction moves")
def t_demo():
    with attnstep("--model", TINY_EN, SENTENCE) as p:
        p.settle(has_status(step=1))
        s12, end, end_e, heat, heat_e = baseline(p)
        good0 = heat_row(heat, "good")
        expect(good0[4] < 0.05, "before the edit good gives not %.2f" % good0[4], heat)
        expect("> 99.99%" in end, "the prediction before the edit is not > 99.99%% negative", end)
        again = to_stage(p, Q2)
        expect(again == s12, "stage 12 differs on a second visit", again)
        s = select_w_q_2_10(p)
        expect(status(s)["stage"] == Q2, "e moved away from the stage", s)
        s = edit_to(p, "6", lambda s: "w_q[2,10]=6: computed again" in message(s))
        st = status(s)
        expect(st["stage"] == Q2 and st["step"] == status(s12)["step"], "the edit moved the view: %s" % st["line"], s)
        expect("│ 1 edit" in st["line"], "the status line does not count 1 edit: %r" % st["line"], s)
        expect("(Δ up to ±" in s and "from the unedited model)" in flat(s), "no Δ in the formula line", s)
        e = p.screen(escapes=True)
        expect(CHANGED_BG in e, "no cell in the changed colour", e)
        p.keys("Escape")  # leave select mode
        p.text("G")
        end1 = p.settle(lambda s: has_status(stage=LAST)(s) and not message(s))
        expect("> 99.99%" not in end1 and "prediction: negative, 98%" in end1,
               "the prediction did not move to 98% negative", end1)
        expect("(Δ up to ±0.01773 from the unedited model)" in flat(end1), "no Δ of the probabilities", end1)
        p.text("v")
        heat1 = p.settle("── Attention weights · head 2 of 2")
        expect(not same_screen(p.screen(escapes=True), heat_e), "the comparison does not see the edit", heat1)
        good1 = heat_row(heat1, "good")
        expect(good1[4] > 0.9, "after the edit good gives not only %.2f" % good1[4], heat1)
        row = next(l for l in split_lines(heat1) if l.split()[:1] == ["good"])
        expect(row.count("*") == len(TOKENS), "the changed cells of good's row are not all marked: %r" % row, heat1)
        # u: back to exactly the unedited screens
        p.text("u")
        s = p.settle(lambda s: "undone: w_q[2,10]=6 (0 edits left)" in message(s))
        expect("edit" not in status(s)["line"], "the status line still counts edits", s)
        p.keys("Escape")  # clears the message
        p.settle(lambda s: not message(s))
        expect(same_screen(p.screen(escapes=True), heat_e), "after u the heatmap is not the unedited one, byte for byte",
               p.screen())
        p.text("vvv")
        p.settle(has_status(stage=LAST))
        expect(same_screen(p.screen(escapes=True), end_e), "after u the last step is not the unedited one, byte for byte",
               p.screen())


@test("several edits: the status line counts them (ngettext), U undoes all, exactly; u and U with none say so")
def t_undo_all():
    with attnstep("--model", TINY_EN, SENTENCE) as p:
        p.settle(has_status(step=1))
        s12, end, end_e, heat, heat_e = baseline(p)
        s12_e = None
        to_stage(p, Q2)
        s12_e = p.screen(escapes=True)
        select_w_q_2_10(p)
        edit_to(p, "6", lambda s: "│ 1 edit" in status(s)["line"])
        p.keys("Down")  # w_q[3,10]
        p.settle(lambda s: "w_q[3,10] = " in note(s) or "w_q[3,10]" in s)
        p.text("e")
        p.settle(lambda s: "▏" in note(s))
        p.text("2")
        p.keys("Enter")
        s = p.settle(lambda s: "│ 2 edits" in status(s)["line"])
        p.text("]")  # keys, head 2: W_K
        p.settle(has_status(stage=Q2 + 1))
        s = p.settle(lambda s: "w_k[" in note(s))
        p.text("e")
        p.settle(lambda s: "▏" in note(s))
        ts.tmux("send-keys", "-t", p.target, "-l", "--", "-3")
        p.keys("Enter")
        s = p.settle(lambda s: "│ 3 edits" in status(s)["line"])
        expect(re.search(r"w_k\[\d+,\d+\]=-3: computed again", message(s)), "no message for the W_K edit", s)
        p.text("u")
        s = p.settle(lambda s: "│ 2 edits" in status(s)["line"])
        expect(re.search(r"undone: w_k\[\d+,\d+\]=-3 \(2 edits left\)", message(s)), "u's message", s)
        p.text("U")
        s = p.settle(lambda s: "undone: all 2 edits; the model is as it was loaded" in message(s))
        expect("edit" not in status(s)["line"], "the status line still counts edits after U", s)
        p.keys("Escape")  # leaves select mode and clears the message
        p.settle(lambda s: not message(s) and not note(s).startswith("▸"))
        p.text("[")
        p.settle(has_status(stage=Q2))
        expect(same_screen(p.screen(escapes=True), s12_e), "after U stage 12 is not the unedited one, byte for byte",
               p.screen())
        p.text("u")
        s = p.settle(lambda s: "u: no edits to undo" in message(s))
        p.text("U")
        s = p.settle(lambda s: "U: no edits to undo" in message(s))


@test("a bad value changes nothing: bundle_edit's reason in the message line, no edit counted, same numbers")
def t_bad_value():
    with attnstep("--model", TINY_EN, SENTENCE) as p:
        p.settle(has_status(step=1))
        to_stage(p, Q2)
        s0 = select_w_q_2_10(p)
        for bad, reason in (("abc", "not a number"), ("1e999", "number too large"), ("nan", "NaN is not a usable number")):
            s = edit_to(p, bad, lambda s, bad=bad: ("not changed: w_q[2,10]=%s: " % bad) in message(s))
            expect(reason in message(s), "the reason for %r: %r" % (bad, message(s)), s)
            expect("edit" not in status(s)["line"], "a bad edit was counted", s)
            expect(body(s) == body(s0), "a bad edit (%s) changed the screen" % bad, s)
        p.keys("Escape")
        p.text("G")
        s = p.settle(has_status(stage=LAST))
        expect("> 99.99%" in s, "the prediction changed after bad edits", s)


@test("e where nothing is a weight: the heatmap says its cells are computed; a stage without weights says where")
def t_refused():
    with attnstep("--model", TINY_EN, SENTENCE) as p:
        p.settle(has_status(step=1))
        p.text("e")  # stage 1: tokens
        s = p.settle(lambda s: "e: this stage shows no weight of the model" in message(s))
        p.text("v")
        p.settle("── Attention weights")
        p.text("e")
        s = p.settle(lambda s: "heatmap's cells are attention weights the model computes" in message(s))


@test("an embedding: at x, e selects e (vocab[TOKEN,COL]); an edit of «##ie» goes through vocab[##ie,3]")
def t_embedding():
    with attnstep("--model", TINY_EN, SENTENCE) as p:
        p.settle(has_status(step=1))
        to_stage(p, 4)  # x = e + p
        p.text("e")
        p.settle(lambda s: "vocab[the,0] = " in note(s))
        p.keys("Down", "Down", "Right", "Right", "Right")
        p.settle(lambda s: "vocab[##ie,3] = " in note(s))
        p.text("e")
        p.settle(lambda s: "▏" in note(s))
        p.text("2.5")
        p.keys("Enter")
        s = p.settle(lambda s: "vocab[##ie,3]=2.5: computed again" in message(s))
        expect("│ 1 edit" in status(s)["line"], "the embedding edit is not counted", s)
        p.keys("Escape")
        s = p.settle(lambda s: not message(s))
        expect("vocab[##ie,3]" not in s, "the note stays after Esc", s)
        expect("Δ" not in s, "a Δ in the formula of x[the], which did not change", s)
        p.text("ll")  # the row of ##ie
        s = p.settle(lambda s: "x[##ie] = e[##ie] + p[##ie]" in s)
        expect("(Δ up to ±" in flat(s), "no Δ in the formula of x[##ie]", s)


@test("mouse: a click on a W_Q cell selects it, e then edits that cell")
def t_mouse_select():
    with attnstep("--model", TINY_EN, SENTENCE) as p:
        p.settle(has_status(step=1))
        s = to_stage(p, Q2)
        lines = split_lines(s)
        ty = next(i for i, l in enumerate(lines) if "W_Q[:,8…15]" in l)
        tx = lines[ty].index("W_Q[:,8…15]")
        x = next(m.start() for m in re.finditer(r"\S+", lines[ty + 1]) if m.start() >= tx and m.group() == "2")
        y = next(i for i, l in enumerate(lines) if i > ty + 1 and l[tx:].split()[:1] == ["d2"])
        ts.click(p, x, y)
        p.settle(lambda s: "W_Q is a weight of the model" in message(s))
        p.text("e")
        s = p.settle(lambda s: "w_q[2,10] = -0.242548▏" in note(s))


@test("NO_COLOR: the changed numbers are underlined, still without a colour")
def t_no_color():
    with attnstep("--model", TINY_EN, SENTENCE, extra={"NO_COLOR": "1"}) as p:
        p.settle(has_status(step=1))
        p.keys("Tab")  # a stage per step: no cell marked as current or operand
        p.text("G")
        p.settle(has_status(stage=LAST, gran="stage"))
        logits0 = next(l for l in split_lines(p.screen(escapes=True)) if "sentence" in l)
        expect("4.514" in logits0 and not re.search(r"\x1b\[[0-9;]*4m", logits0),
               "the logits are marked before any edit", logits0.replace("\x1b", "\\e"))
        to_stage(p, Q2)
        select_w_q_2_10(p)
        edit_to(p, "6", lambda s: "│ 1 edit" in status(s)["line"])
        p.keys("Escape")
        p.text("G")
        s = p.settle(lambda s: has_status(stage=LAST)(s) and not message(s))
        e = p.screen(escapes=True)
        expect(not ts.colour_codes(e), "colour with NO_COLOR: %r" % ts.colour_codes(e)[:3], s)
        logits = next(l for l in split_lines(e) if "sentence" in l)
        expect(re.search(r"\x1b\[4m *1\.746", logits), "the changed logit 1.746 is not underlined",
               logits.replace("\x1b", "\\e"))


@test("--lang ko: the same demonstration, Korean status count, note, Δ and messages; u restores exactly")
def t_korean():
    with attnstep("--lang", "ko", "--model", TINY_EN, SENTENCE) as p:
        p.settle(lambda s: "1/158" in split_lines(s)[-1])
        p.text("]" * (Q2 - 1))
        s12 = p.settle(lambda s: "12/29" in split_lines(s)[-1])
        s12_e = p.screen(escapes=True)
        p.text("e")
        p.settle(lambda s: "w_q[0,8] = " in note(s) and "칸" in note(s) and "고치기" in note(s))
        p.keys("Down", "Down", "Right", "Right")
        p.settle(lambda s: "w_q[2,10] = -0.242548" in note(s))
        p.text("e")
        s = p.settle(lambda s: "Enter: 적용 · Esc: 취소" in note(s))
        p.text("6")
        p.keys("Enter")
        s = p.settle(lambda s: "w_q[2,10]=6: 다시 계산했습니다" in message(s))
        expect("편집 1개" in split_lines(s)[-1], "no Korean edit count: %r" % split_lines(s)[-1], s)
        expect("(편집 전 모델과 최대 ±" in flat(s), "no Korean Δ in the formula line", s)
        p.text("e")
        p.settle(lambda s: "▏" in note(s))
        p.text("x")
        p.keys("Enter")
        s = p.settle(lambda s: "바꾸지 않았습니다. w_q[2,10]=x" in message(s))
        expect("편집 1개" in split_lines(s)[-1], "a bad edit changed the count", s)
        p.text("u")
        s = p.settle(lambda s: "되돌렸습니다: w_q[2,10]=6 (남은 편집 0개)" in message(s))
        p.keys("Escape")
        p.settle(lambda s: not message(s) and "▸" not in s)
        expect(same_screen(p.screen(escapes=True), s12_e), "after u the Korean screen is not the unedited one", p.screen())
        expect(s12 is not None, "", s12)


@test("E types a whole edit by name (a bias has no panel): b_q[0,3]=2 moves Q's column 3 by 2 minus its old value; a bad name changes nothing; Esc cancels; u undoes exactly")
def t_by_name():
    with attnstep("--model", TINY_EN, SENTENCE) as p:
        p.settle(has_status(step=1))
        s5 = to_stage(p, 5)  # Queries · head 1: Q[the] = x[the]·W_Q[:,0…7] + b_Q[0…7]
        s5_e = p.screen(escapes=True)
        before = re.search(r"= \[([^\]]*)\]", flat(s5))
        expect(before, "no Q[the] vector in the formula line", s5)
        p.text("E")
        p.settle(lambda s: note(s).startswith("▸ edit: ▏"))
        p.keys("Escape")
        s = p.settle(lambda s: "▸" not in note(s))
        expect("edit" not in status(s)["line"], "Esc on E's line made an edit", s)
        p.text("E")
        p.settle(lambda s: note(s).startswith("▸ edit: "))
        ts.tmux("send-keys", "-t", p.target, "-l", "--", "nope[0,0]=1")
        p.keys("Enter")
        s = p.settle(lambda s: "not changed: nope[0,0]=1: " in message(s))
        expect("edit" not in status(s)["line"], "a bad name made an edit", s)
        p.text("E")
        p.settle(lambda s: note(s).startswith("▸ edit: "))
        ts.tmux("send-keys", "-t", p.target, "-l", "--", "b_q[0,3]=2")
        p.keys("Enter")
        s = p.settle(lambda s: "b_q[0,3]=2: computed again" in message(s))
        expect("│ 1 edit" in status(s)["line"], "no edit count after E", s)
        after = re.search(r"= \[([^\]]*)\]", flat(s))
        old = [float(x) for x in before.group(1).split(",")]
        new = [float(x) for x in after.group(1).split(",")]
        expect(new[:3] == old[:3] and new[4:] == old[4:] and new[3] != old[3],
               "only column 3 of Q[the] should change: %s → %s" % (old, new), s)
        expect("(Δ up to ±" in flat(s), "no Δ in the formula line", s)
        p.text("u")
        p.settle(lambda s: "undone: b_q[0,3]=2" in message(s))
        p.keys("Escape")
        p.settle(lambda s: not message(s))
        expect(same_screen(p.screen(escapes=True), s5_e), "after u stage 5 is not the unedited one", p.screen())


if __name__ == "__main__":
    sys.exit(ts.main())
