#!/usr/bin/env python3
"""--print in Korean: the same numbers, no English left (stdlib only, TAP output).

Usage: test_print_ko.py ATTNSTEP_BINARY SOURCE_ROOT

Runs `attnstep --lang ko --print` and the English run on the same model and
sentence (tiny-en, tiny-ko, with --causal, --granularity cell and stage, and a
random model made by --init-model, whose lesson goes on to the RNN and the
LSTM), on a machine with no locale variables at all (only C.UTF-8 known). The
explanation paragraph under each stage heading and the stage's title belong to
the narration (src/core/narration.c) and are left out here; every other line —
the header, headings, formulas, tables — is paired with the English line at the
same place, and:
  - the numbers of the two lines are the same (a formula's may be reordered by
    the translation, so there they are compared as a multiset);
  - the Korean line has no English word left, apart from the matrix symbols and
    function names formulas use, the sentence's tokens, the model's class labels
    and the model's name;
  - a line the Korean run prints as the English one did is one without English;
  - the header, the stage headings and the words of the formulas are Hangul;
  - tables stay aligned by display width (a Hangul syllable is two cells).
And with no --lang (LANG=C.UTF-8 or nothing set) the output is English, the same
as with --lang en.
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, hangul, width

BIN, ROOT = sys.argv[1], sys.argv[2]
MODELS = os.path.join(ROOT, "assets", "models")
TMP = tempfile.mkdtemp(prefix="attnstep-print-ko-")
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE", "ATTNSTEP_MODEL")

# Words a formula or table keeps in every language: symbols, functions, names.
SYMBOLS = set("""
A C E K M O P Q S V Y a b c e f g h i j k m n o p r x y z
W_Q W_K W_V W_O W_cls W_ff W_h W_hh W_x W_xh b_Q b_K b_V b_O b_cls b_ff b_
c_ h_ h_N e_i m_i max max_k z_i z_f z_g z_o d d_k d_model d_hidden
exp softmax tanh sin cos relu gelu LayerNorm pos pooled logits gates inf nan
RNN LSTM attnstep train unk
""".split())
NUMBER = re.compile(r"[-−]?(?:\d+(?:\.\d+)?|∞)%?")
WORD = re.compile(r"[A-Za-z][A-Za-z_0-9]*")
STEP = re.compile(r"^  \[\d+/\d+\] ")


def run(*args, env=None):
    e = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    e.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, timeout=300, env=e)


def mine(text):
    """The lines --print itself writes: without the explanation paragraph under
    a stage heading (the narration's), and the heading without its title."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("── "):
            parts = line.rstrip(" ─").split(" · ")
            out.append(" · ".join([parts[0]] + [p for p in parts[2:]]))  # drop the title
            if i < len(lines) and not STEP.match(lines[i]):
                while i < len(lines) and lines[i] != "":
                    i += 1
                i += 1
            continue
        out.append(line)
    return out


def english_words(line, allowed):
    """Words of letters only: a name with a digit or _ is a symbol (d3, ff1, W_Q)."""
    return [w for w in WORD.findall(line)
            if w not in SYMBOLS and w not in allowed and not re.search(r"[0-9_]", w)]


def allowed_words(en_lines):
    """The sentence's tokens, the class labels and the model's name."""
    words = set()
    for line in en_lines:
        if line.startswith("sentence "):
            tokens = line[len("sentence "):].rsplit("   (", 1)[0].split()
            words.update(WORD.findall(" ".join(tokens)))
            # a subword model's tokens stage shows each word's characters and every
            # merge on the way to its pieces: any part of a word is the sentence's
            whole = []
            for tok in tokens:
                if tok.startswith("##") and whole:
                    whole[-1] += tok[2:]
                else:
                    whole.append(tok)
            for w in whole:
                words.update(w[i:j] for i in range(len(w)) for j in range(i + 1, len(w) + 1))
        if line.startswith("model     "):
            words.update(WORD.findall(line.split(":")[0][len("model     "):]))
        if line.startswith("  P ") or line.startswith("  logits "):
            words.update(WORD.findall(line))
    return words


def tables(lines):
    """Runs of table lines: after a blank line that follows a step line."""
    found, i = [], 0
    while i < len(lines):
        if lines[i] == "" and i > 0 and STEP.match(lines[i - 1]):
            j = i + 1
            while j < len(lines) and lines[j].startswith("  ") and not STEP.match(lines[j]):
                j += 1
            found.append(lines[i + 1:j])
            i = j
        else:
            i += 1
    return found


def compare(name, args):
    en = run("--lang", "en", "--print", *args)
    ko = run("--lang", "ko", "--print", *args)
    ok = en.returncode == 0 and ko.returncode == 0
    check("%s: --print runs in English and in Korean" % name, ok, en.stderr, ko.stderr)
    if not ok:
        return None
    en_text, ko_text = en.stdout.decode(), ko.stdout.decode()
    en_lines, ko_lines = mine(en_text), mine(ko_text)
    check("%s: as many lines of formulas, tables and headings in both" % name,
          len(en_lines) == len(ko_lines), len(en_lines), len(ko_lines))
    allowed = allowed_words(en_lines)
    number_diff, left, same = [], [], []
    for e, k in zip(en_lines, ko_lines):
        ne, nk = NUMBER.findall(e), NUMBER.findall(k)
        if STEP.match(e):
            ne, nk = collections.Counter(ne), collections.Counter(nk)
        if ne != nk:
            number_diff.append("en: " + e + "\nko: " + k)
        if english_words(k, allowed):
            left.append("%s  <- %s" % (k, english_words(k, allowed)))
        if e == k and english_words(e, allowed):
            same.append(k)
    check("%s: every line has the English run's numbers" % name, not number_diff, *number_diff[:3])
    check("%s: no English word left in the Korean lines" % name, not left, *left[:5])
    check("%s: no line left as it was in English" % name, not same, *same[:5])

    header = ko_lines[:1] + ko_lines[2:ko_lines.index("", 2)] if "" in ko_lines[2:] else []
    check("%s: every header line is Korean" % name,
          len(header) >= 7 and all(hangul(line) for line in header), *header)
    headings = [line for line in ko_lines if line.startswith("── ") or line.startswith("══ ")]
    check("%s: every stage heading is Korean (단계 n/N, 헤드 h/H)" % name,
          headings and all(re.match(r"── 단계 \d+/\d+( · 헤드 \d+/\d+)?$", h) or h.startswith("══ 같은 문장")
                           for h in headings), *headings[:3])
    wordy = [e for e in en_lines if STEP.match(e) and english_words(e, allowed)]
    check("%s: formulas with words in English have Korean ones" % name,
          all(hangul(k) for e, k in zip(en_lines, ko_lines) if e in wordy), len(wordy))

    bad = []
    for t in tables(ko_lines):
        if t and "위치" in t[0]:  # the token table: the id column's right edge
            edge = width(t[0][:t[0].index("번호") + 2])
            for row in t[1:]:
                m = re.match(r"^\s+\d+  .*?\s(\d+)  ", row)
                if not m or width(row[:m.end(1)]) != edge:
                    bad.append("\n".join(t))
        elif len({width(line) for line in t}) != 1:
            bad.append("\n".join(t))
    check("%s: tables aligned by display width" % name, not bad, *bad[:2])
    return en_text, ko_text


sentence_en = ["the", "movie", "was", "not", "good"]
compare("tiny-en", ["--model", os.path.join(MODELS, "tiny-en")])
res = compare("tiny-en causal cell", ["--model", os.path.join(MODELS, "tiny-en"), "--causal",
                                      "--granularity", "cell"] + sentence_en)
if res:
    en_text, ko_text = res
    label = re.search(r"prediction: (\S+), ", en_text)
    check("tiny-en: the prediction names the model's class label in Korean too",
          label and "   →  예측: %s, " % label.group(1) in ko_text, label and label.group(0))
    check("tiny-en causal: the mask's cells say what they hide and keep, in Korean",
          "보다 뒤라서 가림" in ko_text and "보다 앞이라서 남김" in ko_text and "자기 자신" in ko_text)
res = compare("tiny-ko", ["--model", os.path.join(MODELS, "tiny-ko")])
if res:
    label = re.search(r"prediction: (\S+), ", res[0])
    check("tiny-ko: the prediction names the model's class label", label and "예측: %s, " % label.group(1) in res[1])
compare("tiny-ko stage", ["--model", os.path.join(MODELS, "tiny-ko"), "--granularity", "stage"])

# A random model, with an RNN and an LSTM: their lessons follow attention's.
model = os.path.join(TMP, "model")
r = run("--init-model", model, "--d-model", "6", "--heads", "3", "--d-hidden", "4", "--seed", "7")
check("--init-model makes a random model", r.returncode == 0, r.stderr)
res = compare("random, RNN and LSTM, cell", ["--model", model, "--granularity", "cell", "the", "cat", "sat"])
if res:
    ko_text = res[1]
    check("random: the RNN and LSTM parts are there, in Korean",
          "══ 같은 문장을 한 단어씩 읽는 RNN" in ko_text and "══ 같은 문장을 한 단어씩 읽는 LSTM" in ko_text
          and "망각 게이트 f[" in ko_text and "의 d0 성분 = (" in ko_text and "순환을 2번 거침" in ko_text, ko_text[-300:])
    check("random: the header says the weights are random, in Korean", "가중치    무작위: " in ko_text)
compare("random causal, unknown word", ["--model", model, "--causal", "zzyzx", "cat"])

# One head, no recurrent model, one word.
model1 = os.path.join(TMP, "model1")
r = run("--init-model", model1, "--d-model", "4", "--heads", "1", "--d-hidden", "0")
check("--init-model makes a one-head model", r.returncode == 0, r.stderr)
res = compare("one head, one word, stage", ["--model", model1, "--granularity", "stage", "cat"])
if res:
    check("one head: C = [헤드 1의 O] and one token", "C = [헤드 1의 O]" in res[1] and "(토큰 1개)" in res[1])

# English stays the default: no --lang gives what --lang en gives.
tiny_en = ["--model", os.path.join(MODELS, "tiny-en"), "--causal"]
en = run("--lang", "en", "--print", *tiny_en).stdout
for env in ({}, {"LANG": "C.UTF-8"}):
    d = run("--print", *tiny_en, env=env).stdout
    text = d.decode()
    check("no --lang, %s: English, as with --lang en" % (env or "no locale variables"),
          d == en and not any(hangul(line) for line in mine(text)) and "── Stage 1/" in text and "   →  prediction: " in text
          and text.startswith("attnstep — self-attention, one number at a time\n"), text[:300])

shutil.rmtree(TMP, ignore_errors=True)
finish(12)
