#!/usr/bin/env python3
"""A model with tokenizer.csv (subword merges): --print, the export and the
screen show the pieces, "##" before a piece that does not begin its word;
the same model without tokenizer.csv reads whole words, as before.

Usage: test_pieces.py ATTNSTEP_BINARY SOURCE_ROOT

Reuses the tmux harness of test_screen.py (imported; its own tests are not
run here). Exits 77 (skipped) when tmux is missing.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_screen as ts  # noqa: E402  (checks argv and tmux, exits 77 without it)
from test_screen import expect, split_lines  # noqa: E402

ts.results.clear()  # only the tests below
test = ts.test
BIN, ROOT, TMP = ts.BIN, ts.ROOT, ts.TMP
BPE = os.path.join(ROOT, "tests", "data", "bundles", "korean-pieces")
SENTENCE = ["나는", "그", "영화를", "좋아하지", "않았다.", "책을"]
PIECES = ["나는", "그", "영화", "##를", "좋아", "##하지", "않았다", ".", "책", "##을"]
WORDS = [0, 1, 2, 2, 3, 3, 4, 5, 6, 6]  # "." is a word of its own


def run(*args):
    env = dict(os.environ, LANG="C.UTF-8")
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=60)


def print_rows(out):
    """(position, token, id, known) of --print's token table."""
    rows = []
    for line in out.split("\n"):
        f = line.split()
        if len(f) >= 4 and f[0].isdigit() and f[2].isdigit() and f[3] in ("known", "unknown"):
            rows.append((int(f[0]), f[1], int(f[2]), f[3]))
    return rows


@test("--print: the token table lists the pieces in order, ids of their vocabulary rows, 책 ##을 unknown")
def t_print():
    r = run("--model", BPE, "--print", "--", *SENTENCE)
    expect(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    rows = print_rows(r.stdout)
    expect([t for _, t, _, _ in rows] == PIECES, "tokens %r, expected %r" % (rows, PIECES), r.stdout)
    expect([k for *_, k in rows].count("unknown") == 2 and rows[-1][2] == 0 and rows[-2][2] == 0,
           "책 and ##을 are the only unknown tokens: %r" % rows, r.stdout)
    expect("(10 tokens)" in r.stdout, "the header does not count 10 tokens", r.stdout)


@test("--export: tokens.csv position,token,id,word (word: the word each piece comes from), tokenizer.csv copied")
def t_export():
    out = os.path.join(TMP, "export")
    r = run("--model", BPE, "--export", out, "--", *SENTENCE)
    expect(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    with open(os.path.join(out, "tokens.csv"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    expect(lines[0] == "position,token,id,word", "header %r" % lines[0])
    rows = [l.split(",") for l in lines[1:] if l]
    expect([r_[1] for r_ in rows] == PIECES, "tokens %r" % rows)
    expect([int(r_[3]) for r_ in rows] == WORDS, "word column %r, expected %r" % ([r_[3] for r_ in rows], WORDS))
    with open(os.path.join(out, "tokenizer.csv"), "rb") as a, open(os.path.join(BPE, "tokenizer.csv"), "rb") as b:
        expect(a.read() == b.read(), "the export's tokenizer.csv differs from the bundle's")


@test("without tokenizer.csv the same model reads whole words (word = position) and the export has none")
def t_without():
    plain = os.path.join(TMP, "plain")
    shutil.copytree(BPE, plain)
    os.remove(os.path.join(plain, "tokenizer.csv"))
    out = os.path.join(TMP, "export-plain")
    r = run("--model", plain, "--print", "--export", out, "--", *SENTENCE)
    expect(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    rows = print_rows(r.stdout)
    expect([t for _, t, _, _ in rows] == ["나는", "그", "영화를", "좋아하지", "않았다", ".", "책을"],
           "tokens %r" % rows, r.stdout)
    with open(os.path.join(out, "tokens.csv"), encoding="utf-8") as f:
        rows = [l.split(",") for l in f.read().split("\n")[1:] if l]
    expect(all(r_[0] == r_[3] for r_ in rows), "word differs from position: %r" % rows)
    expect(not os.path.exists(os.path.join(out, "tokenizer.csv")), "tokenizer.csv in the export")


@test("screen: the title, the token panel, matrix rows and the heatmap's labels are the pieces")
def t_screen():
    with ts.attnstep("--model", BPE, "--", *SENTENCE) as p:
        s = p.settle(lambda s: "Stage 1/" in s and "step 1/" in s)
        lines = split_lines(s)
        expect(lines[0].startswith(" attnstep · korean-pieces · " + " ".join(PIECES[:7])), "title %r" % lines[0], s)
        listed = [l.split()[1] for l in lines[3:20] if len(l.split()) >= 2 and l.split()[0].isdigit()]
        expect(listed == PIECES, "token panel lists %r" % listed, s)
        p.text("]]]")
        s = p.settle(lambda s: "Stage 4/" in s)
        labels = [l.split()[0] for l in split_lines(s)[6:20] if l.split()]
        expect(all(piece in labels for piece in PIECES), "x's rows %r lack a piece" % labels, s)
        p.text("v")
        s = p.settle("Attention weights")
        expect(all(any(l.split()[:1] == [piece] for l in split_lines(s)) for piece in ("##를", "##하지", "##을")),
               "the heatmap's rows are not labelled with the pieces", s)


if __name__ == "__main__":
    sys.exit(ts.main())
