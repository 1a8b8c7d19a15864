#!/usr/bin/python3
"""Long sentences for the training benchmark: consecutive sentences of a text,label CSV joined into rows
of exactly TOKENS words (punctuation dropped, so `--tokenizer word` reads TOKENS tokens), each with the
label of its first sentence. Deterministic: the same input gives the same file.

    python3 bench/long_sentences.py assets/data/sentiment-en-train.csv long200.csv --tokens 200 --rows 160
    build/attnstep train long200.csv --tokenizer word --bench --epochs 2
"""
import argparse
import csv
import string


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--rows", type=int, default=160)
    args = ap.parse_args()
    with open(args.data, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))[1:]
    drop = str.maketrans("", "", string.punctuation)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["text", "label"])
        i = 0
        for _ in range(args.rows):
            words, label = [], rows[i % len(rows)][1]
            while len(words) < args.tokens:
                words += rows[i % len(rows)][0].translate(drop).split()
                i += 1
            out.writerow([" ".join(words[:args.tokens]), label])


if __name__ == "__main__":
    main()
