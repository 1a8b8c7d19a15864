#!/usr/bin/env python3
"""End-to-end tests of the keys of the full-screen view: the help overlay at
the smallest and a large size, n / N on both shipped models, the Tab round
trip, refused keys, stop signals during a live retraining, and the compare
view's pointer to the bundled recurrent model (stdlib only, TAP output).

Usage: test_screen_keys.py ATTNSTEP_BINARY SOURCE_ROOT

Reuses the tmux harness of test_screen.py (a private tmux server, one pane
per test, capture-pane polling). Exits 77 (skipped) without tmux.
"""
import csv
import os
import re
import shlex
import signal
import subprocess
import sys
import time

import test_screen as ts
from test_screen import Fail, attnstep, expect, has_status, message, split_lines, status, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

ROOT, BIN = ts.ROOT, ts.BIN
MODELS = os.path.join(ROOT, "assets", "models")
TINY_EN, TINY_KO, RANDOM_EN = (os.path.join(MODELS, m) for m in ("tiny-en", "tiny-ko", "random-en"))

# Every key app.c, view_heatmap.c, view_compare.c and view_training.c handle,
# as the help lists it in its key column.
HELP_KEYS = ["→  l  space", "←  h  Backspace", "]  [", "Home g  End G", "Tab", "v", "r", "n  N", "1–9", "0",
             "m", "p", "+  -", "s", "↑  ↓", "<  >  ,  .", "R", "Enter", "t  T", "k  K", "c", "a", "e", "E", "u  U", "S", "PgDn  PgUp", ":", "mouse click", "?  Esc", "q  Q"]
# Descriptions that used to be cut at the overlay's edge, whole once the
# wrapped lines are joined.
HELP_PHRASES = ["view: pipeline → heatmap → RNN vs attention → training",
                "training view: retrain from random, live", "detail of a step: cell → row → stage → cell",
                "on a cell: jump to the step that computes it", "quit"]
# How the help names the keys the source handles by code.
KEY_NAMES = {"' '": "space", "'\\t'": "Tab", "127": "Backspace", "8": "Backspace", "27": "Esc", "KEY_RIGHT": "→",
             "KEY_LEFT": "←", "KEY_UP": "↑", "KEY_DOWN": "↓", "KEY_HOME": "Home", "KEY_END": "End",
             "KEY_BACKSPACE": "Backspace", "KEY_MOUSE": "mouse click", "KEY_PPAGE": "PgUp", "KEY_NPAGE": "PgDn",
             "'\\n'": "Enter", "'\\r'": "Enter", "KEY_ENTER": "Enter", "KEY_BTAB": "Tab"}


def source_keys():
    """Every key the screen's code handles (case labels and key == tests),
    as the help names it."""
    names = set()
    for f in ("app.c", "view_pipeline.c", "view_heatmap.c", "view_compare.c", "view_training.c", "edit_mode.c",
              "view_generate.c", "views.c"):
        with open(os.path.join(ROOT, "src", "tui", f), encoding="utf-8") as fh:
            src = fh.read()
        found = re.findall(r"case ('\\?.'|\d+|KEY_[A-Z]+):", src) + re.findall(r"key == ('\\?.'|\d+|KEY_[A-Z]+)", src)
        for k in found:
            if k in KEY_NAMES:
                names.add(KEY_NAMES[k])
            elif re.fullmatch(r"'[1-9]'", k):
                names.add("1–9")
            elif k.startswith("'"):
                names.add(k[1:-1])
            elif not k.startswith("KEY_RESIZE"):
                raise Fail("a key the test cannot name: %s in %s" % (k, f))
    return names


FOOT_RE = re.compile(r"lines (\d+)–(\d+) of (\d+)")


def help_box(screen):
    """The help box's title row and the rows below it up to its footer, each
    cut to the box's inner columns (the view shows around a narrow box)."""
    lines = split_lines(screen)
    top = next((i for i, l in enumerate(lines) if "Keys" in l and "Esc closes · q quits" in l), None)
    expect(top is not None, "no help box (its title row names Keys, Esc and q)", screen)
    title = lines[top]
    left, right = title.index("Keys"), title.index("q quits") + len("q quits")
    rows = []
    for l in lines[top + 1:]:
        body = l[left:right]
        if not body.strip() or FOOT_RE.search(body):
            break
        rows.append(body.rstrip())
    return rows


def read_help(p):
    """Opens the help and scrolls with ↓ to its end; returns (rows, pages)."""
    p.text("?")
    s = p.settle("Esc closes · q quits")
    by_line, pages = {}, 0
    while True:
        pages += 1
        page = help_box(s)
        foot = FOOT_RE.search(s)
        if not foot:
            return page, pages
        first, last, total = (int(x) for x in foot.groups())
        expect(last - first + 1 == len(page), "footer says lines %d–%d, %d shown" % (first, last, len(page)), s)
        for i, row in enumerate(page):
            by_line[first - 1 + i] = row
        if last == total:
            return [by_line[i] for i in range(total)], pages
        expect(pages < 50, "the help does not reach its end by scrolling", s)
        p.keys("Down")
        s = p.settle(lambda s, first=first: FOOT_RE.search(s) and int(FOOT_RE.search(s).group(1)) == first + 1)


def check_help(w, h, scrolls):
    with attnstep(w=w, h=h) as p:
        p.settle(has_status(step=1))
        rows, pages = read_help(p)
        s = p.screen()
        if scrolls:
            expect(pages > 1, "at %d×%d the help should scroll" % (w, h), s)
        else:
            expect(pages == 1, "at %d×%d the help should fit on one screen (took %d)" % (w, h, pages), s)
        entries = []  # [key, description joined across its wrapped lines]
        for r in rows:
            if r[:1] != " ":
                key = next((k for k in HELP_KEYS if r.startswith(k + "  ")), None)
                expect(key, "help row with an unknown key: %r" % r, s)
                entries.append([key, r[len(key):].strip()])
            else:
                expect(entries, "a continuation line first: %r" % r, s)
                entries[-1][1] += " " + r.strip()
        listed = [k for k, _ in entries]
        expect(listed == HELP_KEYS, "keys listed: %r\nexpected:    %r" % (listed, HELP_KEYS), s)
        expect(all(d for _, d in entries), "a key without a description", s)
        text = " ".join(" ".join(d.split()) for _, d in entries)
        # every key the code handles is in the key column or named in a description
        tokens = {t for k, _ in entries for t in k.split()} | {k for k, _ in entries} | \
            set(re.findall(r"[^\s();:]+", text))
        missing = sorted(k for k in source_keys() if k not in tokens)
        expect(not missing, "keys the code handles but the help does not list: %r" % missing, s)
        for phrase in HELP_PHRASES:
            expect(phrase in text, "the help does not say %r whole" % phrase, s)
        p.keys("Escape")
        p.settle(lambda s: "Esc closes" not in s)


@test("help at 64×18 (the minimum): every key listed, descriptions whole, q named on top, the rest by scrolling")
def t_help_small():
    check_help(64, 18, scrolls=True)


@test("help at 200×60: every key listed on one screen, no line cut")
def t_help_large():
    check_help(200, 60, scrolls=False)


@test("help scrolls with PgDn / End / Home and the status line stays; Esc closes it")
def t_help_keys():
    with attnstep(w=64, h=18) as p:
        p.settle(has_status(step=1))
        p.text("?")
        p.settle(lambda s: FOOT_RE.search(s) and FOOT_RE.search(s).group(1) == "1")
        p.keys("End")
        s = p.settle(lambda s: FOOT_RE.search(s) and FOOT_RE.search(s).group(2) == FOOT_RE.search(s).group(3))
        expect(any(re.fullmatch(r"q  Q +quit", l.strip()) for l in split_lines(s)), "q quit not at the end", s)
        expect(status(s)["step"] == 1, "the status line is gone under the help", s)
        p.keys("Home")
        p.settle(lambda s: FOOT_RE.search(s) and FOOT_RE.search(s).group(1) == "1")
        p.keys("NPage")
        p.settle(lambda s: FOOT_RE.search(s) and FOOT_RE.search(s).group(1) != "1")
        p.keys("Escape")
        s = p.settle(lambda s: "Esc closes" not in s)
        expect(status(s)["step"] == 1, "scrolling the help moved the step", s)


# ---- n / N -------------------------------------------------------------------

def vocab(model):
    with open(os.path.join(model, "vocab.csv"), encoding="utf-8") as f:
        return {row[0] for row in csv.reader(f)}


def title_tokens(screen, model_name):
    line = split_lines(screen)[0]
    prefix = " attnstep · %s · " % model_name
    expect(line.startswith(prefix), "title: %r" % line, screen)
    # a title too long for the width ends in "…" (pieces make long titles)
    return [t for t in line[len(prefix):].rsplit("bidirectional", 1)[0].split() if t != "…"]


def words(toks):
    """The words the pieces make: "mov ##ie" → movie."""
    return " ".join(toks).replace(" ##", "").split()


def hangul(tok):
    return any("\uac00" <= c <= "\ud7a3" for c in tok)


def walk_examples(model, name, lang):
    known = vocab(model)
    is_lang = (lambda t: hangul(t) or not t.isalnum()) if lang == "ko" else (lambda t: t.isascii())
    with attnstep("--model", model, w=200, h=40) as p:
        s = p.settle(has_status(step=1))
        default = title_tokens(s, name)
        expect(all(t in known for t in default), "the default sentence has words %s does not know: %r"
               % (name, [t for t in default if t not in known]), s)
        expect(all(is_lang(t) for t in default), "the default sentence is not in %s's language: %r" % (name, default), s)
        seen, total, k = [default], None, 0
        while True:
            k += 1
            p.text("n")
            s = p.settle(lambda s, k=k: re.search(r"example (\d+) of (\d+)", message(s)) and has_status(step=1)(s)
                         and title_tokens(s, name) != seen[-1])
            m = re.search(r"example (\d+) of (\d+)", message(s))
            total = int(m.group(2))
            toks = title_tokens(s, name)
            expect(all(is_lang(t) for t in toks), "example %s on %s is not in its language: %r" % (m.group(1), name, toks), s)
            unknown = [t for t in toks if t not in known]
            if unknown:
                expect("partly unknown: %d of its %d tokens" % (len(unknown), len(toks)) in message(s),
                       "example with unknown words %r not marked as such: %r" % (unknown, message(s)), s)
                expect(2 * len(unknown) <= len(toks), "an example mostly of unknown words: %r" % toks, s)
            else:
                expect("unknown" not in message(s), "a fully known example marked unknown", s)
            if toks == default:
                break
            expect(toks not in seen, "example %r offered twice in one round" % toks, s)
            seen.append(toks)
            expect(k <= 60, "n never comes back to the first sentence", s)
        expect(len(seen) == total, "%d sentences in a round of n, but 'of %d'" % (len(seen), total), s)
        expect(int(m.group(1)) == 1, "back at the default sentence, but example %s" % m.group(1), s)
        p.text("N")
        s = p.settle(lambda s: title_tokens(s, name) == seen[-1])
        expect("example %d of %d" % (total, total) in message(s), "N from the first does not go to the last", s)
        return seen


@test("n / N on tiny-en: English examples only, the first n a new one, unknown words marked, a full round")
def t_examples_en():
    seen = walk_examples(TINY_EN, "tiny-en", "en")
    expect(words(seen[0]) == "the movie was not good".split(), "tiny-en's default sentence: %r" % seen[0])
    expect(len(seen) >= 5, "only %d English examples" % len(seen))


@test("n / N on tiny-ko: a Korean default sentence, Korean examples only, unknown words marked, a full round")
def t_examples_ko():
    seen = walk_examples(TINY_KO, "tiny-ko", "ko")
    expect(len(seen) >= 5, "only %d Korean examples" % len(seen))


@test("--print without words uses tiny-ko's Korean default sentence")
def t_default_ko_print():
    env = dict(os.environ)
    env.pop("ATTNSTEP_MODEL", None)
    r = subprocess.run([BIN, "--model", TINY_KO, "--print"], capture_output=True, text=True, env=env, timeout=60)
    expect(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    m = re.search(r"^sentence +(.*?) +\(", r.stdout, re.M)  # the pieces, "영화 ##가 좋지 않았다"
    expect(m and words(m.group(1).split()) == "영화가 좋지 않았다".split(), "tiny-ko's walk-through is not of a Korean sentence it "
           "knows: %r" % (m.group(1) if m else r.stdout[:300]))


# ---- Tab ---------------------------------------------------------------------

def tab_round_trip(p, where):
    before = p.settle(has_status())
    st = status(before)
    grans = []
    for _ in range(3):
        p.keys("Tab")
        s = p.settle(lambda s, g=grans: has_status()(s) and status(s)["gran"] != (g[-1] if g else st["gran"]))
        grans.append(status(s)["gran"])
        expect(status(s)["stage"] == st["stage"], "%s: Tab to %s left stage %d for %d"
               % (where, grans[-1], st["stage"], status(s)["stage"]), s)
    after = p.settle(has_status(gran=st["gran"]))
    expect(status(after)["step"] == st["step"], "%s: Tab ×3 came back to step %d, not %d"
           % (where, status(after)["step"], st["step"]), after)
    expect(after == before, "%s: the screen after Tab ×3 differs:\n%s" % (where, ts.diff(before, after)), after)


@test("Tab ×3 comes back to the same stage, row and cell, from cell, row and stage granularity")
def t_tab_round_trip():
    with attnstep("--granularity", "cell") as p:
        p.settle(has_status(step=1))
        p.text("]]]]]]]lllllll")  # Scores of head 1, row 2, column 3
        p.settle(has_status(stage=8, step=193))
        tab_round_trip(p, "cell")
        p.keys("Tab")
        p.settle(has_status(gran="row"))
        p.text("[l")  # another row of a stage
        p.settle(has_status(gran="row", stage=8, step=37))
        tab_round_trip(p, "row")
        p.keys("Tab")
        p.settle(has_status(gran="stage"))
        p.text("]]")
        p.settle(has_status(gran="stage", stage=10))
        tab_round_trip(p, "stage")


@test("Tab ×3 in the RNN lesson (one stage per word) comes back to the same word and stage")
def t_tab_rnn():
    with attnstep("--granularity", "cell") as p:
        p.settle(has_status(step=1))
        p.text("r")
        p.settle("RNN: read the next word")
        p.text("]]]]]]]ll")  # the third word's stages
        s = p.settle(has_status(stage=8))
        tab_round_trip(p, "RNN")


# ---- refused keys ------------------------------------------------------------

def refused(p, keys, want, where):
    """Sends keys; the message line says want, the status line is whole."""
    before = p.settle(has_status())
    p.text(keys)
    s = p.settle(lambda s: want in message(s))
    lines = split_lines(s)
    expect(status(s)["line"] == status(before)["line"], "%s: the status line changed: %r" % (where, lines[-1]), s)
    expect(lines[-2].startswith(" ▸ ") or lines[-3].startswith(" ▸ ") or lines[-4].startswith(" ▸ "),
           "%s: the message is not on a line of its own above the status line" % where, s)
    return s


@test("refused keys in the pipeline say why on their own line: 0, 5 on 2 heads, 2 outside a head, → at the end, s, x, ㅜ")
def t_refused_pipeline():
    with attnstep() as p:
        ts.first_screen(p)
        refused(p, "2", "2: Tokens is not one head's stage", "2 at Tokens")
        refused(p, "ㅜ", "switch the keyboard to English input", "a Hangul key")
        p.text("]]]]]]]")
        p.settle(has_status(stage=8))
        refused(p, "0", "0: the mean of the heads is shown in the heatmap only", "0")
        refused(p, "5", "5: there is no head 5, this model has 2 heads", "5")
        refused(p, "s", "s switches the heatmap between weights and scores", "s")
        refused(p, "R", "R retrains the model live in the training view", "R")
        refused(p, "x", "x is not a key of attnstep (? lists them)", "x")
        p.text("l")  # any key clears the message
        s = p.settle(has_status(step=37))
        expect(message(s) == "", "the message stays after the next key", s)
        p.text("G")
        p.settle(has_status(step=100))
        refused(p, "l", "this is the last step", "→ at the end")
        refused(p, "]", "this is the last step of the last stage", "] at the end")
        p.text("g")
        p.settle(has_status(step=1))
        refused(p, "h", "this is the first step", "← at the start")


@test("] [ Tab digits p in the compare view are refused with a message and leave the pipeline where it was")
def t_refused_compare():
    with attnstep() as p:
        ts.first_screen(p)
        p.text("]]]")
        before = status(p.settle(has_status(stage=4)))["line"]
        p.text("vv")
        p.settle("── RNN versus transformer")
        for k, want in (("]", "] [ move between the stages of the pipeline"), ("[", "] [ move between"),
                        ("\t", "Tab sets how much one step of the pipeline reveals"),
                        ("2", "digits choose a head"), ("p", "autoplay steps through the pipeline")):
            if k == "\t":
                p.keys("Tab")
            else:
                p.text(k)
            s = p.settle(lambda s, want=want: want in message(s) and "which the RNN vs attention view does not show"
                         in message(s))
        p.text("G")
        p.settle("word 5/5")
        p.text("l")
        p.settle(lambda s: "all 5 words are read" in message(s))
        p.text("vv")
        s = p.settle(has_status())
        expect(status(s)["line"] == before, "the pipeline moved under the compare view: %r, was %r"
               % (status(s)["line"], before), s)


@test("in the RNN lesson m and digits say why they do nothing; v to the heatmap goes back to the attention lesson")
def t_refused_rnn():
    with attnstep() as p:
        ts.first_screen(p)
        p.text("r")
        p.settle("RNN: read the next word")
        refused(p, "m", "m: the RNN reads left to right and never sees a later word", "m")
        refused(p, "2", "2: the RNN and the LSTM have no heads", "2")
        p.text("v")
        s = p.settle(lambda s: "back to the attention lesson" in message(s))
        expect(status(s)["stages"] == 20 and status(s)["step"] == 1, "not the attention lesson's start", s)
        refused(p, "r", "r: the heatmap shows attention only", "r in the heatmap")


@test("v into the compare view pauses autoplay and says so; the pipeline has not moved on meanwhile")
def t_autoplay_paused():
    with attnstep("--autoplay", "0.2") as p:
        p.wait(lambda s: has_status()(s) and status(s)["step"] >= 2, timeout=3.0)
        p.text("vv")
        s = p.settle(lambda s: "autoplay paused" in message(s))
        expect("playing" not in split_lines(s)[0], "the title still says playing", s)
        time.sleep(0.6)
        p.text("vv")
        s = p.settle(has_status())
        step = status(s)["step"]
        time.sleep(0.6)
        expect(status(p.screen())["step"] == step, "the pipeline still plays after the pause", p.screen())


@test("m on tiny-en (trained without the mask) says its prediction under the mask is not meaningful")
def t_mask_untrained():
    with attnstep("--model", TINY_EN) as p:
        p.settle(has_status(step=1))
        p.text("m")
        s = p.settle(has_status(causal="on"))
        expect("this model was trained without it, so its prediction under the mask is not meaningful"
               in message(s), "no word on the untrained mask: %r" % message(s), s)
        p.text("G")
        s = p.settle(lambda s: has_status()(s) and status(s)["step"] == status(s)["steps"])
        expect("trained without the causal mask: its prediction under the mask is not meaningful" in message(s),
               "the prediction under the mask is shown without the note", s)
        p.text("m")
        s = p.settle(has_status(causal="off"))
        expect(message(s) == "", "the note stays without the mask: %r" % message(s), s)
    with attnstep() as p:  # random-en has no classifier: nothing to say
        ts.first_screen(p)
        p.text("m")
        s = p.settle(has_status(causal="on"))
        expect(message(s) == "", "a note on a model without a classifier: %r" % message(s), s)


@test("a sentence too long for the title ends in … where it is cut; one that fits has no …")
def t_title_cut():
    words = "the little girl who lived at the end of our street".split()
    with attnstep(*words, w=64, h=18) as p:
        s = p.settle(has_status(step=1))
        title = split_lines(s)[0]
        m = re.match(r" attnstep · random-en · (.*?) …\s+bidirectional\s*$", title)
        expect(m, "the cut title does not end in …: %r" % title, s)
        shown = m.group(1).split()
        expect(0 < len(shown) < len(words) and shown == words[:len(shown)], "title words %r" % shown, s)
    with attnstep("the", "little", "girl", w=64, h=18) as p:
        s = p.settle(has_status(step=1))
        title = split_lines(s)[0]
        expect(re.match(r" attnstep · random-en · the little girl\s+bidirectional\s*$", title),
               "a title that fits: %r" % title, s)


# ---- signals -----------------------------------------------------------------

@test("Ctrl-C during a live retraining (R): exit 130, the terminal restored")
def t_ctrl_c_retraining():
    before, after, ex = ts.tmpfile("retrain-before"), ts.tmpfile("retrain-after"), ts.tmpfile("retrain-exit")
    script = "trap : INT; stty -a > %s; %s; echo EXIT=$? > %s; stty -a > %s" % (
        shlex.quote(before), ts.shell_cmd("--model", TINY_EN), shlex.quote(ex), shlex.quote(after))
    with ts.shell(script) as p:
        p.settle(has_status(step=1))
        p.text("vvv")
        p.settle("── Training")
        p.text("R")
        p.wait("retraining from random", timeout=20)
        p.keys("C-c")
        data = ts.wait_file(after, timeout=10)
        expect(data is not None, "attnstep did not stop", p.screen())
        code = open(ex).read().strip()
        expect(code == "EXIT=%d" % (128 + signal.SIGINT), "exit status %r, not 130" % code, p.screen())
        expect(open(before).read() == data, "stty -a differs before and after", p.screen())


# ---- the compare view on a model without an RNN --------------------------------

# tiny-en has had an RNN and an LSTM since issue 13: a fixture without them stands in.
NO_RNN = os.path.join(ts.ROOT, "tests", "data", "bundles", "encoder-relu")


@test("compare view on a model without an RNN names the bundled random-en with a command that opens it with one")
def t_compare_points_at_random_en():
    with attnstep("--model", NO_RNN, "--compare", w=200, h=40) as p:
        s = p.settle("── RNN versus transformer")
        msg = message(s)
        m = re.search(r"the bundled random-en has an RNN and an LSTM: attnstep --model (\S+) --compare", msg)
        expect(m, "no pointer to random-en: %r" % msg, s)
        path = m.group(1)
        cwd = p.fmt("#{pane_current_path}")
        full = path if os.path.isabs(path) else os.path.join(cwd, path)
        expect(os.path.isfile(os.path.join(full, "rnn_w_xh.csv")), "%s is not a model with an RNN" % full, s)
    with attnstep("--model", full, "--compare") as p:
        p.settle("── RNN versus transformer")
        p.keys("Right")
        s = p.settle("sequential step 1 of 5")
        expect("no RNN" not in s, "random-en has no RNN after all", s)
    with attnstep("--model", NO_RNN) as p:
        p.settle(has_status(step=1))
        p.text("r")
        s = p.settle(lambda s: "random-en" in message(s))
        expect("attnstep --model " in message(s), "r does not say how to open random-en: %r" % message(s), s)


if __name__ == "__main__":
    sys.exit(ts.main())
