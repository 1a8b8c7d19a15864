#!/usr/bin/env python3
"""Measure a model bundle on labelled sentences: accuracy and the <unk> rate.

For every `text,label` row of each FILE, runs `attnstep --model MODEL --export
TMP -- WORDS...` and reads what the program itself computed: tokens.csv (the
tokens and their vocabulary ids, so the count of <unk> is exactly what the
model saw, whatever its tokenizer) and probabilities.csv (the predicted class
is the column with the highest probability; the columns are the class labels).

    python3 assets/data/measure.py --model assets/models/tiny-ko \\
        assets/data/everyday-ko.csv assets/data/sentiment-ko-test.csv

prints, per file: sentences, accuracy, tokens, <unk> tokens and their share,
and sentences with at least one <unk>.  --attnstep gives the binary (default
build/attnstep); --list prints every sentence with its prediction.  Standard
library only; deterministic.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def unk_id(model):
    rows = read_csv(os.path.join(model, "vocab.csv"))
    for i, row in enumerate(rows[1:]):
        if row and row[0] == "<unk>":
            return str(i)
    return None


def run_one(binary, model, text, tmp):
    out = os.path.join(tmp, "x")
    r = subprocess.run([binary, "--model", model, "--export", out, "--force", "--", *text.split()],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise SystemExit("measure: attnstep failed on %r: %s" % (text, r.stderr.decode(errors="replace")))
    toks = read_csv(os.path.join(out, "tokens.csv"))
    head = toks[0]
    ti, ii = head.index("token"), head.index("id")
    tokens = [(row[ti], row[ii]) for row in toks[1:] if row]
    probs = read_csv(os.path.join(out, "probabilities.csv"))
    labels, values = probs[0][1:], [float(v) for v in probs[1][1:]]
    best = max(range(len(values)), key=lambda k: (values[k], -k))
    return tokens, labels[best], values[best]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--attnstep", default=os.path.join(ROOT, "build", "attnstep"))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    unk = unk_id(a.model)
    tmp = tempfile.mkdtemp(prefix="attnstep-measure-")
    try:
        for path in a.files:
            rows = read_csv(path)[1:]
            n = right = ntok = nunk = sent_unk = 0
            for text, label in rows:
                tokens, guess, p = run_one(a.attnstep, a.model, text, tmp)
                u = sum(1 for _, i in tokens if i == unk)
                n += 1
                right += guess == label
                ntok += len(tokens)
                nunk += u
                sent_unk += u > 0
                if a.list:
                    mark = "ok " if guess == label else "NO "
                    shown = " ".join("[%s]" % t if i == unk else t for t, i in tokens)
                    print("%s%-4s %5.1f%%  %s" % (mark, guess, 100 * p, shown))
            print("%s on %s: %d sentences, accuracy %.3f (%d right); %d tokens, %d <unk> (%.1f%%); "
                  "%d sentences with an <unk>" % (os.path.basename(os.path.normpath(a.model)), os.path.relpath(path),
                                                  n, right / n, right, ntok, nunk, 100 * nunk / ntok, sent_unk))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
