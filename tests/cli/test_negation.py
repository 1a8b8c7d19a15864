#!/usr/bin/env python3
"""The negation-by-distance set (assets/data/negation-*.csv, issue 13), stdlib
only, TAP output.

Usage: test_negation.py ATTNSTEP_BINARY SOURCE_ROOT

make_negation.py rewrites both files byte for byte; each has the header
text,label, the distances the README gives, a control after every negated
sentence (the same words without the negation, the other label); both load
as `attnstep train --test`; negation_distance.py prints a row per distance
for a --recurrent model (run on a few sentences here).
"""
import csv
import os
import subprocess
import sys
import tempfile

from tap import check, finish, regenerates

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
DATA = os.path.join(ROOT, "assets", "data")
TMP = tempfile.mkdtemp(prefix="attnstep-negation-")
sys.path.insert(0, DATA)
import make_negation  # noqa: E402

same, err = regenerates(DATA, "make_negation.py", ["negation-en.csv", "negation-ko.csv"], TMP)
check("make_negation.py rewrites negation-en.csv and negation-ko.csv byte for byte", same, err)

for lang, neg, dists, n in (("en", "not", [1, 3, 5, 7, 9], 360), ("ko", "안", [1, 3, 6, 8, 10], 200)):
    rows = list(csv.reader(open(os.path.join(DATA, "negation-%s.csv" % lang), encoding="utf-8")))
    check("%s: header text,label and %d sentences" % (lang, n), rows[0] == ["text", "label"] and len(rows) == n + 1,
          rows[0], len(rows))
    sents = make_negation.sentences(lang)
    check("%s: the file holds sentences() in order" % lang,
          [r for r in rows[1:]] == [[t, l] for t, l, _, _ in sents])
    found = sorted({make_negation.words_after(t, neg) for t, _, _, negated in sents if negated})
    check("%s: distances %s" % (lang, dists), found == dists, found)
    pairs = list(zip(sents[0::2], sents[1::2]))
    labels = make_negation.LABELS[lang]
    ok = all(a[3] and not b[3] and b[0].split() == [w for w in a[0].split() if w != neg] and {a[1], b[1]} == set(labels)
             for a, b in pairs)
    check("%s: every negated sentence is followed by its control (without %s, the other label)" % (lang, neg), ok)

# both load as test data (a tiny training set, one epoch)
train = os.path.join(TMP, "train.csv")
with open(train, "w", encoding="utf-8", newline="") as f:
    csv.writer(f).writerows([["text", "label"], ["the movie was good", "positive"], ["the movie was bad", "negative"]])
r = subprocess.run([BIN, "train", train, "--test", os.path.join(DATA, "negation-en.csv"), "--epochs", "1",
                    "--tokenizer", "word", "--recurrent", "--out", os.path.join(TMP, "m")], capture_output=True)
check("negation-en.csv loads as train --test", r.returncode == 0, r.stderr[-300:])

# negation_distance.py on a model trained with --recurrent: a row per distance (on the first sentences only)
r = subprocess.run([sys.executable, "-B", "-c",
                    "import sys; sys.path.insert(0, %r); import make_negation as m; f = m.sentences; "
                    "m.sentences = lambda lang: [s for s in f(lang) if s[0].startswith('the movie')]; "
                    "import negation_distance as n; sys.exit(n.main(['x', %r, %r, 'en']))"
                    % (DATA, BIN, os.path.join(TMP, "m"))], capture_output=True, timeout=300)
out = r.stdout.decode()
rows = [l for l in out.splitlines() if l.strip() and l.split()[0].isdigit()]
check("negation_distance.py: one row per distance with six percentages",
      r.returncode == 0 and [int(l.split()[0]) for l in rows] == [1, 3, 5, 7, 9]
      and all(l.count("%") == 6 for l in rows), out, r.stderr[-300:])
finish()
