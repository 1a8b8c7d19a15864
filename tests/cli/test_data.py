#!/usr/bin/env python3
"""The sentiment data and the everyday sentences (stdlib only, TAP output).

Usage: test_data.py ATTNSTEP_BINARY SOURCE_ROOT

make_sentiment.py rewrites the shipped files byte for byte; the files keep
what makes them a lesson (balanced classes, every English word in both
classes, held-out test sentences made of training words); the Korean data has
every speech level in both classes and the English data plurals and
contractions; the hand-written everyday sentences are well-formed and not from
the generator; measure.py counts <unk> as the vocabulary says.
"""
import collections
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, regenerates

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
DATA = os.path.join(ROOT, "assets", "data")
TMP = tempfile.mkdtemp(prefix="attnstep-data-")
LABELS = {"en": ("negative", "positive"), "ko": ("긍정", "부정")}
sys.dont_write_bytecode = True  # nothing written into assets/data
sys.path.insert(0, DATA)
from words import tokens  # noqa: E402  attnstep's word tokenizer, as the generators use it


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]


# the generator reproduces the shipped files
names = ["sentiment-%s-%s.csv" % (l, s) for l in ("en", "ko") for s in ("train", "test")]
same, err = regenerates(DATA, "make_sentiment.py", names, TMP)
check("make_sentiment.py writes the four shipped files byte for byte", same, err)

data = {}
for lang in ("en", "ko"):
    for split in ("train", "test"):
        head, body = rows(os.path.join(DATA, "sentiment-%s-%s.csv" % (lang, split)))
        data[lang, split] = body
        count = collections.Counter(lab for _, lab in body)
        check("sentiment-%s-%s.csv: header text,label, both classes equally often, no duplicates" % (lang, split),
              head == ["text", "label"] and set(count) == set(LABELS[lang]) and len(set(count.values())) == 1
              and len({t for t, _ in body}) == len(body), head, count)
    train, test = data[lang, "train"], data[lang, "test"]
    vocab = {tok for t, _ in train for tok in tokens(t)}
    check("%s: no test sentence is in training, every test word is" % lang,
          not {t for t, _ in test} & {t for t, _ in train}
          and all(tok in vocab for t, _ in test for tok in tokens(t)))

# every English word occurs as often in positive as in negative training sentences
per = collections.defaultdict(collections.Counter)
for t, lab in data["en", "train"]:
    for tok in tokens(t):
        per[tok][lab] += 1
unbalanced = [w for w, c in per.items() if c["positive"] != c["negative"]]
check("English training words are all balanced between the classes", not unbalanced, unbalanced[:10])
plural = [t for t, _ in data["en", "train"] if re.match(r"(the|these|those) \w+s (were|are)\b", t)]
contracted = collections.Counter(w for t, _ in data["en", "train"] for w in ("weren't", "wasn't", "didn't", "don't")
                                 if w in t.split())
check("English training data has plural subjects and the contractions weren't, wasn't, didn't, don't",
      len(plural) >= 100 and len(contracted) == 4 and min(contracted.values()) >= 20, len(plural), contracted)

# Korean: every speech level, in the past and the present, in both classes
LEVELS = ("-습니다", "-어요/-아요", "-다", "-어/-아")


def level(last):
    """The speech level of a sentence's last word (None for the confirming -지: 정말 재미있지)."""
    for name, end in (("-습니다", "니다"), ("-어요/-아요", "요"), ("-다", "다"), (None, "지")):
        if last.endswith(end):
            return name
    return "-어/-아"


seen = collections.defaultdict(collections.Counter)
for t, lab in data["ko", "train"]:
    seen[level(t.rstrip("?.!").split()[-1])][lab] += 1
check("Korean training data: -다, -어요/-아요, -습니다 and -어/-아 endings, each 50+ times in each class",
      all(min(seen[n][l] for l in LABELS["ko"]) >= 50 for n in LEVELS), dict(seen))
past = sum(1 for t, _ in data["ko", "train"] if re.search(r"[았었였했]", t.split()[-1]))
check("Korean training data: the past and the present both occur", 400 <= past <= 1200, past)
particles = collections.Counter()
for t, _ in data["ko", "train"]:
    for w in t.split():
        for p in ("은", "는", "이", "가", "도", "을", "를"):
            if len(w) > 1 and w.endswith(p) and w not in ("하나도", "아무도", "명도"):
                particles[p] += 1
check("Korean training data: the particles 은/는/이/가/도/을/를 all occur, 50+ times each",
      len(particles) == 7 and min(particles.values()) >= 50, particles)

# the everyday sentences: hand-written, balanced, not from the generator
generated = {t for body in data.values() for t, _ in body}
for lang in ("en", "ko"):
    head, body = rows(os.path.join(DATA, "everyday-%s.csv" % lang))
    count = collections.Counter(lab for _, lab in body)
    check("everyday-%s.csv: header text,label, 40+ sentences, the two classes equally often, none generated" % lang,
          head == ["text", "label"] and len(body) >= 40 and set(count) == set(LABELS[lang])
          and len(set(count.values())) == 1 and not {t for t, _ in body} & generated, head, count)

# measure.py: its <unk> count is the count of tokens not in the model's vocabulary (a word-tokenizer model)
model = os.path.join(ROOT, "assets", "models", "tiny-ko")
if not os.path.exists(os.path.join(model, "tokenizer.csv")):
    _, voc = rows(os.path.join(model, "vocab.csv"))
    voc = {row[0] for row in voc}
    _, body = rows(os.path.join(DATA, "everyday-ko.csv"))
    toks = [tok for t, _ in body for tok in tokens(t)]
    want = "%d tokens, %d <unk>" % (len(toks), sum(1 for tok in toks if tok not in voc))
    r = subprocess.run([sys.executable, os.path.join(DATA, "measure.py"), "--attnstep", BIN, "--model", model,
                        os.path.join(DATA, "everyday-ko.csv")], capture_output=True, timeout=120)
    out = r.stdout.decode("utf-8", "replace")
    check("measure.py on tiny-ko: %d sentences, an accuracy, and %s" % (len(body), want),
          r.returncode == 0 and ("%d sentences, accuracy " % len(body)) in out and want in out,
          out, r.stderr.decode("utf-8", "replace")[-300:])

shutil.rmtree(TMP, ignore_errors=True)
finish()
