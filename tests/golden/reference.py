#!/usr/bin/python3
"""Independent numpy reference for attnstep's numbers.

attnstep (C) computes transformer self-attention step by step and can write
every intermediate matrix with `--export DIR`.  This script recomputes the same
matrices from the same model bundles with numpy in float64, written from the
project contract and NOT from the C code, so that the C program can be checked
against an independent implementation (tests/golden/compare.py does that).

It reads tests/golden/cases.csv (name,bundle,causal,sentence) and writes the
export-format CSVs of each case to tests/golden/cases/<name>/.  Those outputs
are committed; `--check` recomputes them into a temporary directory and exits 1
if any committed number differs by more than 1e-12 relative (plus a 1e-15
absolute floor for values that cancel to ~0), or if a file is missing or
stale, so a test can verify that the committed golden files are current.

Usage:  /usr/bin/python3 tests/golden/reference.py [--check]
Needs:  Python 3 standard library + numpy.
"""
import csv
import math
import os
import shutil
import string
import sys
import tempfile

try:
    import numpy as np
except ImportError:  # the check needs numpy; 77 tells meson the test was skipped
    print("numpy is not installed: cannot recompute the golden files", file=sys.stderr)
    sys.exit(77)

GOLDEN = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(GOLDEN))
CASES_CSV = os.path.join(GOLDEN, "cases.csv")
CASES_DIR = os.path.join(GOLDEN, "cases")


# ------------------------------------------------------------ bundle reading
def read_rows(path):
    """CSV rows with every field stripped; BOM, CRLF, quotes handled; blank rows dropped."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [[field.strip() for field in row] for row in csv.reader(f)]
    return [row for row in rows if any(row)]


def read_matrix(path):
    return np.array([[float(x) for x in row] for row in read_rows(path)], dtype=np.float64)


def load_bundle(bundle_dir):
    config = {row[0]: row[1] for row in read_rows(os.path.join(bundle_dir, "config.csv"))[1:]}
    d = int(config["d_model"])
    h = int(config["n_heads"])
    assert d % h == 0, "d_model must be divisible by n_heads"
    vocab_rows = read_rows(os.path.join(bundle_dir, "vocab.csv"))[1:]  # skip header
    b = {"tokens": [row[0] for row in vocab_rows],
         "E": np.array([[float(x) for x in row[1:]] for row in vocab_rows]),
         "d_model": d, "n_heads": h,
         "positional": config.get("positional", "sinusoidal"),
         "lowercase": config.get("lowercase", "1") == "1"}
    assert b["E"].shape[1] == d and "<unk>" in b["tokens"]
    for m in ("q", "k", "v", "o"):
        b["W_" + m] = read_matrix(os.path.join(bundle_dir, "w_%s.csv" % m))
        assert b["W_" + m].shape == (d, d)
        bias = os.path.join(bundle_dir, "b_%s.csv" % m)
        b["b_" + m] = read_matrix(bias).reshape(d) if os.path.exists(bias) else np.zeros(d)
    return b


# ------------------------------------------------------------ tokenizer
UPPER_TO_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def tokenize(sentence, lowercase):
    tokens = []
    for word in sentence.split():
        if lowercase:
            word = word.translate(UPPER_TO_LOWER)  # ASCII A-Z only
        current = ""
        for ch in word:
            if ch in string.punctuation:  # every ASCII punctuation char stands alone
                if current:
                    tokens.append(current)
                tokens.append(ch)
                current = ""
            else:
                current += ch
        if current:
            tokens.append(current)
    return tokens


# ------------------------------------------------------------ the math
def softmax_rows(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def attention(b, sentence, causal):
    """Return (tokens, ids, list of (filename, matrix, column names))."""
    tokens = tokenize(sentence, b["lowercase"])
    index = {}
    for i, t in enumerate(b["tokens"]):
        index.setdefault(t, i)  # first row wins
    ids = [index.get(t, index["<unk>"]) for t in tokens]
    n, d, H = len(tokens), b["d_model"], b["n_heads"]
    dk = d // H

    emb = b["E"][ids]
    pe = np.zeros((n, d))
    if b["positional"] == "sinusoidal":
        for p in range(n):
            for i in range(0, d, 2):  # i is 2i in the formula
                angle = p / 10000.0 ** (i / d)
                pe[p, i] = math.sin(angle)
                if i + 1 < d:
                    pe[p, i + 1] = math.cos(angle)
    x = emb + pe
    Q = x @ b["W_q"] + b["b_q"]
    K = x @ b["W_k"] + b["b_k"]
    V = x @ b["W_v"] + b["b_v"]

    dcols = lambda k: ["d%d" % j for j in range(k)]
    out = [("embeddings", emb, dcols(d)), ("positional", pe, dcols(d)), ("x", x, dcols(d))]
    heads = []
    for h in range(1, H + 1):
        cols = slice((h - 1) * dk, h * dk)
        q, k, v = Q[:, cols], K[:, cols], V[:, cols]
        scores = q @ k.T
        scaled = scores / math.sqrt(dk)
        out += [("head%d_q" % h, q, dcols(dk)), ("head%d_k" % h, k, dcols(dk)),
                ("head%d_v" % h, v, dcols(dk)),
                ("head%d_scores" % h, scores, tokens), ("head%d_scaled" % h, scaled, tokens)]
        if causal:
            masked = scaled.copy()
            masked[np.triu_indices(n, k=1)] = -np.inf  # j > i
            out.append(("head%d_masked" % h, masked, tokens))
            weights = softmax_rows(masked)
        else:
            weights = softmax_rows(scaled)
        head_out = weights @ v
        heads.append(head_out)
        out += [("head%d_weights" % h, weights, tokens), ("head%d_output" % h, head_out, dcols(dk))]
    concat = np.hstack(heads)
    output = concat @ b["W_o"] + b["b_o"]
    out += [("concat", concat, dcols(d)), ("output", output, dcols(d))]
    return tokens, ids, out


# ------------------------------------------------------------ writing
def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def read_cases():
    with open(CASES_CSV, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_all(cases_dir):
    shutil.rmtree(cases_dir, ignore_errors=True)
    for case in read_cases():
        bundle = load_bundle(os.path.join(ROOT, case["bundle"]))
        tokens, ids, mats = attention(bundle, case["sentence"], case["causal"].strip() == "1")
        folder = os.path.join(cases_dir, case["name"])
        os.makedirs(folder)
        write_csv(os.path.join(folder, "tokens.csv"),
                  [["position", "token", "id"]] + [[p, t, i] for p, (t, i) in enumerate(zip(tokens, ids))])
        for fname, m, cols in mats:
            write_csv(os.path.join(folder, fname + ".csv"),
                      [["token"] + list(cols)] + [[t] + [repr(float(x)) for x in row]
                                                  for t, row in zip(tokens, m)])


# ------------------------------------------------------------ --check
def differs(a, b):
    if a == b:
        return False
    try:
        x, y = float(a), float(b)
    except ValueError:
        return True
    if math.isinf(x) or math.isinf(y) or math.isnan(x) or math.isnan(y):
        return not (x == y)
    # relative 1e-12, with a tiny absolute floor for values that cancel to ~0
    return abs(x - y) > 1e-12 * max(abs(x), abs(y)) + 1e-15


def check():
    tmp = tempfile.mkdtemp(prefix="attnstep-golden-")
    try:
        write_all(tmp)
        problems = []
        fresh = sorted(os.path.relpath(os.path.join(dp, f), tmp)
                       for dp, _, fs in os.walk(tmp) for f in fs)
        committed = sorted(os.path.relpath(os.path.join(dp, f), CASES_DIR)
                           for dp, _, fs in os.walk(CASES_DIR) for f in fs) \
            if os.path.isdir(CASES_DIR) else []
        for rel in sorted(set(fresh) ^ set(committed)):
            problems.append("%s: %s" % (rel, "missing from committed goldens" if rel in fresh
                                        else "committed but no longer generated"))
        for rel in sorted(set(fresh) & set(committed)):
            with open(os.path.join(tmp, rel), encoding="utf-8", newline="") as f:
                new = list(csv.reader(f))
            with open(os.path.join(CASES_DIR, rel), encoding="utf-8", newline="") as f:
                old = list(csv.reader(f))
            if len(new) != len(old) or any(len(r) != len(s) for r, s in zip(new, old)):
                problems.append("%s: shape differs" % rel)
                continue
            for r, (nr, orow) in enumerate(zip(new, old)):
                for c, (a, b) in enumerate(zip(nr, orow)):
                    if differs(a, b):
                        problems.append("%s: line %d field %d: committed %s, recomputed %s"
                                        % (rel, r + 1, c + 1, b, a))
        for p in problems:
            print(p)
        print("golden files are %s" % ("STALE (run reference.py to regenerate)" if problems else "current"))
        return 1 if problems else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    elif sys.argv[1:]:
        sys.exit(__doc__)
    write_all(CASES_DIR)
    print("wrote %s" % os.path.relpath(CASES_DIR, ROOT))
