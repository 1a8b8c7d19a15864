#!/usr/bin/env python3
"""Accuracy by the distance of the negation from the end of the sentence, for
the transformer, the RNN and the LSTM of a model trained with
`attnstep train --recurrent` (issue 13).

Usage: python3 assets/data/negation_distance.py ATTNSTEP MODEL_DIR en|ko

Runs `ATTNSTEP --model MODEL_DIR --export TMP -- SENTENCE` on every sentence
of make_negation.py's set for the language and reads each model's prediction
from the export (probabilities.csv, rnn_probabilities.csv,
lstm_probabilities.csv).  Prints, per distance (words after "not" / "안"),
each model's accuracy on the negated sentences and on their controls (the
same sentences without the negation).  Standard library only.
"""
import csv
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_negation  # noqa: E402

MODELS = (("attention", "probabilities.csv"), ("rnn", "rnn_probabilities.csv"), ("lstm", "lstm_probabilities.csv"))


def predict(binary, model, text, out):
    subprocess.run([binary, "--model", model, "--export", out, "--force", "--", *text.split()], check=True,
                   capture_output=True)
    got = {}
    for name, f in MODELS:
        rows = list(csv.reader(open(os.path.join(out, f), encoding="utf-8")))
        probs = [float(x) for x in rows[1][1:]]
        got[name] = rows[0][1 + max(range(len(probs)), key=lambda i: probs[i])]
    return got


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    binary, model, lang = argv[1:]
    tmp = tempfile.mkdtemp(prefix="attnstep-negation-")
    right, count = {}, {}
    for text, label, dist, negated in make_negation.sentences(lang):
        got = predict(binary, model, text, os.path.join(tmp, "x"))
        for name, _ in MODELS:
            key = (dist, negated, name)
            count[key] = count.get(key, 0) + 1
            right[key] = right.get(key, 0) + (got[name] == label)
    subprocess.run(["rm", "-rf", tmp])
    dists = sorted({k[0] for k in count})
    print("%s  (%s)" % (os.path.basename(os.path.normpath(model)), lang))
    print("distance  sentences  | negated: transformer   RNN   LSTM | controls: transformer   RNN   LSTM")
    for d in dists:
        cells = []
        for negated in (True, False):
            cells.append("  ".join("%5.1f%%" % (100.0 * right[(d, negated, n)] / count[(d, negated, n)])
                                   for n, _ in MODELS))
        print("%8d  %9d  |        %s |         %s" % (d, count[(d, True, "rnn")], cells[0], cells[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
