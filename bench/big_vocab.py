#!/usr/bin/python3
"""A model with a large vocabulary, for timing how attnstep loads one.

    /usr/bin/python3 bench/big_vocab.py DIR ROWS D_MODEL [glove|17] [SEED]

writes DIR/config.csv, DIR/vocab.csv (header token,e0,...; <unk> then w1, w2, ...) and W_Q, W_K, W_V,
W_O. "glove" (the default) writes numbers with at most 5 decimals, as GloVe's text files have them
(100,000 x 300: 252 MB); "17" writes random doubles in their shortest round-trip form, 16 or 17
significant digits, as `attnstep train` writes trained weights (100,000 x 300: 594 MB).

Then, for instance (the figures of the README's Performance section):
    /usr/bin/python3 bench/big_vocab.py /tmp/big 100000 300
    /usr/bin/time -f "%e s %M KB" ./build/attnstep --model /tmp/big --export /tmp/out --force the movie
    /usr/bin/time -f "%e s %M KB" /usr/bin/python3 -c 'import numpy; numpy.loadtxt("/tmp/big/vocab.csv",
        delimiter=",", skiprows=1, usecols=range(1, 301))'
Needs numpy (Debian's python3-numpy).
"""
import os
import sys

import numpy as np


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, rows, dim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    style = sys.argv[4] if len(sys.argv) > 4 else "glove"
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    if style not in ("glove", "17"):
        sys.exit("style is glove or 17")
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)

    def fmt(x):
        return repr(float(x)) if style == "17" else repr(round(float(x), 5))

    with open(os.path.join(out, "config.csv"), "w") as f:
        f.write("key,value\nname,big\nd_model,%d\nn_heads,%d\n" % (dim, 4 if dim % 4 == 0 else 1))
    with open(os.path.join(out, "vocab.csv"), "w") as f:
        f.write("token," + ",".join("e%d" % j for j in range(dim)) + "\n")
        for start in range(0, rows, 2000):
            n = min(2000, rows - start)
            m = rng.uniform(-1, 1, size=(n, dim)) if style == "17" else rng.normal(0, 0.4, size=(n, dim))
            f.write("".join(("<unk>" if start + i == 0 else "w%d" % (start + i)) + "," +
                            ",".join(map(fmt, m[i].tolist())) + "\n" for i in range(n)))
    for name in ("w_q", "w_k", "w_v", "w_o"):
        with open(os.path.join(out, name + ".csv"), "w") as f:
            for row in rng.uniform(-0.1, 0.1, size=(dim, dim)):
                f.write(",".join(map(fmt, row.tolist())) + "\n")


if __name__ == "__main__":
    main()
