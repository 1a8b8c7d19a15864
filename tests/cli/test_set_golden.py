#!/usr/bin/python3
"""--set against the independent numpy reference (tests/golden/reference.py).

Usage:  /usr/bin/python3 tests/cli/test_set_golden.py ATTNSTEP REPO_ROOT

For each case a copy of a bundle is edited in a temporary directory (the CSV
value changed in the file itself, with the csv module); reference.py's
write_case computes the golden files of that copy, and
    attnstep --model <the unedited bundle> --set EDIT ... --export DIR
must agree with them (tests/golden/compare.py's comparison), its exported
weight files must hold the edited numbers, and the edit must change what the
reference computes (else the case would prove nothing). Output is TAP; exit
status 77 (skipped) where numpy is missing (importing reference.py exits so).
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "golden"))
sys.path.insert(0, HERE)
import compare  # noqa: E402  (standard library only)
import reference  # noqa: E402  (exits 77 without numpy)
from tap import check, finish  # noqa: E402

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])

# (name, bundle, sentence, edits); an edit is (file stem, row, col, value), or
# ("vocab", token, col, value) for an embedding.
CASES = [
    ("attention weight", "assets/models/tiny-en", "the movie was not good", [("w_q", 3, 5, "2.5")]),
    ("bias", "assets/models/tiny-en", "the movie was not good", [("b_v", 0, 7, "-1.25")]),
    ("embedding of a piece", "assets/models/tiny-en", "the movie was not good", [("vocab", "##ie", 4, "1.5")]),
    ("encoder weights, two edits", "assets/models/tiny-en", "the movie was not good",
     [("w_cls", 2, 1, "0.9"), ("ln1_gamma", 0, 4, "0.3")]),
    ("an absent bias and an RNN weight", "assets/models/random-en", "the movie was not good",
     [("b_q", 0, 1, "0.5"), ("rnn_w_xh", 2, 3, "0.7")]),
]


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def edit_copy(bundle, edits, dest):
    shutil.copytree(bundle, dest)
    d_model = int(compare.bundle_config(bundle)["d_model"])
    for name, row, col, value in edits:
        path = os.path.join(dest, name + ".csv")
        if name == "vocab":
            rows = read(path)
            [r] = [r for r in rows[1:] if r[0] == row]
            r[1 + col] = value
        else:
            # an absent bias counts as zeros (b_q, b_k, b_v, b_o, rnn_b, lstm_b)
            rows = read(path) if os.path.exists(path) else [["0"] * d_model]
            rows[row][col] = value
        write(path, rows)


def cli_edit(name, row, col, value):
    return "%s[%s,%d]=%s" % (name, row, col, value)


tmp = tempfile.mkdtemp(prefix="attnstep-set-golden-")
try:
    for i, (label, bundle_rel, sentence, edits) in enumerate(CASES):
        bundle = os.path.join(ROOT, bundle_rel)
        edited = os.path.join(tmp, "bundle%d" % i)
        edit_copy(bundle, edits, edited)
        golden, plain, out = (os.path.join(tmp, "%s%d" % (w, i)) for w in ("golden", "plain", "export"))
        case = {"bundle": edited, "causal": "0", "sentence": sentence}
        reference.write_case(case, golden)
        reference.write_case(dict(case, bundle=bundle), plain)
        args = [BIN, "--model", bundle]
        for e in edits:
            args += ["--set", cli_edit(*e)]
        args += ["--export", out, "--"] + sentence.split()
        r = subprocess.run(args, capture_output=True, timeout=120)
        shown = " ".join(["--model", bundle_rel] + args[3:3 + 2 * len(edits)])
        check("%s: attnstep %s --export exits 0" % (label, shown), r.returncode == 0, r.stderr.decode(errors="replace"))
        files = sorted(os.listdir(golden))
        changed = [f for f in files if f != "tokens.csv"
                   and compare.compare_table(os.path.join(plain, f), os.path.join(golden, f), exact=False)]
        check("%s: the edit changes what the reference computes" % label, changed, "no file changed")
        diags = []
        for f in files:
            diags += compare.compare_table(os.path.join(golden, f), os.path.join(out, f), exact=(f == "tokens.csv"),
                                           rel_tol=compare.INFLUENCE_REL_TOL if f == "influence.csv"
                                           else compare.REL_TOL)
        check("%s: the export agrees with the reference on the edited copy (%d files, %d changed)"
              % (label, len(files), len(changed)), not diags, *diags)
        for name in sorted({e[0] for e in edits if e[0] != "vocab"}):
            check("%s: the export's %s.csv holds the edited numbers" % (label, name),
                  not compare.compare_weights(edited, out, name), *compare.compare_weights(edited, out, name))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
