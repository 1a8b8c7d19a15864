#!/usr/bin/env python3
"""End-to-end tests of the full-screen view in Korean (--lang ko): the
pipeline, the heatmap and the help overlay on tiny-ko and tiny-en at 120x40,
80x24 and the minimum 64x18, the too-small screen, refused keys; and English
as before without --lang (stdlib only, TAP output).

Usage: test_screen_ko.py ATTNSTEP_BINARY SOURCE_ROOT

What every Korean screen must hold: the screen's own words in Korean (the
headings, the status line, the help), no line wider than the terminal, no
wide glyph cut in half (a lone replacement character, or a line one cell
too wide), the numbers of a matrix in the same display column on every row
and under their column label. The stage titles and explanations come from
other parts of the program and are not checked here in either language.

Reuses the tmux harness of test_screen.py (a private tmux server, one pane
per test, capture-pane polling). Exits 77 (skipped) without tmux.
"""
import os
import re
import sys

import test_screen as ts
from test_screen import Fail, cells, expect, message, split_lines, test, width

ts.results[:] = []  # run only the tests below, with test_screen's runner

ROOT, BIN = ts.ROOT, ts.BIN
MODELS = os.path.join(ROOT, "assets", "models")
TINY_EN, TINY_KO = (os.path.join(MODELS, m) for m in ("tiny-en", "tiny-ko"))
SIZES = [(120, 40), (80, 24), (64, 18)]

HANGUL = re.compile("[\uac00-\ud7a3]")
NUMBER = re.compile(r"^-?(\d+\.\d+|\.\d+|\d+)$")
# The Korean status line: stage k/K, its title, step s/S, heads, granularity, mask.
STATUS_KO = re.compile(r"^ 단계 (\d+)/(\d+) (.*?) │ 스텝 (\d+)/(\d+) │ (헤드 \d+/\d+|헤드 \d+개) │ (\S+) │ "
                       r"인과 마스크 (켬|끔)(?: |$)")
HELP_TITLE, HELP_CLOSE = "단축키", "Esc 닫기 · q 끝내기"
HELP_FOOT = re.compile(r"(\d+)줄 중 (\d+)–(\d+)줄")
# The key column of the help, as in English but for the mouse.
HELP_KEYS = ["→  l  space", "←  h  Backspace", "]  [", "Home g  End G", "Tab", "v", "r", "n  N", "1–9", "0",
             "m", "p", "+  -", "s", "↑  ↓", "<  >  ,  .", "R", "Enter", "t  T", "k  K", "c", "a", "e", "E", "u  U", "S", "PgDn  PgUp", ":", "마우스 클릭", "?  Esc", "q  Q"]


def run(*args, lang="ko", w=120, h=40):
    """attnstep in a pane, --lang ko unless lang is None, with LANGUAGE and
    LC_MESSAGES unset so that only the option (or LANG=C.UTF-8) decides."""
    argv = [BIN] + (["--lang", lang] if lang else []) + list(args)
    return ts.Pane(ts.pane_env(unset=("LANGUAGE", "LC_MESSAGES")) + argv, w, h)


def status_ko(screen):
    last = split_lines(screen)[-1] if split_lines(screen) else ""
    m = STATUS_KO.match(last)
    if not m:
        raise Fail("no Korean status line on the last line: %r" % last, screen)
    return {"stage": int(m.group(1)), "step": int(m.group(4)), "steps": int(m.group(5)), "line": last}


def at_step(n=None):
    def pred(s):
        try:
            st = status_ko(s)
        except Fail:
            return False
        return n is None or st["step"] == n
    return pred


def well_formed(s, w, h, where):
    """Every line fits the terminal, no glyph is cut, the screen has h lines."""
    lines = split_lines(s)
    expect(len(lines) == h, "%s: %d lines on a %d-line screen" % (where, len(lines), h), s)
    for i, line in enumerate(lines):
        expect("\ufffd" not in line, "%s: line %d has a replacement character (a cut glyph): %r" % (where, i + 1, line),
               s)
        expect(width(line) <= w, "%s: line %d is %d cells wide on a %d-cell screen: %r" % (where, i + 1, width(line),
                                                                                           w, line), s)


def runs(line):
    """The whitespace-separated pieces of a line with their display columns
    [start, end)."""
    out, col, i = [], 0, 0
    for m in re.finditer(r"\S+", line):
        col += width(line[i:m.start()])
        w = width(m.group(0))
        out.append((m.group(0), col, col + w))
        col += w
        i = m.end()
    return out


def number_ends(line):
    return [e for text, _, e in runs(line.replace("▶", " ")) if NUMBER.match(text)]


def grid(s, where, min_rows=2):
    """The first block of at least min_rows lines each with two or more
    numbers, and the label line above it: (header, rows)."""
    lines = split_lines(s)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and len(number_ends(lines[j])) >= 2:
            j += 1
        if j - i >= min_rows:
            return lines[i - 1], lines[i:j]
        i = j + 1
    raise Fail("%s: no matrix of numbers on screen" % where, s)


def aligned(s, where, labels=True):
    """Each number of the grid ends in the same display column on every row,
    and (labels) each column label ends where its numbers do."""
    header, rows = grid(s, where)
    ends = [number_ends(r) for r in rows]
    for r, e in zip(rows, ends):
        expect(e == ends[0], "%s: the numbers of row %r end in columns %r, of the first row in %r"
               % (where, r.strip(), e, ends[0]), s)
    if labels:
        label_ends = [e for _, _, e in runs(header)]
        missing = [e for e in ends[0] if e not in label_ends]
        expect(not missing, "%s: no column label ends in column(s) %r, where the numbers end (labels: %r)"
               % (where, missing, header), s)
    return header, rows


# ---- the pipeline ------------------------------------------------------------

def check_pipeline(model, w, h):
    name = os.path.basename(model)
    where = "%s %dx%d pipeline" % (name, w, h)
    with run("--model", model, w=w, h=h) as p:
        s = p.settle(at_step(1))
        well_formed(s, w, h, where)
        lines = split_lines(s)
        expect(lines[2].startswith(" ── 단계 1/"), "%s: heading %r" % (where, lines[2]), s)
        st = status_ko(s)
        expect(st["line"].rstrip().endswith("인과 마스크 끔") or "←→ 스텝" in st["line"],
               "%s: the status line does not end whole: %r" % (where, st["line"]), s)
        if w >= 80:
            expect("←→ 스텝" in st["line"], "%s: no key hint in Korean on the status line: %r" % (where, st["line"]), s)
        expect(any(l.split()[:3] == ["#", "토큰", "어휘"] for l in lines), "%s: no Korean heads over the token list"
               % where, s)
        if h >= 24:
            expect(any(l.strip().startswith("→ 또는 space: 다음 스텝") for l in lines),
                   "%s: no start hint in Korean" % where, s)
        # A stage with matrices, every step of it at once.
        p.keys("Tab")  # row -> stage: fewer steps
        s = p.settle(lambda s, n=st["steps"]: at_step()(s) and status_ko(s)["steps"] < n)
        p.text("]]]]]]]]")  # stage 9: Q · Kᵀ's scores scaled
        s = p.settle(lambda s: at_step()(s) and status_ko(s)["stage"] == 9)
        well_formed(s, w, h, where + ", stage 9")
        expect(split_lines(s)[2].startswith(" ── 단계 9/"), "%s: heading %r" % (where, split_lines(s)[2]), s)
        if w >= 80:  # numbers fit: they line up under the tokens
            aligned(s, where + ", stage 9")


for _m in (TINY_KO, TINY_EN):
    for _w, _h in SIZES:
        test("pipeline in Korean, %s at %dx%d: heading, status line, hints; aligned numbers; nothing cut"
             % (os.path.basename(_m), _w, _h))(lambda m=_m, w=_w, h=_h: check_pipeline(m, w, h))


# ---- the heatmap -------------------------------------------------------------

def check_heatmap(model, w, h):
    name = os.path.basename(model)
    where = "%s %dx%d heatmap" % (name, w, h)
    with run("--model", model, w=w, h=h) as p:
        p.settle(at_step(1))
        p.text("Gv")  # every weight computed
        s = p.settle(lambda s: "── 어텐션 가중치 · 헤드 1/2" in s and at_step()(s))
        well_formed(s, w, h, where)
        expect("행 = 쿼리 단어, 열 = 키 단어" in s, "%s: no Korean guide under the heading" % where, s)
        expect(re.search(r"A\[\S+,\S+\] = -?\d", s), "%s: no selected value line" % where, s)
        aligned(s, where)
        p.text("0s")  # the mean of the heads, scaled scores
        s = p.settle(lambda s: "── 스케일된 점수 · 헤드 2개의 평균" in s)
        well_formed(s, w, h, where + ", mean of scores")
        expect("(헤드들의 평균)" in s, "%s: the value line does not say it is the mean" % where, s)
        aligned(s, where + ", mean of scores")


for _m in (TINY_KO, TINY_EN):
    for _w, _h in SIZES:
        test("heatmap in Korean, %s at %dx%d: heading, guide, aligned under the tokens, nothing cut"
             % (os.path.basename(_m), _w, _h))(lambda m=_m, w=_w, h=_h: check_heatmap(m, w, h))


# ---- the help ------------------------------------------------------------------

def help_rows(s, where, title_text=HELP_TITLE, close=HELP_CLOSE, foot=HELP_FOOT):
    """The help box's rows below its title up to its footer, cut to its inner
    columns (in display cells)."""
    lines = split_lines(s)
    top = next((i for i, l in enumerate(lines) if title_text in l and close in l), None)
    expect(top is not None, "%s: no help box titled %s with %s" % (where, title_text, close), s)
    title = lines[top]
    left = width(title[:title.index(title_text)])
    right = width(title[:title.index(close)]) + width(close)
    rows = []
    for l in lines[top + 1:]:
        body = cells(l, left, right)
        if not body.strip() or foot.search(body):
            break
        rows.append(body.rstrip())
    return rows


def check_help(model, w, h, scrolls):
    where = "%s %dx%d help" % (os.path.basename(model), w, h)
    with run("--model", model, w=w, h=h) as p:
        p.settle(at_step(1))
        p.text("?")
        s = p.settle(HELP_CLOSE)
        by_line, pages = {}, 0
        while True:
            pages += 1
            well_formed(s, w, h, where)
            page = help_rows(s, where)
            foot = HELP_FOOT.search(s)
            if not foot:
                rows = page
                break
            total, first, last = (int(x) for x in foot.groups())
            expect(last - first + 1 == len(page), "%s: the footer says lines %d–%d, %d shown" % (where, first, last,
                                                                                                 len(page)), s)
            for i, row in enumerate(page):
                by_line[first - 1 + i] = row
            if last == total:
                rows = [by_line[i] for i in range(total)]
                break
            expect(pages < 50, "%s: the help does not reach its end by scrolling" % where, s)
            p.keys("Down")
            s = p.settle(lambda s, first=first: HELP_FOOT.search(s) and int(HELP_FOOT.search(s).group(2)) == first + 1)
        expect(pages > 1 if scrolls else pages == 1, "%s: %d page(s)" % (where, pages), s)
        entries = []
        for r in rows:
            if r[:1] != " ":
                key = next((k for k in HELP_KEYS if r.startswith(k + "  ")), None)
                expect(key, "%s: a help row with an unknown key: %r" % (where, r), s)
                entries.append([key, r[len(key):].strip()])
            else:
                expect(entries, "%s: a continuation line first: %r" % (where, r), s)
                entries[-1][1] += " " + r.strip()
        expect([k for k, _ in entries] == HELP_KEYS, "%s: keys listed %r" % (where, [k for k, _ in entries]), s)
        for k, d in entries:
            expect(HANGUL.search(d), "%s: the description of %s is not in Korean: %r" % (where, k, d), s)
        text = {k: " ".join(d.split()) for k, d in entries}
        expect(text["q  Q"] == "끝내기", "%s: q is described as %r" % (where, text["q  Q"]), s)
        expect("화면: 파이프라인 → 히트맵 → RNN 대 어텐션 → 학습" in text["v"], "%s: v: %r" % (where, text["v"]), s)
        p.keys("Escape")
        s = p.settle(lambda s: HELP_CLOSE not in s)
        expect(status_ko(s)["step"] == 1, "%s: closing the help moved the step" % where, s)


test("help in Korean at 64x18 (tiny-ko): every key, Korean descriptions whole, scrolls with a Korean footer")(
    lambda: check_help(TINY_KO, 64, 18, True))
test("help in Korean at 80x24 (tiny-en): every key, Korean descriptions whole, scrolls")(
    lambda: check_help(TINY_EN, 80, 24, True))
test("help in Korean at 120x40 (tiny-ko): every key on one screen, nothing cut")(
    lambda: check_help(TINY_KO, 120, 40, False))


# ---- messages, small screens -------------------------------------------------


@test("refused keys say why in Korean, whole, on their own lines at 64x18: z, 9, ← at the start, Tab in the compare view")
def t_refused():
    w, h = 64, 18
    with run("--model", TINY_KO, w=w, h=h) as p:
        before = p.settle(at_step(1))
        for keys, want in (("z", "z 키는 attnstep의 단축키가 아닙니다 (?: 단축키 목록)"),
                           ("9", "9: 이 모델에는 헤드가 2개뿐이므로 9번 헤드는 없습니다"),
                           ("h", "첫 스텝입니다 (→ 또는 space: 다음 스텝)")):
            p.text(keys)
            s = p.settle(lambda s, want=want: want in message(s))
            well_formed(s, w, h, "after " + keys)
            expect(split_lines(s)[-1] == split_lines(before)[-1], "after %s the status line changed" % keys, s)
        p.text("vv")  # the RNN vs attention view
        p.settle(lambda s: split_lines(s)[-1].startswith(" 단어 0/"))
        p.keys("Tab")
        s = p.settle(lambda s: "해당 내용이 없습니다" in message(s))
        well_formed(s, w, h, "Tab in the compare view")
        msg = message(s)
        expect(msg.startswith("Tab 키는 파이프라인에서") and msg.endswith("(v: 다음 화면)") and "…" not in msg,
               "the message is not whole: %r" % msg, s)
        last = split_lines(s)[-1]
        # 영화 ##가 좋지 않았다: four tokens, four RNN steps
        expect(re.match(r" 단어 0/(\d+) │ RNN \1스텝, 어텐션 1스텝 │ ←→ 읽기", last), "compare status line: %r" % last, s)


@test("too small in Korean: the message whole at 40x10, and broken between words, never inside one, at 20x8")
def t_too_small():
    for w, h, want in ((40, 10, ["터미널이 너무 작습니다 (64×18 이상 필요)", "지금 40×10"]),
                       (20, 8, ["터미널이 너무", "작습니다", "(64×18 이상 필요)", "지금 20×8"])):
        with run("--model", TINY_KO, w=w, h=h) as p:
            s = p.settle(lambda s, w=w, h=h: "지금 %d×%d" % (w, h) in s)
            well_formed(s, w, h, "%dx%d" % (w, h))
            got = [l.strip() for l in split_lines(s) if l.strip()]
            expect(got == want, "%dx%d: %r, want %r" % (w, h, got, want), s)


# ---- English stays ---------------------------------------------------------

@test("at 64x18 a stage title the status line must shorten keeps 2 letters and '…', or goes: never '출…'")
def t_status_title():
    for model, stages in ((TINY_EN, 29), (os.path.join(MODELS, "random-en"), 20)):
        with run("--model", model, w=64, h=18) as p:
            p.settle(at_step(1))
            p.text("G")
            s = p.settle(lambda s: at_step()(s) and status_ko(s)["stage"] == stages)
            well_formed(s, 64, 18, "the last stage at 64x18")
            title = STATUS_KO.match(split_lines(s)[-1]).group(3)
            expect(not re.fullmatch(r"\S…", title), "a one-letter title on the status line: %r" % title, s)


@test("heatmap at 64x18, scaled scores of tiny-ko: the line under it wraps whole, not cut with '…'")
def t_heat_line():
    with run("--model", TINY_KO, w=64, h=18) as p:  # tiny-ko cuts 영화가 into 영화 ##가
        p.settle(at_step(1))
        p.text("vs")
        s = p.settle(lambda s: "S'[영화,영화]" in s)
        well_formed(s, 64, 18, "heatmap, scaled scores")
        lines = split_lines(s)
        at = next(i for i, l in enumerate(lines) if "S'[영화,영화]" in l)
        said = " ".join(l.strip() for l in lines[at:at + 2])
        expect(HANGUL.search(said) and "…" not in said,
               "the line under the heatmap is cut: %r" % said, s)


@test("without --lang (LANG=C.UTF-8) the screen is English: status, heading, heatmap, help, a refused key")
def t_english():
    with run("--model", TINY_KO, lang=None, w=80, h=24) as p:
        s = p.settle(ts.has_status(step=1))
        lines = split_lines(s)
        expect(lines[2].startswith(" ── Stage 1/"), "heading: %r" % lines[2], s)
        expect(not HANGUL.search(lines[-1]), "Hangul on the English status line: %r" % lines[-1], s)
        expect(lines[0].rstrip().endswith("bidirectional"), "title: %r" % lines[0], s)
        p.text("z")
        s = p.settle(lambda s: "z is not a key of attnstep" in message(s))
        p.text("Gv")
        s = p.settle("── Attention weights · head 1 of 2")
        expect("row = a query word, column = a key word" in s, "no English guide in the heatmap", s)
        aligned(s, "English heatmap on tiny-ko")
        p.text("?")
        s = p.settle("Esc closes · q quits")
        rows = help_rows(s, "English help", "Keys", "Esc closes · q quits", re.compile(r"lines \d+–\d+ of \d+"))
        expect(rows and re.match(r"→  l  space +next step", rows[0]) and not any(HANGUL.search(r) for r in rows),
               "the English help: %r" % rows[:3], s)


@test("--lang en on tiny-ko is English; --lang ko on tiny-en is Korean around the English sentence")
def t_lang_en():
    with run("--model", TINY_KO, lang="en", w=80, h=24) as p:
        s = p.settle(ts.has_status(step=1))
        expect(not HANGUL.search(split_lines(s)[-1]), "Hangul on the status line with --lang en", s)
    with run("--model", TINY_EN, w=80, h=24) as p:
        s = p.settle(at_step(1))
        title = split_lines(s)[0]
        expect(HANGUL.search(split_lines(s)[-1]) and re.match(r" attnstep · tiny-en · the mov(ie| ##ie) was not good", title)
               and title.rstrip().endswith(" 양방향"),
               "with --lang ko on tiny-en: Hangul on the status line, the English sentence and 양방향 in the title", s)


if __name__ == "__main__":
    sys.exit(ts.main())
