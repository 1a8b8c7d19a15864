#!/usr/bin/python3
"""Generate the two small language-model bundles (config task,lm) in tests/data/bundles.

Committed like the other fixtures; this script recreates them deliberately.
Values come from a seeded numpy generator, rounded to 2 decimals so a student
can redo the arithmetic by hand.

  lm-crlf    d_model 6, n_heads 2, d_ff 8, ReLU, every bias (b_q..b_o, b_ff1,
             b_ff2, b_lm); English tokens plus <unk> and <eos>.  Every file has
             a UTF-8 BOM, CRLF line endings, spaces around numbers and some
             quoted fields.
  lm-korean  d_model 4, n_heads 2, d_ff 6, GELU, norm_eps 1e-6, positional
             none, lowercase 0, Korean tokens, no attention biases and no
             b_lm.csv.  Plain LF files.

Both have the encoder block's eight files (ln1_gamma ... ln2_beta), no
classifier (w_cls, b_cls, labels), and w_lm.csv: d_model rows, one column per
vocabulary row in order.

Usage: /usr/bin/python3 tests/data/make_lm_fixtures.py
"""
import os
import shutil

import numpy as np

from make_fixtures import OUT, quote, write_plain


def num(v):
    """2-decimal text for a number (never '-0.00')."""
    return "%.2f" % (round(float(v), 2) + 0.0)


def write_messy(path, rows):
    """BOM + CRLF; numbers padded with spaces, every 5th cell quoted."""
    lines = []
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            text = num(cell) if isinstance(cell, float) else str(cell)
            if (r + c) % 5 == 0 or any(ch in text for ch in ',"\r\n'):
                cells.append(quote(text))
            elif isinstance(cell, float):
                cells.append(" " + text + " ")
            else:
                cells.append(text)
        lines.append(",".join(cells))
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


def make_lm_bundle(name, seed, config, vocab, attn_bias, lm_bias, messy):
    d, f = int(config["d_model"]), int(config["d_ff"])
    V = len(vocab)
    rng = np.random.default_rng(seed)
    u = lambda lim, shape: rng.uniform(-lim, lim, size=shape)
    files = {}
    files["config.csv"] = [["key", "value"]] + [[k, v] for k, v in config.items()]
    files["vocab.csv"] = ([["token"] + ["e%d" % i for i in range(d)]]
                          + [[tok] + [float(x) for x in row]
                             for tok, row in zip(vocab, u(1.0, (V, d)))])
    grids = {}
    for w in ("w_q", "w_k", "w_v", "w_o"):
        grids[w] = u(np.sqrt(3.0 / d), (d, d))
    if attn_bias:
        for b in ("b_q", "b_k", "b_v", "b_o"):
            grids[b] = u(0.2, (1, d))
    grids["ln1_gamma"] = 1.0 + u(0.3, (1, d))
    grids["ln1_beta"] = u(0.2, (1, d))
    grids["w_ff1"] = u(np.sqrt(3.0 / d), (d, f))
    grids["b_ff1"] = u(0.2, (1, f))
    grids["w_ff2"] = u(np.sqrt(3.0 / f), (f, d))
    grids["b_ff2"] = u(0.2, (1, d))
    grids["ln2_gamma"] = 1.0 + u(0.3, (1, d))
    grids["ln2_beta"] = u(0.2, (1, d))
    grids["w_lm"] = u(1.0, (d, V))
    if lm_bias:
        grids["b_lm"] = u(0.5, (1, V))
    for k, m in grids.items():
        files[k + ".csv"] = [[float(x) for x in row] for row in m]

    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for fname, rows in files.items():
        fpath = os.path.join(path, fname)
        if messy:
            write_messy(fpath, rows)
        else:
            write_plain(fpath, [[num(c) if isinstance(c, float) else c for c in row] for row in rows])


def main():
    make_lm_bundle(
        "lm-crlf", 12012,
        {"task": "lm", "d_model": "6", "n_heads": "2", "d_ff": "8", "activation": "relu",
         "norm_eps": "1e-5", "positional": "sinusoidal", "lowercase": "1", "name": "lm-crlf",
         "description": "Fixture: language model, every bias, BOM and CRLF files"},
        ["<unk>", "<eos>", "the", "cat", "dog", "sat", "ran", "on", "a", "mat", ".", "big"],
        attn_bias=True, lm_bias=True, messy=True)
    make_lm_bundle(
        "lm-korean", 12013,
        {"task": "lm", "d_model": "4", "n_heads": "2", "d_ff": "6", "activation": "gelu",
         "norm_eps": "1e-6", "positional": "none", "lowercase": "0", "name": "lm-korean",
         "description": "Fixture: Korean language model, no biases"},
        ["<unk>", "나는", "학교에", "간다", "밥을", "먹는다", "<eos>", "오늘", "."],
        attn_bias=False, lm_bias=False, messy=False)


if __name__ == "__main__":
    main()
