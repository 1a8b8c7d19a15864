#!/usr/bin/python3
"""Generate the small model bundles used by the golden tests.

The bundles under tests/data/bundles/ are committed; this script only exists
so that they can be recreated (or changed) deliberately.  Values come from a
seeded numpy generator and are rounded to 4 decimals so the files stay
readable.

  bias-crlf     d_model 8, n_heads 2, all four biases.  Every file has a
                UTF-8 BOM, CRLF line endings, spaces around numbers and some
                quoted fields, to exercise the CSV reader.
  causal-small  d_model 6, n_heads 3, no bias files, plain LF files, and a
                config without positional/lowercase (defaults apply).
  korean        d_model 4, n_heads 2, positional none, lowercase 0, Korean
                tokens plus capitalised English ones.
  recurrent     d_model 6, n_heads 2, d_hidden 5, all four biases, plus an
                RNN (rnn_w_xh, rnn_w_hh, rnn_b) and an LSTM (lstm_w_x,
                lstm_w_h, lstm_b).  rnn_w_hh.csv has a BOM, CRLF, spaces and
                quoted fields; every other file is plain LF.  W_hh is scaled
                to a largest singular value of 0.5 (so its spectral radius is
                below 1 too) and the LSTM's forget-gate bias is about +1.5.
  encoder-relu  d_model 6, n_heads 2, all four biases, plus a full post-norm
                encoder block (bundle format v2): LayerNorms ln1/ln2, a
                feed-forward layer of d_ff 10 with ReLU, and a 2-class
                sentence classifier (labels negative;positive).
                ln1_gamma.csv and w_ff1.csv have a BOM, CRLF, spaces and
                quoted fields; every other file is plain LF.
  encoder-gelu  d_model 8, n_heads 4, no attention biases, positional none,
                lowercase 0, Korean tokens; encoder block with d_ff 12, GELU
                (exact erf form), norm_eps 1e-6 and 3 classes (neg;neu;pos).
                Plain LF files.
  korean-bpe    the korean bundle's attention weights and vocabulary rows
                (same seed), but positional sinusoidal and lowercase 1, plus
                a hand-made tokenizer.csv (19 byte-pair merges, BOM, CRLF,
                some quoted fields) and vocabulary rows for the pieces
                (second generator, seed + 1).  See BPE_MERGES below.

Usage: /usr/bin/python3 tests/data/make_fixtures.py
"""
import csv
import os
import shutil

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundles")


def num(v):
    """4-decimal text for a number (never '-0.0000')."""
    return "%.4f" % (round(float(v), 4) + 0.0)


# ---------------------------------------------------------------- writers
def write_plain(path, rows):
    """Standard CSV: no BOM, LF line endings, minimal quoting."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def quote(s):
    return '"' + s.replace('"', '""') + '"'


def write_messy(path, rows, quote_cell):
    """BOM + CRLF; numbers padded with spaces, quote_cell(r, c) ones quoted.

    Non-numeric cells that need it (',' '"') are always quoted.  Quoted cells
    never have spaces outside the quotes (that would not be standard CSV).
    """
    lines = []
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            is_num = isinstance(cell, float) or str(cell).isdigit()
            text = num(cell) if isinstance(cell, float) else str(cell)
            if quote_cell(r, c) or any(ch in text for ch in ',"\r\n'):
                cells.append(quote(text))
            elif is_num:
                cells.append(" " + text + " ")
            else:
                cells.append(text)
        lines.append(",".join(cells))
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


# ---------------------------------------------------------------- bundles
def make_bundle(name, seed, config, vocab, with_bias, messy):
    d = int(config["d_model"])
    rng = np.random.default_rng(seed)
    emb = rng.normal(0.0, 0.6, size=(len(vocab), d))
    weights = {w: rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, d))
               for w in ("w_q", "w_k", "w_v", "w_o")}
    biases = {b: rng.normal(0.0, 0.1, size=d)
              for b in ("b_q", "b_k", "b_v", "b_o")} if with_bias else {}

    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)

    files = {}
    files["config.csv"] = [["key", "value"]] + [[k, v] for k, v in config.items()]
    files["vocab.csv"] = ([["token"] + ["e%d" % i for i in range(d)]]
                          + [[tok] + [float(x) for x in row]
                             for tok, row in zip(vocab, emb)])
    for w, m in weights.items():
        files[w + ".csv"] = [[float(x) for x in row] for row in m]
    for b, v in biases.items():
        files[b + ".csv"] = [[float(x) for x in v]]

    for fname, rows in files.items():
        fpath = os.path.join(path, fname)
        if not messy:
            write_plain(fpath, [[num(c) if isinstance(c, float) else c
                                 for c in row] for row in rows])
        elif fname == "config.csv":
            # numbers padded, n_heads and name quoted; description has commas
            write_messy(fpath, rows,
                        lambda r, c: c == 1 and rows[r][0] in ("n_heads", "name"))
        elif fname == "vocab.csv":
            # quote the token "movie" and every 5th number
            write_messy(fpath, rows,
                        lambda r, c: (c == 0 and rows[r][0] == "movie")
                        or (r > 0 and c > 0 and (r + c) % 5 == 0))
        else:
            write_messy(fpath, rows, lambda r, c: (r + c) % 5 == 0)


def make_recurrent_bundle(name, seed, config, vocab):
    """An attention bundle (all biases, plain LF) plus RNN and LSTM weights.

    The attention files come from make_bundle; the recurrent ones from a
    second generator (seed + 1), so they do not disturb the attention draws.
    """
    make_bundle(name, seed, config, vocab, with_bias=True, messy=False)
    d, dh = int(config["d_model"]), int(config["d_hidden"])
    rng = np.random.default_rng(seed + 1)

    rnn_w_xh = rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, dh))
    # Shrink W_hh to a largest singular value of 0.5: every step multiplies
    # the memory's sensitivity by at most 0.5 (and tanh' <= 1), so the
    # influence of early words visibly fades with distance.
    rnn_w_hh = rng.normal(0.0, 1.0, size=(dh, dh))
    rnn_w_hh *= 0.5 / np.linalg.norm(rnn_w_hh, 2)
    rnn_b = rng.normal(0.0, 0.1, size=dh)

    # LSTM columns: gate blocks i, f, g, o of width dh each.
    lstm_w_x = rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, 4 * dh))
    lstm_w_h = rng.normal(0.0, 0.8 / np.sqrt(dh), size=(dh, 4 * dh))
    lstm_b = rng.normal(0.0, 0.1, size=4 * dh)
    lstm_b[dh:2 * dh] += 1.5  # forget gate starts mostly open: memory is kept

    path = os.path.join(OUT, name)
    grid = lambda m: [[float(x) for x in row] for row in np.atleast_2d(m)]
    for fname, m in (("rnn_w_xh.csv", rnn_w_xh), ("rnn_b.csv", rnn_b),
                     ("lstm_w_x.csv", lstm_w_x), ("lstm_w_h.csv", lstm_w_h),
                     ("lstm_b.csv", lstm_b)):
        write_plain(os.path.join(path, fname), [[num(c) for c in row] for row in grid(m)])
    # the one spreadsheet-style recurrent file
    write_messy(os.path.join(path, "rnn_w_hh.csv"), grid(rnn_w_hh),
                lambda r, c: (r + c) % 4 == 0)


def make_encoder_bundle(name, seed, config, vocab, with_bias, messy_files=()):
    """An attention bundle (plain LF) plus a v2 encoder block and a classifier.

    The attention files come from make_bundle; the encoder ones from a second
    generator (seed + 1), so they do not disturb the attention draws.
    LayerNorm gammas are 1 +- 0.2 and betas small; the feed-forward and
    classifier weights are scaled by 1/sqrt(fan-in).  The files named in
    messy_files are written with a BOM, CRLF, spaces and quoted fields.
    """
    make_bundle(name, seed, config, vocab, with_bias=with_bias, messy=False)
    d, dff = int(config["d_model"]), int(config["d_ff"])
    classes = len(config["labels"].split(";"))
    rng = np.random.default_rng(seed + 1)

    files = (
        ("ln1_gamma", 1.0 + rng.uniform(-0.2, 0.2, size=d)),
        ("ln1_beta", rng.normal(0.0, 0.1, size=d)),
        ("w_ff1", rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, dff))),
        ("b_ff1", rng.normal(0.0, 0.1, size=dff)),
        ("w_ff2", rng.normal(0.0, 1.0 / np.sqrt(dff), size=(dff, d))),
        ("b_ff2", rng.normal(0.0, 0.1, size=d)),
        ("ln2_gamma", 1.0 + rng.uniform(-0.2, 0.2, size=d)),
        ("ln2_beta", rng.normal(0.0, 0.1, size=d)),
        ("w_cls", rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, classes))),
        ("b_cls", rng.normal(0.0, 0.1, size=classes)),
    )
    path = os.path.join(OUT, name)
    for fname, m in files:
        rows = [[float(x) for x in row] for row in np.atleast_2d(m)]
        fpath = os.path.join(path, fname + ".csv")
        if fname in messy_files:
            write_messy(fpath, rows, lambda r, c: (r + c) % 4 == 1)
        else:
            write_plain(fpath, [[num(c) for c in row] for row in rows])


# korean-bpe: the ordered merge list (rank = position) and the pieces added to
# the vocabulary.  Chosen so that the order of the merges matters:
#   - (았,다) rank 1 blocks (않,았) rank 4 in 않았다 (→ 않 ##았다), while
#     (않,았) applies in 않았어 (→ 않았 ##어);
#   - (좋아,요) rank 0 is ranked before (좋,아) rank 3, which makes its left
#     part: only "repeat the lowest-rank pair present" gives 좋아요 whole
#     (a single pass over the list in rank order would leave 좋아 ##요);
#   - (하,지) makes 하지 at the start of 하지만 and ##하지 inside 좋아하지;
#   - (하,하) on 하하하: left to right, non-overlapping (→ 하하 ##하);
#   - English words in pieces after lowercasing (Movies → movie ##s,
#     weren → were ##n, good → g ##oo ##d).
# Absent on purpose: 그 (a whole word) and ##n (a piece), both <unk>; the
# whole-word rows 않았다, 책을 of the korean vocabulary stay unreachable
# (a bundle with tokenizer.csv never looks a whole word up).
# Some merge results exist only in one form (##았다, ##vi, ##re, ##oo),
# which is enough for tokenizer.csv to be valid.
BPE_MERGES = [("좋아", "요"), ("았", "다"), ("하", "지"), ("좋", "아"), ("않", "았"),
              ("하", "하"), ("영", "화"), ("영화", "가"), ("나", "는"),
              ("t", "h"), ("th", "e"), ("m", "o"), ("v", "i"), ("mo", "vi"),
              ("movi", "e"), ("w", "e"), ("r", "e"), ("we", "re"), ("o", "o")]
BPE_PIECES = ["하하", "##하", "영화", "좋아요", "하지", "##하지", "##만", "책", "##을",
              "좋아", "##도", "않", "##았다", "##를", "않았", "##어",
              "the", "th", "movie", "mo", "##vi", "movi", "##s", "were", "we", "##re",
              "'", "t", "g", "##oo", "##d"]


def make_bpe_bundle(name, seed, config, vocab, merges, pieces):
    """An attention bundle plus tokenizer.csv and vocabulary rows for the pieces.

    make_bundle draws the weights and the first len(vocab) embedding rows from
    seed (so they equal those of a bundle made with the same seed and vocab);
    the pieces' embeddings come from a second generator (seed + 1).
    tokenizer.csv is written with a BOM, CRLF and some quoted fields.
    """
    make_bundle(name, seed, config, vocab, with_bias=False, messy=False)
    d = int(config["d_model"])
    rng = np.random.default_rng(seed + 1)
    emb = rng.normal(0.0, 0.5, size=(len(pieces), d))
    path = os.path.join(OUT, name)
    with open(os.path.join(path, "vocab.csv"), "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(
            [[tok] + [num(x) for x in row] for tok, row in zip(pieces, emb)])
    write_messy(os.path.join(path, "tokenizer.csv"), [["left", "right"]] + [list(m) for m in merges],
                lambda r, c: r > 0 and (r + c) % 3 == 0)


def main():
    make_bundle(
        "bias-crlf", 1001,
        {"d_model": "8", "n_heads": "2", "positional": "sinusoidal",
         "lowercase": "1", "name": "bias-crlf",
         "description": "Fixture: all four biases, UTF-8 BOM, CRLF, spaces, \"quoted\" fields"},
        ["<unk>", ".", ",", "'", "!", '"', "the", "movie", "was", "not",
         "good", "isn", "t", "it", "great", "a", "film", "is", "bad", "very"],
        with_bias=True, messy=True)
    make_bundle(
        "causal-small", 2002,
        {"d_model": "6", "n_heads": "3", "name": "causal-small",
         "description": "Fixture: 3 heads of width 2, no biases, plain LF"},
        ["<unk>", "the", "cat", "sat", "on", "mat", ".", "a", "dog", "ran"],
        with_bias=False, messy=False)
    make_bundle(
        "korean", 3003,
        {"d_model": "4", "n_heads": "2", "positional": "none",
         "lowercase": "0", "name": "korean",
         "description": "Fixture: Korean tokens, no positional encoding, case kept"},
        ["<unk>", "영화가", "정말", "좋지", "않았다", "나는", "책을", "재미있다",
         "OK", "The", ".", "!", "?", ","],
        with_bias=False, messy=False)
    make_recurrent_bundle(
        "recurrent", 4004,
        {"d_model": "6", "n_heads": "2", "d_hidden": "5",
         "positional": "sinusoidal", "lowercase": "1", "name": "recurrent",
         "description": "Fixture: attention with biases plus an RNN and an LSTM"},
        ["<unk>", ".", ",", "!", "?", "'", "the", "cat", "sat", "on", "mat",
         "and", "dog", "a", "big", "ran", "away"])
    make_encoder_bundle(
        "encoder-relu", 5005,
        {"d_model": "6", "n_heads": "2", "d_ff": "10", "activation": "relu",
         "norm_eps": "1e-5", "labels": "negative;positive",
         "positional": "sinusoidal", "lowercase": "1", "name": "encoder-relu",
         "description": "Fixture: post-norm encoder block (ReLU) and a 2-class classifier"},
        ["<unk>", ".", ",", "!", "'", "the", "movie", "film", "was", "is",
         "not", "good", "bad", "very", "great"],
        with_bias=True, messy_files=("ln1_gamma", "w_ff1"))
    make_encoder_bundle(
        "encoder-gelu", 6006,
        {"d_model": "8", "n_heads": "4", "d_ff": "12", "activation": "gelu",
         "norm_eps": "1e-6", "labels": "neg;neu;pos",
         "positional": "none", "lowercase": "0", "name": "encoder-gelu",
         "description": "Fixture: Korean tokens, encoder block (GELU), 3 classes"},
        ["<unk>", "영화가", "좋지", "않았다", "정말", "재미있다", "나는",
         "책을", ".", "!", "?"],
        with_bias=False)
    make_bpe_bundle(
        "korean-bpe", 3003,
        {"d_model": "4", "n_heads": "2", "positional": "sinusoidal",
         "lowercase": "1", "name": "korean-bpe",
         "description": "Fixture: the korean bundle with a hand-made tokenizer.csv (subword pieces)"},
        ["<unk>", "영화가", "정말", "좋지", "않았다", "나는", "책을", "재미있다",
         "OK", "The", ".", "!", "?", ","],
        BPE_MERGES, BPE_PIECES)


if __name__ == "__main__":
    main()
