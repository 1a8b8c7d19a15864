#!/usr/bin/env python3
"""--set NAME[ROW,COL]=VALUE on the command line (stdlib only, TAP output).

Usage: test_set.py ATTNSTEP_BINARY SOURCE_ROOT

Every kind of bad edit (syntax, unknown name, a file the model lacks, row or
column out of range, not a finite number, an unknown token) is wrong usage:
exit 2, and the message quotes the edit, in English and with --lang ko (the
same edit, a reason with Hangul). --set=EDIT works like --set EDIT. Last, the
classic demonstration: on tiny-en the word "good" hardly looks at "not" in
head 2; raising the W_Q entries of head 2's columns that push "good"'s query
towards "not"'s key makes it look at "not", changes the prediction's
probabilities, and leaves head 1 (other columns of W_Q) exactly as it was.
"""
import csv
import os
import re
import shutil
import sys
import tempfile
from tap import check, finish, run_attnstep

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-set-")
TINY = os.path.join(ROOT, "assets", "models", "tiny-en")
RANDOM = os.path.join(ROOT, "assets", "models", "random-en")
TINY_LM = os.path.join(ROOT, "assets", "models", "tiny-lm-en")
SENTENCE = ["the", "movie", "was", "not", "good"]
HANGUL = re.compile("[\uac00-\ud7a3]")


def run(args, lang="en"):
    return run_attnstep(BIN, args, lang, TMP)


# ---- bad edits: (model, edit, what the English reason says)
BAD = [
    (TINY, "w_q[0 0]=1", "expected NAME[ROW,COL]=VALUE"),
    (TINY, "w_q0,0=1", "expected NAME[ROW,COL]=VALUE"),
    (TINY, "[0,0]=1", "expected NAME[ROW,COL]=VALUE"),
    (TINY, "w_x[0,0]=1", 'unknown name "w_x"'),
    (TINY_LM, "rnn_b[0,0]=1", "this model has no rnn_b.csv"),  # tiny-en has an RNN since issue 13
    (RANDOM, "w_cls[0,0]=1", "this model has no w_cls.csv"),
    (TINY, "w_q[16,0]=1", "row 16 is out of range (w_q has 16 rows)"),
    (TINY, "b_q[1,0]=1", "row 1 is out of range (b_q has 1 row)"),
    (TINY, "w_cls[0,2]=1", "column 2 is out of range (w_cls has 2 columns)"),
    (TINY, "w_ff1[15,99999999999999999999]=1", "column 99999999999999999999 is out of range (w_ff1 has 32 columns)"),
    (TINY, "w_ff1[0016,0]=1", "row 0016 is out of range (w_ff1 has 16 rows)"),
    (TINY, "vocab[not,16]=1", "column 16 is out of range (vocab has 16 columns)"),
    (TINY, "w_q[-1,0]=1", "ROW must be a whole number counted from 0"),
    (TINY, "w_q[0,x]=1", "COL must be a whole number counted from 0"),
    (TINY, "w_q[0,0]=", "no value after ="),
    (TINY, "w_q[0,0]=abc", 'not a number: "abc"'),
    (TINY, "w_q[0,0]=nan", "NaN is not a usable number"),
    (TINY, "w_q[0,0]=inf", "infinity is not a usable number"),
    (TINY, "w_q[0,0]=1e999", "number too large"),
    (TINY, "vocab[movie,0]=1", 'no token "movie" in the vocabulary'),
    (TINY, "vocab[##movie,0]=1", 'no token "##movie" in the vocabulary'),
    (TINY, "vocab[,0]=1", 'no token "" in the vocabulary'),
]
for model, edit, want in BAD:
    rc, out, err = run(["--model", model, "--set", edit, "--print", *SENTENCE])
    first = err.split("\n")[0]
    prefix = "attnstep: --set '%s': " % edit
    check("--set '%s': exit 2, the message quotes the edit and says %r" % (edit, want),
          rc == 2 and first.startswith(prefix) and want in first and not out, "exit %d" % rc, err)
    rc_ko, out_ko, err_ko = run(["--model", model, "--set", edit, "--print", *SENTENCE], "ko")
    first_ko = err_ko.split("\n")[0]
    check("--lang ko --set '%s': exit 2, the same edit quoted, the reason in Korean" % edit,
          rc_ko == 2 and first_ko.startswith(prefix) and HANGUL.search(first_ko[len(prefix):])
          and not out_ko, "exit %d" % rc_ko, err_ko)

rc, out, err = run(["--model", TINY, "--set"])
check("--set without an edit: exit 2, 'needs a value'", rc == 2 and "--set needs a value" in err, err)
# an edit after a bad one is not reached; the bad one is named, even when it comes second
rc, out, err = run(["--model", TINY, "--set", "w_q[0,0]=1", "--set", "w_q[0,99]=1", "--print", *SENTENCE])
check("the second of two edits, when bad, is the one named",
      rc == 2 and err.startswith("attnstep: --set 'w_q[0,99]=1': column 99"), err)


# ---- good edits
def export(name, sets, model=TINY):
    out = os.path.join(TMP, name)
    args = ["--model", model]
    for s in sets:
        args += ["--set", s]
    rc, _, err = run(args + ["--export", out, "--", *SENTENCE])
    check("export %s: exit 0" % name, rc == 0, err)
    return out


def table(out, name):
    with open(os.path.join(out, name), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}


def grid(out, name):
    with open(os.path.join(out, name), encoding="utf-8", newline="") as f:
        return [[float(x) for x in r] for r in csv.reader(f)]


plain = export("plain", [])
eq = os.path.join(TMP, "eq")
rc, _, err = run(["--model", TINY, "--set=w_q[0,0]=0.125", "--export", eq, "--", *SENTENCE])
check("--set=EDIT is accepted and applied", rc == 0 and grid(eq, "w_q.csv")[0][0] == 0.125, err)
tok = os.path.join(TMP, "tok")
rc, _, err = run(["--model", TINY, "--set", "vocab[##ie,3]=-2", "--export", tok, "--", *SENTENCE])
check("vocab[##ie,3]=-2 sets e3 of the piece ##ie: embeddings.csv says so",
      rc == 0 and table(tok, "embeddings.csv")["##ie"][3] == -2.0, err)
rc, out, err = run(["--model", TINY, "--set", "w_q[0,0]=0.5", "--print", *SENTENCE])
check("--set with --print: exit 0 and a walk-through", rc == 0 and "W_Q" in out, err)

# ---- the classic demonstration: make "good" attend to "not" (head 2: W_Q columns 8-15)
x, k = table(plain, "x.csv"), table(plain, "head2_k.csv")
wq = grid(plain, "w_q.csv")
# the score good->not is q_good . k_not / sqrt(8); W_Q[r][8+c] adds x_good[r] * k_not[c] to it per unit
push = sorted(((x["good"][r] * k["not"][c], r, c) for r in range(16) for c in range(8)), reverse=True)[:4]
sets = ["w_q[%d,%d]=%r" % (r, 8 + c, wq[r][8 + c] + 2.0) for _, r, c in push]
demo = export("demo", sets)
before, after = table(plain, "head2_weights.csv"), table(demo, "head2_weights.csv")
check("before the edits, 'good' hardly looks at 'not' in head 2 (weight %.2g)" % before["good"][4],
      before["good"][4] < 0.01, before["good"])
check("raising 4 W_Q entries (%s) by 2: 'good' looks at 'not' (weight %.3g)" % (" ".join(sets), after["good"][4]),
      after["good"][4] > 0.5, after["good"])
check("'good''s row of head 2 still sums to 1", abs(sum(after["good"]) - 1) < 1e-6, after["good"])
check("head 1 reads other columns of W_Q: its weights are unchanged",
      table(plain, "head1_weights.csv") == table(demo, "head1_weights.csv"))
p0, p1 = table(plain, "probabilities.csv")["sentence"], table(demo, "probabilities.csv")["sentence"]
check("the prediction's probabilities change (%s -> %s)" % (p0, p1), p0 != p1 and abs(sum(p1) - 1) < 1e-6)

shutil.rmtree(TMP, ignore_errors=True)
finish()
