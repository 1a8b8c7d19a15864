#!/usr/bin/env python3
"""The language-model corpora and their bigram baseline (stdlib only, TAP output).

Usage: test_lm_data.py SOURCE_ROOT

make_lm_corpus.py rewrites the four shipped files byte for byte; each has the
header `text`, no duplicates and a few hundred distinct words; no test
sentence is in training and every test token is; Korean particles agree with
the final consonant of the noun before them and the four speech levels all
occur; bigram.py prints finite perplexities for both languages (as the README
shows them) and the right one on a corpus small enough to work out by hand.
"""
import csv
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, regenerates

ROOT = os.path.abspath(sys.argv[1])
DATA = os.path.join(ROOT, "assets", "data")
TMP = tempfile.mkdtemp(prefix="attnstep-lm-data-")
sys.dont_write_bytecode = True  # nothing written into assets/data
sys.path.insert(0, DATA)
from words import tokens  # noqa: E402  attnstep's word tokenizer, as the generators use it

NAMES = ["lm-%s-%s.csv" % (l, s) for l in ("en", "ko") for s in ("train", "test")]


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]


# the generator reproduces the shipped files
same, err = regenerates(DATA, "make_lm_corpus.py", NAMES, TMP)
check("make_lm_corpus.py writes the four shipped files byte for byte", same, err)

data = {}
for lang in ("en", "ko"):
    for split, least in (("train", 500), ("test", 100)):
        path = os.path.join(DATA, "lm-%s-%s.csv" % (lang, split))
        with open(path, "rb") as f:
            raw = f.read()
        head, body = rows(path)
        data[lang, split] = [row[0] for row in body]
        check("lm-%s-%s.csv: header text, %d+ one-column rows, no duplicates, LF endings, no BOM"
              % (lang, split, least),
              head == ["text"] and len(body) >= least and all(len(row) == 1 and row[0].strip() for row in body)
              and len(set(data[lang, split])) == len(body) and b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf"),
              head, len(body))
    train, test = data[lang, "train"], data[lang, "test"]
    vocab = {t for s in train for t in tokens(s)}
    check("lm-%s: no test sentence is in training, every test token is" % lang,
          not set(test) & set(train) and all(t in vocab for s in test for t in tokens(s)),
          sorted(set(test) & set(train))[:5], sorted({t for s in test for t in tokens(s)} - vocab)[:10])
    lengths = [len(tokens(s)) for s in train + test]
    check("lm-%s: 200 to 2000 distinct training tokens, sentences of 3 to 16 tokens" % lang,
          200 <= len(vocab) <= 2000 and 3 <= min(lengths) and max(lengths) <= 16, len(vocab), min(lengths),
          max(lengths))

en = data["en", "train"]
check("lm-en: lowercase, every sentence ends in . or ?, both occur",
      all(s == s.lower() and s[-1] in ".?" for s in en) and any(s.endswith("?") for s in en), en[:3])
for pattern, what in ((r"\b(he|she) (usually |often |always |sometimes )?\w+s\b", "he/she + a present -s form"),
                      (r"\bwill \w+", "will"), (r"\b(ate|drank|went|bought|wrote|made)\b", "irregular pasts")):
    n = sum(1 for s in en if re.search(pattern, s))
    check("lm-en: %s occurs 20+ times" % what, n >= 20, n)
# the verb after he / she / we / they agrees with it (no "he eat", "they eats", "they was")
PAST = {"ate", "drank", "read", "wrote", "made", "bought", "met", "went", "ran", "swam", "slept", "came", "will"}
bad, checked = [], 0
for s in en:
    for aux, subj, verb in re.findall(r"(?:^|\s)((?:do|does|did) )?(he|she|we|they) "
                                      r"(?:usually |often |always |sometimes )?(\w+)", s):
        single = subj in ("he", "she")
        if aux:
            ok = aux == ("does " if single else "do ") or aux == "did "
            ok = ok and not verb.endswith("s")
        elif single:
            ok = verb in PAST | {"was", "is"} or verb.endswith("s") or verb.endswith("ed")
        else:
            ok = verb in PAST | {"were", "are"} or not verb.endswith("s")
        checked += 1
        if not ok:
            bad.append(s)
check("lm-en: the verb agrees with he, she, we and they (%d sentences)" % checked, not bad and checked >= 200,
      bad[:5])

# Korean particles: after a final consonant 은/이/을/과, after a vowel 는/가/를/와 (내가, 제가 are 나, 저 + 가).
PAIRS = {"은": True, "이": True, "을": True, "과": True, "는": False, "가": False, "를": False, "와": False}


def final_consonant(syllable):
    c = ord(syllable)
    return 0xAC00 <= c <= 0xD7A3 and (c - 0xAC00) % 28 != 0


ko = data["ko", "train"] + data["ko", "test"]
seen, wrong = {p: 0 for p in PAIRS}, []
for s in ko:
    words = s.rstrip(".?!").split()
    for w in words[:-1]:  # the last word is the verb, never a noun with a particle
        if len(w) >= 2 and w[-1] in PAIRS and "\uac00" <= w[-2] <= "\ud7a3":
            seen[w[-1]] += 1
            if final_consonant(w[-2]) != PAIRS[w[-1]]:
                wrong.append(w)
check("lm-ko: 은/는 이/가 을/를 과/와 agree with the final consonant of the noun before them (%d words)"
      % sum(seen.values()), not wrong and min(seen.values()) >= 10, wrong[:10], seen)

LEVELS = {"-습니다": r"니다\.$", "-어요/-아요": r"요\.$", "-다": r"[^니]다\.$", "-어/-아": r"[^다요]\.$"}
count = {name: sum(1 for s in data["ko", "train"] if re.search(rx, s)) for name, rx in LEVELS.items()}
check("lm-ko: the four speech levels each end 100+ training sentences", min(count.values()) >= 100, count)
past = sum(1 for s in data["ko", "train"] if re.search(r"[았었였했웠렸왔갔봤샀썼쳤잤]", s.split()[-1]))
check("lm-ko: past and present both 400+ times", 400 <= past <= len(data["ko", "train"]) - 400, past)

# bigram.py on the shipped corpora: finite perplexities above 1, V = distinct training tokens + <eos> + <unk>
r = subprocess.run([sys.executable, "-B", os.path.join(DATA, "bigram.py")], capture_output=True, timeout=120)
out = r.stdout.decode("utf-8", "replace")
for lang in ("en", "ko"):
    ppl = [float(x) for x in re.findall(r"^%s: add-one bigram perplexity ([0-9.]+) " % lang, out, re.M)]
    V = len({t for s in data[lang, "train"] for t in tokens(s)}) + 2
    check("bigram.py: %s: vocabulary V = %d and two finite perplexities above 1" % (lang, V),
          r.returncode == 0 and "%s: train %d sentences" % (lang, len(data[lang, "train"])) in out
          and "vocabulary V = %d " % V in out and len(ppl) == 2 and all(1 < p < V and math.isfinite(p) for p in ppl),
          out, r.stderr.decode("utf-8", "replace")[-300:])

with open(os.path.join(DATA, "README.md"), encoding="utf-8") as f:
    readme = f.read()
check("assets/data/README.md shows bigram.py's output as it is", out.strip() and out.strip() in readme, out)

# by hand: train "a b", test "a c". V = {a, b, <eos>, <unk>} = 4, c reads as <unk>.
# P(a|<eos>) = (1+1)/(1+4), P(<unk>|a) = (0+1)/(1+4), P(<eos>|<unk>) = (0+1)/(0+4):
# every token: (0.4 * 0.2 * 0.25) ** (-1/3) = 3.68; after the first: (0.2 * 0.25) ** (-1/2) = 4.47.
for name, text in (("train.csv", "text\nA b\n"), ("test.csv", "text\na c\n")):
    with open(os.path.join(TMP, name), "w", encoding="utf-8") as f:
        f.write(text)
r = subprocess.run([sys.executable, "-B", os.path.join(DATA, "bigram.py"), os.path.join(TMP, "train.csv"),
                    os.path.join(TMP, "test.csv")], capture_output=True, timeout=60)
out = r.stdout.decode("utf-8", "replace")
check("bigram.py by hand: V = 4, one <unk>, perplexities 3.68 and 4.47",
      r.returncode == 0 and "vocabulary V = 4 " in out and "1 <unk>" in out
      and "perplexity 3.68 over 3 predictions" in out and "perplexity 4.47 over 2 predictions" in out, out,
      r.stderr.decode("utf-8", "replace")[-300:])

shutil.rmtree(TMP, ignore_errors=True)
finish()
