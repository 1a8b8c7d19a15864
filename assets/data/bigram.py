#!/usr/bin/env python3
"""Add-one smoothed bigram baseline for the language-model corpora.

Reads lm-{en,ko}-{train,test}.csv next to this script (or the TRAIN and TEST
files given), takes the `text` column, tokenizes every sentence the way
attnstep does (split on whitespace, lowercase ASCII letters, every ASCII
punctuation character a token of its own) and appends `<eos>` to it.

  vocabulary V   the distinct training tokens, plus `<eos>` and `<unk>`
                 (attnstep's bundles always have `<unk>`); a test token not
                 seen in training is read as `<unk>`, which has no training
                 count, so it gets only the smoothing mass
  start symbol   `<eos>`: the first word of a sentence is predicted from
                 `<eos>`, as if the sentences followed each other in one
                 stream (the end of one starts the next)
  probability    P(w | v) = (c(v, w) + 1) / (c(v) + V), where c(v, w) counts
                 the training bigrams "v w" and c(v) the training bigrams
                 that start with v
  perplexity     exp(mean over the predicted tokens of -ln P(w | v)), `<eos>`
                 included

It prints two perplexities on the test file: over every token and `<eos>`
(start symbol `<eos>`, the usual figure), and over the tokens after the first
and `<eos>` (the first word given, not predicted), which is what a decoder
trained on the same sentences without a start token predicts.  Both count
statistics (c(v, w), c(v)) come from the same training bigrams, those of the
first scheme.

Pure Python, no randomness: the figures are the same on every run.

Usage: python3 assets/data/bigram.py [TRAIN.csv TEST.csv]
"""
import collections
import csv
import math
import os
import sys
from words import tokens as tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
EOS, UNK = "<eos>", "<unk>"


def sentences(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or "text" not in rows[0]:
        raise SystemExit(f"bigram: {path}: no `text` column in the header")
    col = rows[0].index("text")
    return [tokenize(r[col]) for r in rows[1:] if len(r) > col and r[col].strip()]


def report(name, train_path, test_path):
    train, test = sentences(train_path), sentences(test_path)
    words = sorted({t for s in train for t in s})
    vocab = set(words) | {EOS, UNK}
    V = len(vocab)
    pair, ctx = collections.Counter(), collections.Counter()
    for s in train:
        seq = [EOS] + s + [EOS]
        for v, w in zip(seq, seq[1:]):
            pair[v, w] += 1
            ctx[v] += 1

    def nll(v, w):
        return -math.log((pair[v, w] + 1) / (ctx[v] + V))

    unk = 0
    every, given = [], []
    for s in test:
        s = [t if t in vocab else UNK for t in s]
        unk += s.count(UNK)
        seq = [EOS] + s + [EOS]
        for i, (v, w) in enumerate(zip(seq, seq[1:])):
            every.append(nll(v, w))
            if i > 0:
                given.append(nll(v, w))
    ntok = sum(len(s) for s in train)
    print(f"{name}: train {len(train)} sentences, {ntok} tokens + {len(train)} <eos>; "
          f"vocabulary V = {V} ({len(words)} training tokens, <eos>, <unk>)")
    print(f"{name}: test {len(test)} sentences, {sum(len(s) for s in test)} tokens, {unk} <unk>")
    print(f"{name}: add-one bigram perplexity {math.exp(sum(every) / len(every)):.2f} "
          f"over {len(every)} predictions (every token and <eos>, start symbol <eos>)")
    print(f"{name}: add-one bigram perplexity {math.exp(sum(given) / len(given)):.2f} "
          f"over {len(given)} predictions (tokens after the first, and <eos>)")


def main():
    args = sys.argv[1:]
    if len(args) == 2:
        report("data", args[0], args[1])
    elif not args:
        for lang in ("en", "ko"):
            report(lang, os.path.join(HERE, f"lm-{lang}-train.csv"), os.path.join(HERE, f"lm-{lang}-test.csv"))
    else:
        print("usage: bigram.py [TRAIN.csv TEST.csv]", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
