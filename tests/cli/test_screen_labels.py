#!/usr/bin/env python3
"""Screen tests of what is drawn when room is short (stdlib only, TAP output):
shortened labels stay distinct and faithful, cut text says so with "…",
curves have axes, the live retraining tells the truth while it runs, and no
number on a screen is in e-notation.

Usage: test_screen_labels.py ATTNSTEP_BINARY SOURCE_ROOT

Reuses the tmux harness of test_screen.py (imported; its own tests are not
run here). Exits 77 (skipped) when tmux is missing.
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_screen as ts  # noqa: E402  (checks argv and tmux, exits 77 without it)
from test_screen import Fail, expect, split_lines, width  # noqa: E402

ts.results.clear()  # only the tests below
test = ts.test
BIN, ROOT, TMP = ts.BIN, ts.ROOT, ts.TMP
ELL = "…"


# ---- helpers ---------------------------------------------------------------

def faithful(shown, orig):
    """shown is orig, or orig with its middle (or end) replaced by '…'."""
    if shown == orig:
        return True
    if ELL not in shown or shown.count(ELL) != 1:
        return False
    head, tail = shown.split(ELL)
    return (orig.startswith(head) and orig.endswith(tail) and len(head) + len(tail) < len(orig)
            and width(shown) < width(orig))


def make_model(name, *args):
    d = os.path.join(TMP, name)
    if not os.path.isdir(d):
        subprocess.run([BIN, "--init-model", d, *args], check=True, capture_output=True)
    return d


def scaled_model(name, factor):
    """A d_model-16 model whose projection and recurrent weights are scaled by factor."""
    d = make_model(name, "--d-model", "16", "--heads", "2")
    for f in ("w_q.csv", "w_k.csv", "w_v.csv", "w_o.csv", "rnn_w_xh.csv", "rnn_w_hh.csv", "lstm_w_x.csv",
              "lstm_w_h.csv"):
        path = os.path.join(d, f)
        with open(path) as fh:
            rows = [line.strip().split(",") for line in fh if line.strip()]
        with open(path, "w") as fh:
            for r in rows:
                fh.write(",".join("%.12f" % (float(x) * factor) for x in r) + "\n")
    return d


def panels(lines, title_re):
    """[(title, x0, x1)] of the panels whose titles are on the first line
    matching title_re (each runs to where the next begins)."""
    for i, l in enumerate(lines):
        found = [(m.group(1), m.start(1)) for m in re.finditer(title_re, l)]
        if found:
            out = []
            for k, (t, x) in enumerate(found):
                out.append((t, x, found[k + 1][1] if k + 1 < len(found) else len(l) + 200))
            return i, out
    return None, []


def cells(line, x0, x1):
    """The text of a line between display columns x0 and x1."""
    out, col = [], 0
    for ch in line:
        w = width(ch)
        if x0 <= col < x1:
            out.append(ch)
        col += w
    return "".join(out)


E_NOTATION = re.compile(r"\d(?:\.\d+)?[eE][+-]?\d")


def at_step(n):
    """The status line (which a narrow screen cuts) shows step n."""
    return lambda s: ("step %d/" % n) in (split_lines(s) or [""])[-1]


def at_stage(n):
    return lambda s: ("stage %d/" % n) in (split_lines(s) or [""])[-1]


# ---- tests -----------------------------------------------------------------

@test("colour cells at 64×18 with d_model 16: column labels of every panel distinct and true to their columns, "
      "d10–d15 never all 'd1', a legend for numbers")
def t_dims():
    model = make_model("d16", "--d-model", "16", "--heads", "2")
    with ts.attnstep("--model", model, w=64, h=18) as p:
        p.settle(at_step(1))
        p.text("G")
        p.settle(at_step(100))
        checked = 0
        s = p.settle()
        for pans in range(16):  # pan right one column at a time, to the end
            lines = split_lines(s)
            i, found = panels(lines, r"(?:^ |  )((?:C|W_O|Y)(?: [^ ]*)?)(?=  |$)")
            expect(len(found) == 3, "no C, W_O, Y panel titles", s)
            for title, x0, x1 in found:
                labels = cells(lines[i + 1], x0, x1).split()
                expect(labels and len(labels) == len(set(labels)),
                       "panel %r: column labels repeat: %r" % (title, labels), s)
                m = re.search(r"×(\d+)–(\d+)/16", title)
                if m:  # the labels are the columns the note says are in sight
                    first, last = int(m.group(1)) - 1, int(m.group(2)) - 1
                    want_d = ["d%d" % k for k in range(first, last + 1)]
                    want_n = [str(k) for k in range(first, last + 1)]
                    expect(labels in (want_d, want_n), "panel %r: labels %r, columns %d–%d" % (
                        title, labels, first, last), s)
                    if labels == want_n:
                        expect(any("column k = dk" in cells(l, x0, x1) for l in lines[i + 2:]),
                               "panel %r: numbered columns without a legend" % title, s)
                    checked += 1
            p.text(">")
            prev = s
            try:
                s = p.settle(lambda t: t != prev, timeout=1.5)
            except Fail:
                break  # nothing more to the right
        expect(checked >= 3, "no panel said which columns are in sight", s)
        # panned to the right: the last columns are on screen somewhere
        expect(re.search(r"×\d+–16/16", s), "panning right never reached column 16", s)


@test("class names: shortened labels faithful ('neg…ive', never 'negativ' or 'nega') and distinct; "
      "pooled's row label is 'mean'")
def t_classes():
    with ts.attnstep("--model", ts.TINY_EN, w=64, h=18) as p:
        p.settle(at_step(1))
        p.text("G")
        s = p.settle(at_stage(29))
        for bad in ("negativ ", "positiv ", "nega ", "posi "):
            expect(bad not in s.replace("\n", " ") + " ", "class name cut to %r" % bad.strip(), s)
        lines = split_lines(s)
        i, found = panels(lines, r"(?:^ |  )(logits)")
        expect(found, "no logits panel", s)
        words = re.findall(r"[^\s=]*(?:neg|pos)[^\s=]*", "\n".join(lines[i:i + 5]))
        expect(words, "no class labels on the probabilities screen", s)
        for w_ in words:
            w_ = re.sub(r"^\d+=", "", w_).rstrip(",;.")  # "prediction: negative, 99%" may end a line
            expect(faithful(w_, "negative") or faithful(w_, "positive"),
                   "class label %r is neither a class name nor one with its middle elided" % w_, s)
        p.text("[")
        s = p.settle(at_stage(28))
        lines = split_lines(s)
        i, found = panels(lines, r"(?:^ |  )(pooled)")
        expect(found, "no pooled panel at the logits stage", s)
        x0 = found[0][1]
        row = cells(lines[i + 2], x0, x0 + 10).split()
        expect(row[:1] == ["mean"], "pooled's row label: %r" % row[:1], s)


@test("the RNN's panel titles and lesson map: whole, or ending in '…' (pipeline RNN lesson and compare view at 64×18)")
def t_rnn_header():
    with ts.attnstep(w=64, h=18) as p:
        p.settle(at_step(1))
        p.text("r]]]]")
        s = p.settle(lambda s: "Stage 5/16" in s)
        lines = split_lines(s)
        expect(lines[3].rstrip().endswith(ELL) and width(lines[3]) <= 64,
               "the lesson map (16 stages) is cut without '…': %r" % lines[3], s)
        title = lines[5]
        for name in ("W_xh", "h (so far)", "W_hh"):
            i = title.find(name[:3])
            expect(i >= 0, "no %r panel title in %r" % (name, title), s)
        m = re.search(r"h \(so far\)( \d+–\d+/\d+×\d+–\d+/\d+| ×\d+–\d+/\d+)?|h \(so f[^ ]*…", title)
        expect(m, "the h (so far) title is cut without '…': %r" % title, s)
        expect(not re.search(r"\d+–\d+/(?:\s|$)", title) and not re.search(r"×\d*–?\s", title),
               "a panel note is cut in the middle: %r" % title, s)
        p.text("vv")
        s = p.settle("RNN versus transformer")
        lines = split_lines(s)
        expect(any(l.startswith(" h (memory") for l in lines), "no h header in the compare view", s)
        for l in lines[1:-1]:
            expect(width(l) <= 64, "a line wider than 64 cells: %r" % l, s)
        hline = [l for l in lines if l.startswith(" h (memory")][0]
        left = hline[:32].rstrip()
        expect(left in (" h (memory after each word)", " h (memory)") or left.endswith(ELL) or
               re.search(r"\d+/\d+$", left), "compare view h header cut: %r" % left, s)


LONG74 = ("the a this that movie film plot actor actors acting story scene scenes music was were is not very "
          "really quite good bad great awful boring funny slow fast and but so too long short dull clever every "
          "moment ending beginning director script cast camera sound effects simply truly never always felt "
          "seemed looked made me us them loved hated enjoyed watched again later then today yesterday one two "
          "three four five six seven").split()


@test("74 tokens: the title ends in '…'; the heatmap's column labels are faithful or numbers listed in a legend")
def t_long_sentence():
    expect(len(LONG74) == 74, "the test sentence has %d tokens" % len(LONG74))
    with ts.attnstep(*LONG74) as p:
        s = p.settle(ts.has_status(step=1))
        title = split_lines(s)[0]
        expect(ELL in title and title.rstrip().endswith("bidirectional"), "title: %r" % title, s)
        shown = title.split(" · ", 2)[2].split(ELL)[0].split()
        expect(shown == LONG74[:len(shown)] or shown[:-1] == LONG74[:len(shown) - 1],
               "title words %r" % shown, s)
        p.text("]]]]]]]]]llv")
        s = p.settle("── Attention weights · head 1 of 2")
        lines = split_lines(s)
        header = lines[4].split()
        expect(len(header) >= 5, "too few column labels: %r" % header, s)
        legend = " ".join(l.strip() for l in lines[5:] if re.match(r"^\s+\d+=", l))
        pairs = dict(re.findall(r"(\d+)=(\S+)", legend))
        m = re.search(r"columns (\d+)–(\d+) of 74", s)
        c0 = int(m.group(1)) - 1 if m else 0
        for k, lab in enumerate(header):
            tok = LONG74[c0 + k]
            if lab.isdigit():
                expect(int(lab) == c0 + k, "column %d is numbered %s" % (c0 + k, lab), s)
                expect(pairs.get(lab) == tok, "the legend does not say column %s is %r: %r" % (lab, tok, legend), s)
            else:
                expect(faithful(lab, tok) and width(lab) >= 3, "column label %r for %r" % (lab, tok), s)
        expect(len(set(header)) == len(header), "column labels repeat: %r" % header, s)
        for l in lines:
            expect(width(l) <= ts.W, "a line wider than the screen", s)


@test("training view: loss and accuracy curves have a value axis (top and bottom) and an epoch axis (0 … 20)")
def t_curves():
    with ts.attnstep("--model", ts.TINY_EN) as p:
        p.settle(ts.has_status(step=1))
        p.text("vvv")
        s = p.settle("epoch 20 of 20")
        lines = split_lines(s)
        axis = [l for l in lines if "└" in l]
        expect(len(axis) == 1 and axis[0].count("epochs") == 2, "no epoch axis under both curves", s)
        expect(re.findall(r"└0 +epochs +20", axis[0]), "epoch axis is not 0 … 20: %r" % axis[0], s)
        expect(any(re.search(r"^\s+\d\.\d\d│", l) for l in lines), "no top value on the loss axis", s)
        expect(any(re.search(r"^\s+0│", l) for l in lines), "no 0 at the bottom of the loss axis", s)
        expect(any("100%│" in l for l in lines) and any(" 0%│" in l for l in lines), "no 0%…100% accuracy axis", s)


@test("R retrains: while it runs the screen says 'training… epoch k of 20', never 'Trained.'; at the end it does")
def t_retrain_status():
    with ts.attnstep("--model", ts.TINY_EN) as p:
        p.settle(ts.has_status(step=1))
        p.text("vvv")
        p.settle("epoch 20 of 20")
        p.text("R")
        # the status and the message line above it (▸) say how far the run is
        p.wait(lambda s: re.search(r"epoch \d+ of 20", " ".join(split_lines(s)[-2:])), timeout=10)
        running = 0
        while True:
            s = p.screen()
            time.sleep(0.02)
            if p.screen() != s:  # caught mid-redraw: look again
                continue
            last = " ".join(split_lines(s)[-2:])
            if "retrained from random" in last:
                break
            if re.search(r"epoch \d+ of 20", last):  # the status line during the run
                m = re.search(r"── Training… epoch (\d+) of 20", s)
                expect("Trained." not in s, "'Trained.' on screen while training runs", s)
                expect(m and int(m.group(1)) <= 20, "heading during the run: no 'Training… epoch k of 20'", s)
                expect("(snapshot" not in s, "the heading shows the finished history mid-run", s)
                running += 1
            if p.dead():
                raise Fail("attnstep exited during retraining", s)
        expect(running >= 1, "never saw the screen during the run", s)
        s = p.settle("retrained from random", timeout=30)
        expect("Trained." in s and "epoch 20 of 20" in s, "after the run: not 'Trained.' at epoch 20", s)


@test("no e-notation anywhere, formulas included: every stage of a model with weights × 1e-4, "
      "heatmap, compare and lessons, at 100×30 and 200×60")
def t_no_e_notation():
    model = scaled_model("tiny-weights", 1e-4)
    for w, h in ((100, 30), (200, 60)):
        with ts.attnstep("--model", model, w=w, h=h) as p:
            p.settle(ts.has_status(step=1))
            screens = 0
            for lesson in range(3 if w == 100 else 1):  # attention, RNN, LSTM (the big screen: attention)
                p.text("g")
                s = p.settle(ts.has_status(step=1))
                while True:
                    m = E_NOTATION.search(s)  # formulas included: they write plain decimals too
                    expect(not m, "e-notation at %d×%d: %r" % (w, h, m and m.group(0)), s)
                    screens += 1
                    st = ts.status(s)
                    if st["stage"] == st["stages"]:
                        break
                    p.text("]")
                    s = p.settle(ts.has_status(stage=st["stage"] + 1))
                p.text("v")
                s = p.settle("── Attention weights")
                expect(not E_NOTATION.search(s), "e-notation in the heatmap", s)
                p.text("v")
                s = p.settle("RNN versus transformer")
                expect(not E_NOTATION.search(s), "e-notation in the compare view", s)
                p.text("vv")
                p.settle("── Stage")
                p.text("r")
                p.settle(lambda s: "Stage 1/" in s)
            expect(screens >= 20, "only %d screens checked" % screens)


@test("64×18 and 200×60: every view fits the screen, nothing wider than a line, the title and status intact")
def t_sizes():
    model = make_model("d16", "--d-model", "16", "--heads", "2")
    for w, h in ((64, 18), (200, 60)):
        for args in ((), ("--model", model), ("--model", ts.TINY_EN), tuple(LONG74)):
            with ts.attnstep(*args, w=w, h=h) as p:
                p.settle(at_step(1))
                for keys, want in (("", "── Stage 1/"), ("]]]]]]]l", "── Stage 8/"), ("G", "── Stage"),
                                   ("v", "── Attention weights"), ("v", "RNN versus transformer"),
                                   ("v", "── Training"), ("v", "── Stage")):
                    if keys:
                        p.text(keys)
                    s = p.settle(want)
                    lines = split_lines(s)
                    expect(len(lines) == h, "%d×%d %r: %d lines" % (w, h, args[:2], len(lines)), s)
                    wide = [l for l in lines if width(l) > w]
                    expect(not wide, "%d×%d: a line wider than the screen: %r" % (w, h, wide[:1]), s)
                    expect(lines[0].startswith(" attnstep · "), "%d×%d: title %r" % (w, h, lines[0]), s)
                    expect("\ufffd" not in s and "?" not in lines[0], "%d×%d: a broken character" % (w, h), s)


if __name__ == "__main__":
    sys.exit(ts.main())
