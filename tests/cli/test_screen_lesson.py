#!/usr/bin/env python3
"""A lesson the teacher scripts (--lesson FILE), driven in tmux like the other
screen suites (stdlib only, TAP output): paging forward and back through a
small lesson of several models, views and stages (a Korean note, a model in
a folder beside the lesson), the normal keys inside a slide, every bad file
refused with FILE:LINE:COL before the screen starts, and every shipped
lesson (assets/lessons/*.csv) paged through start to end in its language
without an error or an <unk>.

Usage: test_screen_lesson.py ATTNSTEP_BINARY SOURCE_ROOT
"""
import glob
import os
import re
import subprocess
import sys

import test_screen as ts
from tap import hangul, width
from test_screen import Fail, attnstep, expect, has_status, message, split_lines, status, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

ROOT, BIN = ts.ROOT, ts.BIN
TOUR = os.path.join(ROOT, "tests", "data", "lessons", "tour.csv")
SLIDE_RE = re.compile(r"── slide (\d+) of (\d+) · PgDn next · PgUp back")
SLIDE_KO_RE = re.compile(r"── 슬라이드 (\d+)/(\d+) · PgDn 다음 · PgUp 이전")


def slide_of(screen, pattern=SLIDE_RE):
    """(k, K) from the note panel's heading, or None."""
    m = pattern.search(screen)
    return (int(m.group(1)), int(m.group(2))) if m else None


def on_slide(k, pattern=SLIDE_RE):
    return lambda s: slide_of(s, pattern) is not None and slide_of(s, pattern)[0] == k


def note_below(screen, pattern=SLIDE_RE):
    """The note panel's text: the lines between its heading and the status line, joined."""
    lines = split_lines(screen)
    top = next(i for i, l in enumerate(lines) if pattern.search(l))
    return " ".join(l.strip() for l in lines[top + 1:-1])


def run(*args, lang=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LANG="C.UTF-8", ATTNSTEP_MODEL=ts.PINNED)
    pre = ["--lang", lang] if lang else []
    return subprocess.run([BIN, *pre, *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                          timeout=60, cwd=cwd)


# What each slide of tests/data/lessons/tour.csv shows: (model, check, note).
def status_is(stage, stages, title):
    def check(s):
        st = status(s)
        return st["stage"] == stage and st["stages"] == stages and st["title"] == title
    return check


TOUR_SLIDES = [
    ("tiny-en", status_is(1, 29, "Tokens"), "Slide one: the tokens of the sentence, before anything is computed."),
    ("tiny-en", lambda s: status_is(5, 29, "Queries")(s) and "── Stage 5/29 · Queries" in s,
     "Stage five of the attention lesson: the queries."),
    ("tiny-en", lambda s: status_is(9, 29, "Scaled scores")(s) and "── Scaled scores · head 1 of 2" in s
     and split_lines(s)[-1].startswith(" stage 9/29 Scaled scores │ step 53/158 "),
     "Head 1's scaled scores as a heatmap (s: its weights)."),
    ("random-en", lambda s: split_lines(s)[-1].startswith(" word 3/4 │ ") and "sequential step 3 of 4" in s,
     "The RNN has read three words; attention did all at once."),
    ("tiny-ko", lambda s: split_lines(s)[-1].startswith(" snapshot 1/12 │") and "(snapshot 1 of 12)" in s,
     "무작위 가중치에서 시작합니다. 오른쪽 화살표로 학습된 스냅숏을 봅니다."),
    ("korean", status_is(2, 19, "Embeddings"), "A model in a folder beside the lesson file, with a long note"),
]


def check_slide(p, k):
    model, check, note = TOUR_SLIDES[k - 1]
    s = p.settle(on_slide(k))
    expect(slide_of(s) == (k, len(TOUR_SLIDES)), "slide %r, not %d of %d" % (slide_of(s), k, len(TOUR_SLIDES)), s)
    expect(split_lines(s)[0].startswith(" attnstep · %s · " % model), "slide %d's model is not %s" % (k, model), s)
    try:
        ok = check(s)
    except Fail:
        ok = False
    expect(ok, "slide %d does not show its view and stage" % k, s)
    expect(note_below(s).startswith(note), "slide %d's note: %r" % (k, note_below(s)), s)
    return s


@test("tour.csv: PgDn pages through 6 slides (models, views, stages, notes), PgUp back to an identical slide 1")
def t_paging():
    with attnstep("--lesson", TOUR) as p:
        first = check_slide(p, 1)
        for k in range(2, len(TOUR_SLIDES) + 1):
            p.keys("NPage")
            check_slide(p, k)
        p.keys("NPage")
        s = p.settle(lambda s: "last slide" in message(s))
        expect(message(s) == "this is the lesson's last slide (PgUp: the one before)", message(s), s)
        expect(slide_of(s)[0] == len(TOUR_SLIDES), "PgDn on the last slide moved", s)
        for k in range(len(TOUR_SLIDES) - 1, 0, -1):
            p.keys("PPage")
            check_slide(p, k)
        s = p.settle(on_slide(1))
        expect(s == first, "slide 1 again differs from slide 1 at the start:\n" + ts.diff(first, s), s)
        p.keys("PPage")
        s = p.settle(lambda s: "first slide" in message(s))
        expect(message(s) == "this is the lesson's first slide (PgDn: the next)", message(s), s)


@test("the note wraps within the screen, is cut with … when longer than its room, and the view keeps the rest")
def t_note_wraps():
    with attnstep("--lesson", TOUR, w=64, h=18) as p:
        p.settle(on_slide(1))
        for _ in range(5):
            p.keys("NPage")
        s = p.settle(on_slide(6))
        lines = split_lines(s)
        top = next(i for i, l in enumerate(lines) if SLIDE_RE.search(l))
        body = lines[top + 1:-1]
        expect(len(body) == 3, "at 64×18 the note takes %d lines, not 3 ((18 - 3) / 4)" % len(body), s)
        expect(all(width(l) <= 64 for l in lines), "a line wider than the screen", s)
        expect(body[-1].rstrip().endswith("…"), "a cut note does not end in …: %r" % body[-1], s)
        expect(status(s)["stage"] == 2, "no status line under the note", s)


@test("inside a slide the normal keys work (→ ] v n); PgDn and PgUp then show the slides as written")
def t_keys_inside():
    with attnstep("--lesson", TOUR) as p:
        p.settle(on_slide(1))
        p.keys("NPage")
        s = p.settle(on_slide(2))
        step = status(s)["step"]
        p.keys("Right")
        s = p.settle(has_status(step=step + 1))
        p.text("]")
        s = p.settle(has_status(stage=6))
        expect(slide_of(s) == (2, 6), "] left the slide", s)
        p.text("v")
        s = p.settle(lambda s: "── Attention weights · head" in s)
        expect(slide_of(s) == (2, 6), "v left the slide", s)
        p.text("n")
        s = p.settle(lambda s: message(s).startswith("example "))
        expect(split_lines(s)[0].startswith(" attnstep · tiny-en · "), "n changed the model", s)
        p.text("?")
        p.settle("Esc closes · q quits")
        p.keys("End")  # the help is longer than the screen: its end, where the lesson keys are
        s = p.settle(lambda s: "PgDn  PgUp" in s)
        expect("next / previous slide" in s, "the help does not list PgDn PgUp", s)
        p.keys("Escape")
        p.settle(lambda s: "Esc closes" not in s)
        p.keys("NPage")
        check_slide(p, 3)
        p.keys("PPage")
        check_slide(p, 2)
        p.text("q")
        p.wait(lambda s: p.dead(), msg="q did not quit")


@test("--lang ko: the note panel's heading in Korean, aligned by display width; the Korean note whole")
def t_korean():
    with attnstep("--lang", "ko", "--lesson", TOUR) as p:
        p.settle(on_slide(1, SLIDE_KO_RE))
        for _ in range(4):
            p.keys("NPage")
        s = p.settle(on_slide(5, SLIDE_KO_RE))
        lines = split_lines(s)
        head = next(l for l in lines if SLIDE_KO_RE.search(l))
        expect(width(head.rstrip()) == ts.W - 1, "the heading's rule does not reach the edge: %r" % head, s)
        expect(note_below(s, SLIDE_KO_RE) == TOUR_SLIDES[4][2], "note: %r" % note_below(s, SLIDE_KO_RE), s)
        expect(all(width(l) <= ts.W for l in lines), "a line wider than the screen", s)


@test(": jumps to a stage by number or by the start of a word of its name (again: the next head); "
      "words read in the compare view; Esc cancels; a bad one says why")
def t_jump():
    with attnstep("--model", ts.TINY_EN) as p:
        p.settle(has_status(step=1))
        p.text(":1")
        s = p.settle(lambda s: message(s).startswith("jump to stage: 1_"))
        p.text("2")
        p.keys("Enter")
        s = p.settle(has_status(stage=12))
        expect(status(s)["title"] == "Queries", "stage 12 is %r" % status(s)["title"], s)
        for want in (17, 10):  # from 12: head 2's weights, then round to head 1's
            p.text(":weig")
            p.keys("Enter")
            s = p.settle(has_status(stage=want))
            expect(status(s)["title"] == "Attention weights (softmax)", "stage %d is %r" % (want, status(s)["title"]), s)
        p.text(":zzz")
        p.keys("Enter")
        s = p.settle(lambda s: "no stage" in message(s))
        expect(message(s) == "no stage 'zzz': give a number from 1 to 29 or the start of a stage's name", message(s), s)
        p.text(":5")
        p.keys("Escape")
        s = p.settle(lambda s: message(s) == "")
        expect(status(s)["stage"] == 10, "Esc did not cancel the jump", s)
    with attnstep("--compare") as p:
        p.settle("── RNN versus transformer")
        p.text(":3")
        p.keys("Enter")
        s = p.settle(lambda s: split_lines(s)[-1].startswith(" word 3/5 │"))
    with attnstep("--lang", "ko", "--model", ts.TINY_EN) as p:
        p.settle(lambda s: "단계 1/29" in split_lines(s)[-1])
        p.text(":가중")
        p.keys("Enter")
        s = p.settle(lambda s: "단계 10/29" in split_lines(s)[-1])


@test("PgDn without a lesson says what it does and changes nothing")
def t_no_lesson():
    with attnstep() as p:
        first = ts.first_screen(p)
        p.keys("NPage")
        s = p.settle(lambda s: "PgDn" in message(s))
        expect(message(s) == "PgDn and PgUp page through a lesson's slides: attnstep --lesson FILE", message(s), s)
        expect(status(s)["step"] == 1 and "slide" not in split_lines(first)[-2], "PgDn moved", s)


@test("--print (and a pipe) list the slides: model, view, stage, sentence, note")
def t_print():
    r = run("--lesson", TOUR, "--print")
    out = r.stdout.splitlines()
    expect(r.returncode == 0 and r.stderr == "", "exit %d: %s" % (r.returncode, r.stderr))
    expect(out[:2] == ["slide 1 of 6: tiny-en, pipeline: the movie was not good",
                       "  Slide one: the tokens of the sentence, before anything is computed."], "%r" % out[:2])
    expect("slide 4 of 6: random-en, compare, stage 3: the movie was good" in out, "\n".join(out))
    expect("slide 6 of 6: korean, pipeline, stage 2: 영화가 좋지 않았다" in out, "\n".join(out))
    r2 = run("--lesson", TOUR)
    expect(r2.returncode == 0 and r2.stdout == r.stdout, "a pipe does not get the list: %s" % r2.stderr)


# ---- bad files ---------------------------------------------------------------

HEADER = "model,sentence,view,stage,note\n"
BAD = [
    # (name, text, the error after "attnstep: FILE:")
    ("header", "model,sentence,view,step,note\ntiny-en,,,,\n",
     "1:21: a lesson's first row must be the header model,sentence,view,stage,note"),
    ("empty", HEADER, "2:1: no slides: a lesson has one row per slide after the header"),
    ("fields", HEADER + "tiny-en,,,,a, b\n",
     "2:15: a slide has 5 fields (model,sentence,view,stage,note), this row has 6; a note with a comma goes in "
     "double quotes"),
    ("no-model", HEADER + ",good,,,\n",
     "2:1: the first slide needs a model: a bundled model's name (tiny-en, tiny-ko, random-en) or a folder"),
    ("missing-model", HEADER + "tiny-en,,,,\nno-such-model,,,,\n",
     "3:1: no model 'no-such-model': neither a folder in {dir} nor a bundled model (tiny-en, tiny-ko, random-en)"),
    ("view", HEADER + "tiny-en,,slides,,\n",
     "2:10: unknown view 'slides': pipeline, heatmap, compare, training, generate or transfer (empty: pipeline)"),
    ("stage-zero", HEADER + "tiny-en,,,0,\n",
     "2:11: stage must be a whole number from 1 (or empty: the view's start), not '0'"),
    ("stage-text", HEADER + "tiny-en,,heatmap,two,\n",
     "2:18: stage must be a whole number from 1 (or empty: the view's start), not 'two'"),
    ("stage-beyond", HEADER + "random-en,the movie was not good,,21,\n",
     "2:35: stage 21 is beyond the pipeline's last: random-en has 20 stages for this sentence"),
    ("compare-no-rnn", HEADER + "tiny-lm-en,my mother,compare,,\n",  # tiny-en has an RNN since issue 13
     "2:22: the compare view needs a model with an RNN (rnn_w_xh.csv); tiny-lm-en has none (the bundled random-en "
     "has one)"),
    ("compare-beyond", HEADER + "random-en,the movie was good,compare,5,\n",
     "2:38: stage 5 is beyond the compare view's last: its stage k shows k words read, and the sentence has 4 "
     "words"),
    ("training-beyond", HEADER + "tiny-en,,training,13,\n",
     "2:19: stage 13 is beyond the training view's last: tiny-en has 12 snapshots"),
    ("unk", HEADER + "tiny-en,the movie was good,,,\ntiny-ko,,,,\n",
     "3:9: 'the', 'movie', 'was', 'good' are not in the vocabulary of tiny-ko and would read as <unk> (sentence "
     "'the movie was good')"),
    ("quote", HEADER + "tiny-en,,,,\"unclosed\n", "2:12: quoted field is never closed"),
]


@test("every kind of bad lesson: exit 1 with attnstep: FILE:LINE:COL: reason, nothing on stdout")
def t_bad_files():
    bad = []
    for name, text, want in BAD:
        path = ts.tmpfile("bad-%s.csv" % name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        r = run("--lesson", path)
        expected = "attnstep: %s:%s\n" % (path, want.format(dir=ts.TMP))
        if r.returncode != 1 or r.stderr != expected or r.stdout:
            bad.append("%s: exit %d\n   got: %r\nwanted: %r" % (name, r.returncode, r.stderr, expected))
    expect(not bad, "\n".join(bad))


@test("a bad lesson on a terminal: the error before the screen starts, exit 1")
def t_bad_on_screen():
    path = ts.tmpfile("bad-screen.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER + "tiny-en,,,,\n,,pipeline,99,\n")
    err, code = ts.tmpfile("bad-screen.err"), ts.tmpfile("bad-screen.exit")
    with ts.shell(ts.shell_cmd("--lesson", path) + " 2>" + err + "; echo EXIT=$? >" + code) as p:
        got_code = ts.wait_file(code)
        expect(got_code == "EXIT=1\n", "exit: %r" % got_code, p.screen())
        with open(err, encoding="utf-8") as f:
            got = f.read()
        want = ("attnstep: %s:3:12: stage 99 is beyond the pipeline's last: tiny-en has 29 stages for this sentence\n"
                % path)
        expect(got == want, "stderr %r, not %r" % (got, want), p.screen())


@test("--lesson with --model, --compare, --set or a sentence: usage error, exit 2")
def t_usage():
    for args, what in ((["--model", ts.PINNED], "--model"), (["--compare"], "--compare"),
                       (["--set", "w_q[0,0]=1"], "--set"), (["--", "the", "movie"], "a sentence")):
        r = run("--lesson", TOUR, *args)
        expect(r.returncode == 2 and r.stderr.startswith(
            "attnstep: --lesson FILE takes its models, sentences and views from FILE: it does not go with %s\n"
            % what), "%s: exit %d, %r" % (what, r.returncode, r.stderr))


# ---- the shipped lessons ---------------------------------------------------------

def shipped():
    return sorted(glob.glob(os.path.join(ROOT, "assets", "lessons", "*.csv")))


@test("every shipped lesson (assets/lessons/*.csv) pages start to end in its language: no error, no <unk>")
def t_shipped():
    for path in shipped():
        name = os.path.basename(path)
        m = re.search(r"\.(en|ko)\.csv$", name)
        expect(m, "%s: a shipped lesson is NAME.en.csv or NAME.ko.csv" % name)
        lang = m.group(1)
        r = run("--lesson", path, lang=lang)
        expect(r.returncode == 0 and r.stderr == "", "%s: exit %d: %s" % (name, r.returncode, r.stderr))
        by_name = run("--lesson", name, lang=lang, cwd=ts.TMP)
        expect(by_name.returncode == 0 and by_name.stdout == r.stdout,
               "--lesson %s (its bare name, elsewhere) is not the bundled lesson: %s" % (name, by_name.stderr))
        n = sum(1 for line in r.stdout.splitlines() if not line.startswith("  "))
        expect(n > 0 and "<unk>" not in r.stdout, "%s: %d slides listed, <unk>: %s" % (name, n, "<unk>" in r.stdout))
        pattern = SLIDE_KO_RE if lang == "ko" else SLIDE_RE
        with attnstep("--lang", lang, "--lesson", path) as p:
            for k in range(1, n + 1):
                if k > 1:
                    p.keys("NPage")
                s = p.settle(on_slide(k, pattern), timeout=20)
                expect(slide_of(s, pattern) == (k, n), "%s: slide %r, not %d of %d" % (name, slide_of(s, pattern),
                                                                                       k, n), s)
                expect("<unk>" not in split_lines(s)[0], "%s slide %d: <unk> in the title" % (name, k), s)
                expect("attnstep:" not in s and "out of memory" not in message(s),
                       "%s slide %d: an error on screen" % (name, k), s)
                if lang == "ko":
                    expect(hangul(note_below(s, pattern)) or not note_below(s, pattern),
                           "%s slide %d: a note without Hangul" % (name, k), s)
            p.keys("NPage")
            s = p.settle(lambda s: "PgUp" in message(s))
            expect(slide_of(s, pattern) == (n, n), "%s: PgDn after the last slide moved" % name, s)


if __name__ == "__main__":
    sys.exit(ts.main())
