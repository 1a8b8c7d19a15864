#!/usr/bin/env python3
"""Bag-of-words logistic regression baseline for the sentiment data sets.

Reads sentiment-{en,ko}-{train,test}.csv next to this script, tokenizes every
sentence the way attnstep does (split on whitespace, lowercase ASCII letters,
every ASCII punctuation character a token of its own, everything else, e.g.
Korean, kept inside its word), counts the words (no bigrams, no positions),
fits a logistic regression on the training file and prints its accuracy on
the training and the test file:

  en: bag-of-words logistic regression: train 0.71, test 0.55

A model that only counts words cannot tell "not good" from "good ... not",
so on these data sets it should stay far from what a model that relates the
words to each other (attention) can reach.

Pure Python, no randomness (weights start at zero, full-batch gradient
descent), so the figures are the same on every run and machine.

Usage: python3 assets/data/baseline.py [--verbose]
"""
import csv
import math
import os
import sys
from words import tokens as tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
# class 0 / class 1: the English files say negative / positive, the Korean ones 부정 / 긍정
LABELS = {"negative": 0, "positive": 1, "부정": 0, "긍정": 1}
EPOCHS = 2000
RATE = 0.5
L2 = 1e-3  # on the mean loss; the bias is not penalised


def load(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [(tokenize(r["text"]), LABELS[r["label"]]) for r in rows]


def features(data, vocab):
    """Sparse word counts: a list of (index, count) per sentence; unknown words are dropped."""
    out = []
    for toks, y in data:
        counts = {}
        for t in toks:
            if t in vocab:
                counts[vocab[t]] = counts.get(vocab[t], 0) + 1
        out.append((sorted(counts.items()), y))
    return out


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train(xs, n):
    w = [0.0] * n
    b = 0.0
    m = len(xs)
    for _ in range(EPOCHS):
        gw = [L2 * wi for wi in w]
        gb = 0.0
        for feats, y in xs:
            z = b + sum(w[i] * c for i, c in feats)
            d = (sigmoid(z) - y) / m
            gb += d
            for i, c in feats:
                gw[i] += d * c
        for i in range(n):
            w[i] -= RATE * gw[i]
        b -= RATE * gb
    return w, b


def accuracy(xs, w, b):
    right = 0
    for feats, y in xs:
        z = b + sum(w[i] * c for i, c in feats)
        right += (1 if z > 0 else 0) == y
    return right / len(xs)


def main():
    verbose = "--verbose" in sys.argv[1:]
    for lang in ("en", "ko"):
        tr = load(os.path.join(HERE, f"sentiment-{lang}-train.csv"))
        te = load(os.path.join(HERE, f"sentiment-{lang}-test.csv"))
        vocab = {}
        for toks, _ in tr:
            for t in toks:
                vocab.setdefault(t, len(vocab))
        xtr, xte = features(tr, vocab), features(te, vocab)
        w, b = train(xtr, len(vocab))
        print(f"{lang}: bag-of-words logistic regression: train {accuracy(xtr, w, b):.2f}, "
              f"test {accuracy(xte, w, b):.2f}")
        if verbose:
            words = sorted(vocab, key=lambda t: -abs(w[vocab[t]]))
            print("  largest weights (+ leans positive):")
            for t in words[:12]:
                print(f"    {w[vocab[t]]:+.3f}  {t}")


if __name__ == "__main__":
    main()
