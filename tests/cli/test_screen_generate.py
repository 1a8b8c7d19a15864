#!/usr/bin/env python3
"""The generation view (language models) in tmux (stdlib only, TAP output):
v reaches it on an lm bundle (and skips the compare view, which needs an
RNN); Enter writes three words greedily, exactly the words --print
--generate 3 prints, the triangle grows one row per word with the newest row
marked; ← and Backspace take two back, never the prompt; t and T change the
temperature and the bars change with it; sampling with a seed writes the
words --print writes with the same options, and again after Home; a Korean
prompt and its bars align by display width; on a classifier v skips the view,
and a lesson that shows it says why it does not apply (likewise the compare
view on a language model). Then, without a terminal: --snapshot --view
generate --step N draws the words --print --generate N prints.

Usage: test_screen_generate.py ATTNSTEP_BINARY SOURCE_ROOT

Reuses the tmux harness of test_screen.py. Exits 77 (skipped) without tmux.
"""
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET

import test_screen as ts
from tap import width
from test_screen import Fail, attnstep, expect, message, split_lines, test

ts.results[:] = []  # run only the tests below, with test_screen's runner

LM = os.path.join(ts.ROOT, "tests", "data", "bundles", "lm-crlf")
LM_KO = os.path.join(ts.ROOT, "tests", "data", "bundles", "lm-korean")
TINY_EN = os.path.join(ts.ROOT, "assets", "models", "tiny-en")
PROMPT = "the big cat sat on a"
HEADING = "── Generation: the model writes one word at a time"
STATUS_RE = re.compile(r"^ generated (\d+) │")


def printed(*args, model=LM, prompt=PROMPT, lang="en"):
    """The continuation --print --generate writes ("Text: prompt words")."""
    out = subprocess.run([ts.BIN, "--lang", lang, "--model", model, "--print", *args, *prompt.split()],
                         capture_output=True, text=True, timeout=60).stdout
    text = re.findall(r"^(?:Text|문장): (.*)$", out, re.M)
    if not text:
        raise Fail("--print --generate wrote no Text: line", out[-2000:])
    words = text[-1].split()
    return words[len(prompt.split()):]


def generated(screen):
    """The status line's count of generated words, or None."""
    m = STATUS_RE.match(split_lines(screen)[-1])
    return int(m.group(1)) if m else None


def sentence_words(screen, n_prompt):
    """The generated words on the sentence line (below the settings line):
    after the "+" that ends the prompt, up to "▸ ?"."""
    lines = split_lines(screen)
    i = next((k for k, l in enumerate(lines) if HEADING in l), None)
    expect(i is not None, "no generation view heading", screen)
    words = lines[i + 2].split()
    if "▸" in words:
        words = words[:words.index("▸")]
    if "+" in words:
        return words[words.index("+") + 1:]
    return words[n_prompt:]


def bars(screen):
    """[(token, percent)] of the bars, top to bottom."""
    out = []
    for l in split_lines(screen):
        m = re.search(r"(\S+) [█▏]+\s+(\d+\.\d\d)%$", l)
        if m:
            out.append((m.group(1), float(m.group(2))))
    return out


def bar_rows(screen):
    """The screen lines that hold a bar, whole."""
    return [l for l in split_lines(screen) if re.search(r"[█▏]+\s+\d+\.\d\d%$", l)]


def at_generated(n):
    return lambda s: HEADING in s and generated(s) == n


def open_view(p, presses=3):
    """v until the generation view shows; returns the screen."""
    for _ in range(presses):
        p.text("v")
        s = p.settle()
        if HEADING in s:
            return s
        expect("RNN versus transformer" not in s, "v showed the compare view on a language model", s)
    raise Fail("v did not reach the generation view", s)


@test("v reaches the generation view on a language model (the compare view is skipped); Enter ×3 writes the "
      "words --print --generate 3 writes; the triangle grows a row per word, the newest marked")
def t_greedy():
    want = printed("--generate", "3")
    with attnstep("--model", LM, PROMPT) as p:
        p.settle(lambda s: s.strip() != "")
        s = open_view(p)
        expect(generated(s) == 0, "words generated before Enter", s)
        rows0 = sum(1 for l in split_lines(s) if re.match(r"^ [▸ +]?\s*\S+( +(\d\.\d\d|·))+", l))
        for k in range(1, 4):
            p.keys("Enter")
            s = p.settle(at_generated(k))
        got = sentence_words(s, 6)
        expect(got == want, "the view wrote %r, --print --generate 3 %r" % (got, want), s)
        lines = split_lines(s)
        newest = [l for l in lines if l.startswith(" ▸" + " " * 0) and re.search(r"\d\.\d\d", l)]
        expect(len(newest) == 1, "not exactly one newest row marked ▸ in the triangle", s)
        expect(newest[0].split()[0].lstrip("▸") == want[-1], "the newest row is not the last word %r" % want[-1], s)
        plus = [l for l in lines if l.startswith(" +") and re.search(r"\d\.\d\d", l)]
        expect(len(plus) == 2, "the two earlier generated rows are not marked +", s)
        # the newest row weighs every cached key: as many numbers as tokens (6 + 3), none masked
        left = ts.cells(newest[0], 0, 54)  # the triangle: the left 55% of 100 columns
        expect(len(re.findall(r"\d\.\d\d", left)) == 9 and "·" not in left,
               "the newest row does not weigh the 9 cached keys", s)
        rows = sum(1 for l in lines if re.match(r"^ [▸ +]?\s*\S+( +(\d\.\d\d|·))+", l))
        expect(rows == rows0 + 3, "the triangle has %d rows after 3 words, %d before" % (rows, rows0), s)


@test("← and Backspace take two words back exactly; never the prompt (a message says so)")
def t_back():
    want = printed("--generate", "3")
    with attnstep("--model", LM, "--generate", "3", PROMPT) as p:
        s = p.settle(at_generated(3))
        expect(sentence_words(s, 6) == want, "--generate 3 on a terminal did not start with the 3 words", s)
        before = bars(s)
        p.keys("Left")
        s = p.settle(at_generated(2))
        p.keys("BSpace")
        s = p.settle(at_generated(1))
        expect(sentence_words(s, 6) == want[:1], "two back does not leave the first word", s)
        p.keys("Enter", "Enter")
        s = p.settle(at_generated(3))
        expect(sentence_words(s, 6) == want and bars(s) == before, "the same two words do not come back", s)
        p.keys("Home")
        s = p.settle(at_generated(0))
        p.keys("Left")
        s = p.settle(lambda s: "only the prompt is left" in message(s))
        expect(generated(s) == 0 and "the big cat sat on a ▸ ?" in s, "← removed part of the prompt", s)


@test("t and T change the temperature: the title says it and the bars reshape (lower T: the top word gains)")
def t_temperature():
    with attnstep("--model", LM, "--generate", "1", PROMPT) as p:
        s = p.settle(at_generated(1))
        expect("P at T = 1.0" in s and "greedy: the argmax at any T · bars at T 1.0," in s, "T is not 1.0 at the start", s)
        b1 = bars(s)
        expect(len(b1) >= 3, "fewer than 3 bars", s)
        p.text("ttttt")
        s = p.settle(lambda s: "P at T = 0.5," in s)
        b05 = bars(s)
        expect(b05 != b1, "the bars did not change with T", s)
        expect(b05[0][0] == b1[0][0] and b05[0][1] > b1[0][1], "at T = 0.5 the top word did not gain: %r vs %r"
               % (b05[0], b1[0]), s)
        expect(generated(s) == 1, "changing T changed the words", s)
        p.text("TTTTTTTTTT")
        s = p.settle(lambda s: "P at T = 1.5," in s)
        expect(bars(s)[0][1] < b1[0][1], "at T = 1.5 the top word did not lose", s)
        p.text("k" * 20)  # down the rungs to 1 (it stays there)
        s = p.settle(lambda s: "top-k 1 ·" in s)
        expect(len(bars(s)) == 1 and bars(s)[0][1] == 100.0, "top-k 1: not one bar at 100%", s)
        p.text("KKK")
        s = p.settle(lambda s: "top-k 4 ·" in s)
        expect(len(bars(s)) == 4 and abs(sum(x for _, x in bars(s)) - 100) < 0.05,
               "top-k 4: not 4 bars summing to 100%", s)
        p.text("t" * 20)
        s = p.settle(lambda s: "P at T = 0.0," in s)
        p.text("t")
        s = p.settle(lambda s: "T = 0 is the lowest" in message(s))


@test("sampling with a seed: the view writes --print's words for the same seed, T and top-k, and again after Home")
def t_sample():
    opts = ["--generate", "5", "--temperature", "1.2", "--seed", "7"]
    want = printed(*opts)
    with attnstep("--model", LM, *opts, PROMPT) as p:
        s = p.settle(lambda s: HEADING in s and generated(s) is not None and generated(s) > 0)
        expect("sample · T 1.2 · top-k all · seed 7" in s, "the settings line does not say sample, T, top-k, seed", s)
        got = sentence_words(s, 6)
        expect(got == want, "seed 7: the view wrote %r, --print %r" % (got, want), s)
        expect(re.search(r"next draw u = 0\.\d{4} → ", s), "no next draw shown when sampling", s)
        p.keys("Home")
        s = p.settle(at_generated(0))
        for k in range(len(want)):
            p.keys("Enter")
            s = p.settle(at_generated(k + 1))
        expect(sentence_words(s, 6) == want, "sampling again from the prompt drew other words", s)
        p.keys("Left", "Left", "Left", "Enter", "Enter", "Enter")
        s = p.settle(at_generated(len(want)))
        expect(sentence_words(s, 6) == want, "three back and three again drew other words", s)
        p.text("c")
        s = p.settle(lambda s: "greedy: each word is the most likely one" in message(s))
    with attnstep("--model", LM, "--generate", "3", "--temperature", "0.8", "--top-k", "3", "--seed", "3",
                  PROMPT) as p:
        want = printed("--generate", "3", "--temperature", "0.8", "--top-k", "3", "--seed", "3")
        s = p.settle(lambda s: HEADING in s and generated(s) == len(want))
        expect(sentence_words(s, 6) == want, "top-k 3, seed 3: the view wrote %r, --print %r"
               % (sentence_words(s, 6), want), s)


@test("a short prompt at 100 columns: the triangle's key labels are the words whole (no \"mo…r\"), each over its "
      "column of numbers; Korean too, aligned by display width")
def t_key_labels():
    for model, prompt, lang, title in ((os.path.join(ts.ROOT, "assets", "models", "tiny-lm-en"), "my mother", "en",
                                        "Masked attention weights"),
                                       (os.path.join(ts.ROOT, "assets", "models", "tiny-lm-ko"), "나는 학교에", "ko",
                                        "마스크된 어텐션 가중치")):
        want = prompt.split() + printed("--generate", "4", model=model, prompt=prompt, lang=lang)
        with attnstep("--lang", lang, "--model", model, "--generate", "4", prompt) as p:
            s = p.settle(lambda s: title in s and re.search(r"^ (generated|생성) 4 │", s, re.M))
            lines = split_lines(s)
            i = next((k for k, l in enumerate(lines) if title in l), None)
            expect(i is not None, "no triangle title", s)
            keys = lines[i + 1]
            left = keys.split()[:len(want)]  # the triangle's labels (the bars follow on the right)
            expect(left == want, "%s: the key labels are %r, not the words %r" % (lang, left, want), s)
            newest = next(l for l in lines if l.startswith(" ▸") and re.search(r"\d\.\d\d", l))
            # each label ends where its column's number ends (right-aligned over it)
            nums = [width(newest[:m.end()]) for m in re.finditer(r"\d\.\d\d", newest)]
            lab = [width(keys[:m.end()]) for m in re.finditer(r"\S+", keys)][:len(want)]
            expect(nums[:len(want)] == lab, "%s: labels end at %r, the newest row's numbers at %r" % (lang, lab, nums),
                   s)


@test("a Korean prompt (--lang ko, 80x24): the words on screen, bars and percentages aligned by display width")
def t_korean():
    prompt = "나는 학교에"
    want = printed("--generate", "3", model=LM_KO, prompt=prompt, lang="ko")
    with attnstep("--lang", "ko", "--model", LM_KO, "--generate", "3", prompt, w=80, h=24) as p:
        s = p.settle("── 생성: 모델이 단어를 하나씩 씁니다")
        lines = split_lines(s)
        i = next(k for k, l in enumerate(lines) if "── 생성" in l)
        words = lines[i + 2].split()
        expect(words[:2] == prompt.split() and [w for w in words[2:] if w not in ("+", "▸", "?")] == want,
               "the sentence line is not %r + %r" % (prompt, want), s)
        expect(all(width(l) <= 80 for l in lines), "a line wider than 80 cells", s)
        rows = bar_rows(s)
        expect(len(rows) >= 3, "fewer than 3 bars", s)
        ends = {width(l) for l in rows}
        expect(len(ends) == 1, "the percentages do not end in one column: %r" % sorted(ends), s)
        starts = set()
        for l in rows:
            m = re.search(r"[█▏]", l)
            starts.add(width(l[:m.start()]))
        expect(len(starts) == 1, "the bars do not start in one column: %r" % sorted(starts), s)
        expect(any(re.search(r"[\uac00-\ud7a3]+ [█▏]", l) for l in rows), "no Korean word in front of a bar", s)
        expect("맨 아래의 새 행(▸)" in s, "no Korean explanation", s)


@test("a classifier: v never reaches the generation view; a lesson's generate slide says why it does not apply; "
      "a generate slide's stage k shows k words")
def t_classifier():
    with attnstep("--model", TINY_EN) as p:
        p.settle(lambda s: s.strip() != "")
        for _ in range(5):
            p.text("v")
            s = p.settle()
            expect(HEADING not in s and "does not apply" not in s, "v showed the generation view on a classifier", s)
    d = tempfile.mkdtemp(prefix="attnstep-gen-")
    lesson = os.path.join(d, "l.csv")
    with open(lesson, "w", encoding="utf-8") as f:
        f.write("model,sentence,view,stage,note\n%s,the movie was good,generate,,\n"
                "%s,the big cat,generate,2,two words\n" % (TINY_EN, LM))
    with attnstep("--lesson", lesson) as p:
        s = p.settle("does not apply")
        expect("── the generate view does not apply to this model" in s and "needs a language model" in s,
               "the generate slide on a classifier does not say why", s)
        p.keys("Right")  # a key of a view that is not there: the reason again, nothing moves unseen
        s = p.settle(lambda s: "(v: the next view that applies)" in message(s))
        expect("needs a language model" in message(s), "→ on the generate slide of a classifier: no reason", s)
        p.keys("NPage")
        s = p.settle(lambda s: HEADING in s)
        want = printed("--generate", "2", prompt="the big cat")
        expect(sentence_words(s, 3) == want, "the stage-2 generate slide does not show %r" % want, s)


# ---- without a terminal: --snapshot --view generate --step N --------------------------------

def svg_rows(f):
    root = ET.parse(f).getroot()
    svg = "{http://www.w3.org/2000/svg}"
    w, h = int(root.get("width")) // 9, int(root.get("height")) // 18
    rows = [[" "] * w for _ in range(h)]
    for t in root.iter(svg + "text"):
        r = int(float(t.get("y")) // 18)
        for sp in t.iter(svg + "tspan"):
            c = int(float(sp.get("x")) // 9)
            rows[r][c] = sp.text
            if unicodedata.east_asian_width(sp.text[0]) in "WF":
                rows[r][c + 1] = ""
    return "\n".join("".join(r).rstrip() for r in rows) + "\n"


@test("--snapshot --view generate --step 4 draws the 4 words --print --generate 4 prints (no terminal)")
def t_snapshot():
    d = tempfile.mkdtemp(prefix="attnstep-gen-")
    for model, prompt, lang in ((LM, PROMPT, "en"), (LM_KO, "나는 학교에", "ko")):
        f = os.path.join(d, "g-%s.svg" % lang)
        r = subprocess.run([ts.BIN, "--lang", lang, "--model", model, "--snapshot", f, "--view", "generate", "--step",
                            "4", *prompt.split()], capture_output=True, text=True, timeout=60)
        expect(r.returncode == 0, "--snapshot --view generate failed: %s" % r.stderr)
        s = svg_rows(f)
        want = printed("--generate", "4", model=model, prompt=prompt, lang=lang)
        heading = HEADING if lang == "en" else "── 생성"
        lines = split_lines(s)
        i = next((k for k, l in enumerate(lines) if heading in l), None)
        expect(i is not None, "no generation heading in the snapshot", s)
        words = [w for w in lines[i + 2].split() if w not in ("+", "▸", "?")]
        expect(words[len(prompt.split()):] == want, "%s: the snapshot shows %r, --print %r"
               % (lang, words[len(prompt.split()):], want), s)


@test("--snapshot --view compare on a language model and --view generate on a classifier say why they do not apply")
def t_not_applies():
    d = tempfile.mkdtemp(prefix="attnstep-gen-")
    for model, view, why in ((LM, "compare", "needs a model with an RNN (rnn_w_xh.csv)"),
                             (TINY_EN, "generate", "needs a language model (config.csv task,lm)")):
        f = os.path.join(d, view + ".svg")
        r = subprocess.run([ts.BIN, "--lang", "en", "--model", model, "--snapshot", f, "--view", view],
                           capture_output=True, text=True, timeout=60)
        expect(r.returncode == 0, "--snapshot --view %s failed: %s" % (view, r.stderr))
        s = svg_rows(f)
        flat = " ".join(l.strip() for l in split_lines(s))
        expect("── the %s view does not apply to this model" % view in s and why in flat,
               "--view %s does not say why it does not apply" % view, s)


if __name__ == "__main__":
    sys.exit(ts.main())
