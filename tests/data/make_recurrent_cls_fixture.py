#!/usr/bin/python3
"""Seeded generator for tests/data/bundles/recurrent-cls/ (issue 13): the
encoder-relu bundle's files as they are, plus d_hidden 4, an RNN and an LSTM
(rnn_w_xh, rnn_w_hh, rnn_b, lstm_w_x, lstm_w_h, lstm_b) and their trained-
classifier files (rnn_w_cls, rnn_b_cls, lstm_w_cls, lstm_b_cls: d_hidden x
classes and 1 x classes). Values rounded to 4 decimals; rnn_w_cls.csv has a
BOM, CRLF and spaces, as a spreadsheet may write it.

Usage: /usr/bin/python3 tests/data/make_recurrent_cls_fixture.py
"""
import os
import shutil

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "bundles", "encoder-relu")
OUT = os.path.join(HERE, "bundles", "recurrent-cls")
D, DH, C = 6, 4, 2


def grid(path, m, messy=False):
    rows = [",".join(("%.4f" % x) for x in row) for row in np.atleast_2d(m)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        if messy:
            f.write("\ufeff" + "\r\n".join(" " + r.replace(",", " , ") for r in rows) + "\r\n")
        else:
            f.write("\n".join(rows) + "\n")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.copytree(SRC, OUT)
    with open(os.path.join(OUT, "config.csv"), encoding="utf-8", newline="") as f:
        cfg = f.read()
    cfg = cfg.replace("name,encoder-relu", "name,recurrent-cls").replace(
        "description,Fixture: post-norm encoder block (ReLU) and a 2-class classifier",
        "description,Fixture: encoder-relu plus an RNN and an LSTM with trained classifiers")
    with open(os.path.join(OUT, "config.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(cfg.rstrip("\n") + "\nd_hidden,%d\n" % DH)
    rng = np.random.default_rng(1313)
    for model, g in (("rnn", 1), ("lstm", 4)):
        wx = rng.uniform(-0.8, 0.8, (D, g * DH))
        wh = rng.uniform(-0.6, 0.6, (DH, g * DH))
        b = rng.uniform(-0.3, 0.3, (1, g * DH))
        if model == "lstm":
            b[0, DH:2 * DH] += 1.0  # forget gate open
        names = ("rnn_w_xh", "rnn_w_hh", "rnn_b") if model == "rnn" else ("lstm_w_x", "lstm_w_h", "lstm_b")
        for name, m in zip(names, (wx, wh, b)):
            grid(os.path.join(OUT, name + ".csv"), m)
        grid(os.path.join(OUT, model + "_w_cls.csv"), rng.uniform(-1.5, 1.5, (DH, C)), messy=model == "rnn")
        grid(os.path.join(OUT, model + "_b_cls.csv"), rng.uniform(-0.2, 0.2, (1, C)))


if __name__ == "__main__":
    main()
