#!/usr/bin/env python3
"""Compare attnstep's --export output with the committed golden files.

Usage:  python3 tests/golden/compare.py ATTNSTEP_BINARY REPO_ROOT [--keep]

For every case in tests/golden/cases.csv this runs
    ATTNSTEP_BINARY --model <bundle> [--causal] --export <tmp>/<name> -- <words...>
and checks each golden file in tests/golden/cases/<name>/ against the exported
file of the same name:
  * header row and first column must be identical strings (tokens.csv: every
    cell, i.e. position, token, id and word);
  * numbers must agree within |a - b| <= 1e-5*|b| + 1e-7 (b = golden), except
    influence.csv: |a - b| <= 1e-4*|b| + 1e-7 (its goldens come from finite
    differences);
  * `-inf` must appear exactly where the golden file has `-inf`.
It also checks that head<h>_masked.csv is exported for causal cases only, that
the export's w_q/w_k/w_v/w_o.csv hold the bundle's numbers, and for the
recurrent models (RNN: rnn_w_xh/rnn_w_hh/rnn_b, LSTM: lstm_w_x/lstm_w_h/lstm_b):
that the export copies the weight files the bundle has and its config.csv
gives d_hidden, and that no rnn_*/lstm_* file is exported for a model the
bundle does not have.  For a v2 bundle (encoder block and classifier: the
ten ENCODER_WEIGHTS files), it checks that the export copies those weight
files and that its config.csv gives the bundle's d_ff, activation, labels and
norm_eps (default 1e-5); for a v1 bundle, that no encoder output or weight
file is exported.  For a bundle with a tokenizer.csv (subword merges), it
checks that the export copies it with the same merges in the same order; for
a bundle without one, that no tokenizer.csv is exported (the export would
then describe a different tokenizer).  A language model (config.csv task,lm)
always runs causal (its case's causal column notwithstanding): its export must
have head<h>_masked.csv, copies of the block's eight weight files, w_lm and
b_lm (when the bundle has it), a config.csv with task lm, d_ff, activation and
norm_eps, and no classifier file; next_token.csv is compared token by token
(same tokens, each probability within tolerance) and its order checked: most
likely first, and tokens whose reference probabilities are exactly equal in
vocabulary order.

Output is TAP; exit status 1 if anything failed.  Standard library only (no
numpy), so CI can run it.  --keep leaves the export directory in place.
"""
import csv
import math
import os
import shutil
import subprocess
import sys
import tempfile

REL_TOL = 1e-5
ABS_TOL = 1e-7
INFLUENCE_REL_TOL = 1e-4  # influence goldens are finite differences

# Recurrent models a bundle may hold: export-name prefix -> weight files
# (input, recurrent, optional bias, and the trained classifier's w_cls, b_cls
# when there), all in bundle format.
RECURRENT = {"rnn": ("rnn_w_xh", "rnn_w_hh", "rnn_b", "rnn_w_cls", "rnn_b_cls"),
             "lstm": ("lstm_w_x", "lstm_w_h", "lstm_b", "lstm_w_cls", "lstm_b_cls")}

# The v2 encoder block and classifier: the bundle's weight files (all or none)
# and the export's output files.
ENCODER_WEIGHTS = ("ln1_gamma", "ln1_beta", "w_ff1", "b_ff1", "w_ff2", "b_ff2",
                   "ln2_gamma", "ln2_beta", "w_cls", "b_cls")
ENCODER_OUTPUTS = ("residual1", "norm1", "ffn_hidden", "ffn_output", "residual2",
                   "norm2", "pooled", "logits", "probabilities")
# A language model: the block without the classifier, then the lm head.
LM_BLOCK_WEIGHTS = ENCODER_WEIGHTS[:8]
LM_HEAD_WEIGHTS = ("w_lm", "b_lm")
CLASSIFIER_FILES = ("w_cls", "b_cls", "pooled", "logits", "probabilities")
NORM_EPS_DEFAULT = 1e-5
NORM_EPS_REL_TOL = 1e-6  # relative only: an absolute floor would accept 0 for 1e-6


def read_rows(path, strip=False):
    """Non-blank CSV rows; BOM and CRLF tolerated; optionally strip every field."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [row for row in csv.reader(f)]
    if strip:
        rows = [[field.strip() for field in row] for row in rows]
    return [row for row in rows if any(field.strip() for field in row)]


def to_float(text):
    try:
        return float(text)
    except ValueError:
        return None


def close(got, want, rel_tol=REL_TOL):
    return abs(got - want) <= rel_tol * abs(want) + ABS_TOL


def bundle_config(bundle_dir):
    return {row[0]: row[1] for row in read_rows(os.path.join(bundle_dir, "config.csv"), strip=True)[1:]}


# ------------------------------------------------------------ file comparison
def compare_table(golden_path, export_path, exact, rel_tol=REL_TOL):
    """Return a list of diagnostic lines; empty means the files agree."""
    fname = os.path.basename(golden_path)
    if not os.path.exists(export_path):
        return ["%s: missing from the export" % fname]
    want = read_rows(golden_path)
    try:
        got = read_rows(export_path)
    except (UnicodeDecodeError, csv.Error) as e:
        return ["%s: cannot read export: %s" % (fname, e)]
    if not got:
        return ["%s: exported file is empty" % fname]
    if got[0] != want[0]:
        return ["%s: header differs: expected %s, got %s" % (fname, ",".join(want[0]), ",".join(got[0]))]
    if len(got) != len(want):
        return ["%s: expected %d data rows, got %d" % (fname, len(want) - 1, len(got) - 1)]

    header = want[0]
    diags, bad = [], 0
    largest = (0.0, None)  # (difference, "line L column C")
    for r in range(1, len(want)):
        wrow, grow = want[r], got[r]
        where_row = "line %d (%s %r)" % (r + 1, header[0], wrow[0])
        if len(grow) != len(wrow):
            diags.append("%s: %s: expected %d fields, got %d" % (fname, where_row, len(wrow), len(grow)))
            bad += 1
            continue
        for c in range(len(wrow)):
            w, g = wrow[c], grow[c]
            where = "%s column %d (%r)" % (where_row, c + 1, header[c])
            if exact or c == 0:
                ok = (g == w)
            elif w == "-inf":
                ok = (g.strip() == "-inf")
            else:
                wv, gv = float(w), to_float(g)
                ok = gv is not None and math.isfinite(gv) and close(gv, wv, rel_tol)
                if gv is not None and math.isfinite(gv):
                    diff = abs(gv - wv)
                    if diff > largest[0]:
                        largest = (diff, where)
            if not ok:
                bad += 1
                if len(diags) < 3:
                    diags.append("%s: %s: expected %s, got %s" % (fname, where, w, g))
    if bad:
        diags.append("%s: %d mismatching cell(s)" % (fname, bad) + (
            "" if exact else "; largest numeric difference %.3g%s"
            % (largest[0], " at " + largest[1] if largest[1] else "")))
    return diags


def numeric_grid(rows):
    """Numbers of an exported weight matrix, tolerating a header row and a label column."""
    if rows and any(to_float(x) is None for x in rows[0]):
        rows = rows[1:]
    grid = []
    for row in rows:
        if row and to_float(row[0]) is None:
            row = row[1:]
        grid.append([to_float(x) for x in row])
    return grid


def compare_weights(bundle_dir, export_dir, name):
    """The export's copy of the bundle's weight file `name`.csv holds the same grid."""
    fname = name + ".csv"
    path = os.path.join(export_dir, fname)
    if not os.path.exists(path):
        return ["%s: missing from the export" % fname]
    want = [[float(x) for x in row] for row in read_rows(os.path.join(bundle_dir, fname), strip=True)]
    rows, cols = len(want), len(want[0])
    got = numeric_grid(read_rows(path, strip=True))
    # a numeric row-index column (0..rows-1 or 1..rows) is a label, not data
    if got and all(len(row) == cols + 1 for row in got):
        first = [row[0] for row in got]
        if first in ([float(i) for i in range(rows)], [float(i) for i in range(1, rows + 1)]):
            got = [row[1:] for row in got]
    if len(got) != rows or any(len(row) != cols for row in got):
        return ["%s: expected a %dx%d grid of numbers, got %d row(s) of %s field(s)"
                % (fname, rows, cols, len(got), sorted(set(len(row) for row in got)))]
    diags, bad, largest = [], 0, 0.0
    for i in range(rows):
        for j in range(cols):
            g, w = got[i][j], want[i][j]
            if g is not None:
                largest = max(largest, abs(g - w))
            if g is None or not close(g, w):
                bad += 1
                if len(diags) < 3:
                    diags.append("%s: row %d column %d: expected %r, got %r" % (fname, i + 1, j + 1, w, g))
    if bad:
        diags.append("%s: %d mismatching number(s); largest difference %.3g" % (fname, bad, largest))
    return diags


def recurrent_weights(bundle_dir):
    """{model: [weight file names the bundle has]} for the recurrent models present."""
    found = {}
    for model, names in RECURRENT.items():
        present = [n for n in names if os.path.exists(os.path.join(bundle_dir, n + ".csv"))]
        if names[0] in present:  # the input weights define the model
            found[model] = present
    return found


def bundle_d_hidden(bundle_dir, cfg, models):
    """d_hidden from config.csv, or else the row count of a recurrent W_h."""
    if "d_hidden" in cfg:
        return int(cfg["d_hidden"])
    model = sorted(models)[0]
    return len(read_rows(os.path.join(bundle_dir, RECURRENT[model][1] + ".csv")))


def check_d_hidden(export_dir, d_hidden):
    path = os.path.join(export_dir, "config.csv")
    if not os.path.exists(path):
        return ["config.csv: missing from the export"]
    got = bundle_config(export_dir).get("d_hidden")
    if got is None:
        return ["config.csv: no d_hidden row"]
    if to_float(got) != d_hidden:
        return ["config.csv: d_hidden is %r, expected %d" % (got, d_hidden)]
    return []


def stray_recurrent_files(export_dir, models):
    """rnn_*/lstm_* files exported for a model the bundle does not have."""
    if not os.path.isdir(export_dir):
        return ["no export directory"]
    stray = sorted(f for f in os.listdir(export_dir)
                   for model in RECURRENT if model not in models and f.startswith(model + "_"))
    return ["exported for a model the bundle does not have: %s" % " ".join(stray)] if stray else []


def has_encoder(bundle_dir):
    """True for a v2 bundle: all the encoder weight files are present."""
    return all(os.path.exists(os.path.join(bundle_dir, n + ".csv")) for n in ENCODER_WEIGHTS)


def labels_of(text):
    return [label.strip() for label in text.split(";")]


def check_encoder_config(export_dir, cfg):
    """The exported config.csv gives the bundle's d_ff, activation, labels and norm_eps."""
    path = os.path.join(export_dir, "config.csv")
    if not os.path.exists(path):
        return ["config.csv: missing from the export"]
    got = bundle_config(export_dir)
    diags = []
    for key in ("d_ff", "activation", "labels", "norm_eps"):
        if key not in got:
            diags.append("config.csv: no %s row" % key)
    if "d_ff" in got and to_float(got["d_ff"]) != int(cfg["d_ff"]):
        diags.append("config.csv: d_ff is %r, expected %s" % (got["d_ff"], cfg["d_ff"]))
    if "activation" in got and got["activation"] != cfg["activation"]:
        diags.append("config.csv: activation is %r, expected %r" % (got["activation"], cfg["activation"]))
    if "labels" in got and labels_of(got["labels"]) != labels_of(cfg["labels"]):
        diags.append("config.csv: labels are %r, expected %r" % (got["labels"], cfg["labels"]))
    if "norm_eps" in got:
        want = float(cfg["norm_eps"]) if "norm_eps" in cfg else NORM_EPS_DEFAULT
        eps = to_float(got["norm_eps"])
        if eps is None or not abs(eps - want) <= NORM_EPS_REL_TOL * want:
            diags.append("config.csv: norm_eps is %r, expected %r" % (got["norm_eps"], want))
    return diags


def stray_encoder_files(export_dir):
    """Encoder outputs or weight copies exported for a v1 (attention-only) bundle."""
    if not os.path.isdir(export_dir):
        return ["no export directory"]
    names = {n + ".csv" for n in ENCODER_WEIGHTS + ENCODER_OUTPUTS}
    stray = sorted(set(os.listdir(export_dir)) & names)
    return ["exported for a bundle without an encoder block: %s" % " ".join(stray)] if stray else []


def is_lm(cfg):
    return cfg.get("task", "classify") == "lm"


def lm_weights(bundle_dir):
    """The weight files a language model's export must copy."""
    return list(LM_BLOCK_WEIGHTS) + [n for n in LM_HEAD_WEIGHTS
                                     if os.path.exists(os.path.join(bundle_dir, n + ".csv"))]


def check_lm_config(export_dir, cfg):
    """The exported config.csv says task lm and gives d_ff, activation, norm_eps; no labels."""
    path = os.path.join(export_dir, "config.csv")
    if not os.path.exists(path):
        return ["config.csv: missing from the export"]
    got = bundle_config(export_dir)
    diags = [] if got.get("task") == "lm" else ["config.csv: task is %r, expected lm" % got.get("task")]
    if "labels" in got:
        diags.append("config.csv: a language model's config has labels")
    with_labels = dict(cfg, labels="")
    return diags + [d for d in check_encoder_config(export_dir, with_labels) if "labels" not in d]


def stray_classifier_files(export_dir):
    if not os.path.isdir(export_dir):
        return ["no export directory"]
    stray = sorted(set(os.listdir(export_dir)) & {n + ".csv" for n in CLASSIFIER_FILES})
    return ["exported for a language model: %s" % " ".join(stray)] if stray else []


def compare_next_token(golden_path, export_path, vocab):
    """next_token.csv: the same tokens with the same probabilities (within
    tolerance), most likely first; equal reference probabilities in vocabulary
    order.  Tokens whose probabilities differ by less than the tolerance may
    come in either order, so rows are matched by token, not by line."""
    fname = os.path.basename(golden_path)
    if not os.path.exists(export_path):
        return ["%s: missing from the export" % fname]
    want, got = read_rows(golden_path), read_rows(export_path)
    if not got or got[0] != ["token", "probability"]:
        return ["%s: header is %r, expected token,probability" % (fname, ",".join(got[0]) if got else "")]
    wmap = {row[0]: float(row[1]) for row in want[1:]}
    gtok = [row[0] for row in got[1:]]
    if len(got) != len(want) or sorted(gtok) != sorted(wmap):
        return ["%s: expected the %d vocabulary tokens once each, got %d row(s)" % (fname, len(wmap), len(gtok))]
    diags = []
    gp = [to_float(row[1]) for row in got[1:]]
    for t, p in zip(gtok, gp):
        if p is None or not close(p, wmap[t]):
            diags.append("%s: %s: expected %r, got %r" % (fname, t, wmap[t], p))
    index = {t: i for i, t in enumerate(vocab)}
    for i in range(1, len(gtok)):
        a, b = gtok[i - 1], gtok[i]
        if gp[i] is not None and gp[i - 1] is not None and gp[i] > gp[i - 1]:
            diags.append("%s: %s (%r) after %s (%r): not most likely first" % (fname, b, gp[i], a, gp[i - 1]))
        if wmap[a] == wmap[b] and index[a] > index[b]:
            diags.append("%s: %s and %s are equally likely: vocabulary order puts %s first" % (fname, a, b, b))
    return diags[:5]


def has_tokenizer(bundle_dir):
    return os.path.exists(os.path.join(bundle_dir, "tokenizer.csv"))


def compare_tokenizer(bundle_dir, export_dir):
    """The export's tokenizer.csv: header left,right and the bundle's merges, same order.

    Compared as parsed CSV rows (BOM, CRLF and quoting may differ), field by
    field and exactly: a merge is two strings."""
    path = os.path.join(export_dir, "tokenizer.csv")
    if not os.path.exists(path):
        return ["tokenizer.csv: missing from the export"]
    want = read_rows(os.path.join(bundle_dir, "tokenizer.csv"))
    try:
        got = read_rows(path)
    except (UnicodeDecodeError, csv.Error) as e:
        return ["tokenizer.csv: cannot read export: %s" % e]
    if not got or got[0] != ["left", "right"]:
        return ["tokenizer.csv: header is %r, expected left,right" % (",".join(got[0]) if got else "")]
    if len(got) != len(want):
        return ["tokenizer.csv: expected %d merges, got %d" % (len(want) - 1, len(got) - 1)]
    bad = ["tokenizer.csv: line %d: expected %s, got %s" % (r + 1, ",".join(w), ",".join(g))
           for r, (w, g) in enumerate(zip(want, got)) if w != g]
    return bad[:3] + (["tokenizer.csv: %d merge(s) differ" % len(bad)] if bad else [])


def stray_tokenizer(export_dir):
    if os.path.exists(os.path.join(export_dir, "tokenizer.csv")):
        return ["tokenizer.csv exported for a bundle without one (word tokenizer)"]
    return []


# ------------------------------------------------------------ TAP driver
class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, name, diags):
        self.n += 1
        if diags:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in diags:
                print("# " + line.replace("\n", "\n# "))
        else:
            print("ok %d - %s" % (self.n, name))
        sys.stdout.flush()


def main(argv):
    args = [a for a in argv[1:] if a != "--keep"]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    binary, root = os.path.abspath(args[0]), os.path.abspath(args[1])
    golden = os.path.join(root, "tests", "golden")
    with open(os.path.join(golden, "cases.csv"), encoding="utf-8-sig", newline="") as f:
        cases = list(csv.DictReader(f))

    # the plan: per case 1 run + golden files + masked check + 4 weight files
    # + the recurrent weight copies + (config d_hidden if recurrent) + stray-file check
    # + v2: the encoder weight copies and the config check / v1: the stray-encoder check
    # + the tokenizer.csv copy (or its absence)
    plan, count = [], 0
    for case in cases:
        files = sorted(os.listdir(os.path.join(golden, "cases", case["name"])))
        files.sort(key=lambda f: f != "tokens.csv")
        rec = recurrent_weights(os.path.join(root, case["bundle"]))
        enc = has_encoder(os.path.join(root, case["bundle"]))
        lm = is_lm(bundle_config(os.path.join(root, case["bundle"])))
        plan.append((files, rec, enc))
        count += len(files) + 7 + sum(len(names) for names in rec.values()) + (1 if rec else 0) \
            + (len(lm_weights(os.path.join(root, case["bundle"]))) + 2 if lm
               else len(ENCODER_WEIGHTS) + 1 if enc else 1) + 1
    print("1..%d" % count)

    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="attnstep-compare-")
    try:
        for case, (files, rec, enc) in zip(cases, plan):
            name = case["name"]
            bundle = os.path.join(root, case["bundle"])
            lm = is_lm(bundle_config(bundle))
            causal = case["causal"].strip() == "1" or lm  # a language model is always causal
            case_flag = case["causal"].strip() == "1"
            out = os.path.join(tmp, name)
            cmd = [binary, "--model", bundle] + (["--causal"] if case_flag else []) \
                + ["--export", out, "--"] + case["sentence"].split()
            try:
                proc = subprocess.run(cmd, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, timeout=120)
                diags = [] if proc.returncode == 0 else (
                    ["exit status %d: %s" % (proc.returncode, " ".join(cmd))]
                    + proc.stderr.decode("utf-8", "replace").strip().splitlines()[:10])
            except (OSError, subprocess.TimeoutExpired) as e:
                diags = ["could not run %s: %s" % (" ".join(cmd), e)]
            tap.result("%s: attnstep --export runs" % name, diags)

            for fname in files:
                if fname == "next_token.csv":
                    vocab = [row[0] for row in read_rows(os.path.join(bundle, "vocab.csv"), strip=True)[1:]]
                    tap.result("%s/%s" % (name, fname),
                               compare_next_token(os.path.join(golden, "cases", name, fname),
                                                  os.path.join(out, fname), vocab))
                    continue
                tap.result("%s/%s" % (name, fname),
                           compare_table(os.path.join(golden, "cases", name, fname),
                                         os.path.join(out, fname), exact=(fname == "tokens.csv"),
                                         rel_tol=INFLUENCE_REL_TOL if fname == "influence.csv" else REL_TOL))

            cfg = bundle_config(bundle)
            heads = int(cfg["n_heads"])
            diags = []
            for h in range(1, heads + 1):
                present = os.path.exists(os.path.join(out, "head%d_masked.csv" % h))
                if causal and not present:
                    diags.append("head%d_masked.csv missing from a causal export" % h)
                if not causal and present:
                    diags.append("head%d_masked.csv exported for a non-causal case" % h)
            tap.result("%s: head*_masked.csv %s" % (name, "present (causal)" if causal else "absent (not causal)"),
                       diags)

            weights = ["w_q", "w_k", "w_v", "w_o"] + [n for model in sorted(rec) for n in rec[model]]
            for w in weights:
                tap.result("%s/%s.csv equals the bundle's" % (name, w), compare_weights(bundle, out, w))
            if rec:
                d_hidden = bundle_d_hidden(bundle, cfg, rec)
                tap.result("%s/config.csv gives d_hidden %d" % (name, d_hidden), check_d_hidden(out, d_hidden))
            absent = [m for m in sorted(RECURRENT) if m not in rec]
            tap.result("%s: no %s files exported" % (name, "/".join(m + "_*" for m in absent) or "stray recurrent"),
                       stray_recurrent_files(out, rec))

            if lm:
                for w in lm_weights(bundle):
                    tap.result("%s/%s.csv equals the bundle's" % (name, w), compare_weights(bundle, out, w))
                tap.result("%s/config.csv gives task lm, d_ff %s, activation %s, norm_eps %s"
                           % (name, cfg["d_ff"], cfg["activation"], cfg.get("norm_eps", NORM_EPS_DEFAULT)),
                           check_lm_config(out, cfg))
                tap.result("%s: no classifier files exported (language model)" % name, stray_classifier_files(out))
                weights += lm_weights(bundle)
            elif enc:
                for w in ENCODER_WEIGHTS:
                    tap.result("%s/%s.csv equals the bundle's" % (name, w), compare_weights(bundle, out, w))
                tap.result("%s/config.csv gives d_ff %s, activation %s, norm_eps %s, labels %s"
                           % (name, cfg["d_ff"], cfg["activation"], cfg.get("norm_eps", NORM_EPS_DEFAULT),
                              cfg["labels"]), check_encoder_config(out, cfg))
                weights += list(ENCODER_WEIGHTS)
            else:
                tap.result("%s: no encoder files exported (v1 bundle)" % name, stray_encoder_files(out))

            if has_tokenizer(bundle):
                tap.result("%s/tokenizer.csv equals the bundle's" % name, compare_tokenizer(bundle, out))
            else:
                tap.result("%s: no tokenizer.csv exported (word tokenizer)" % name, stray_tokenizer(out))

            if os.path.isdir(out):
                checked = set(files) | {w + ".csv" for w in weights} | ({"config.csv"} if rec or enc or lm else set()) \
                    | ({"tokenizer.csv"} if has_tokenizer(bundle) else set())
                extra = sorted(set(os.listdir(out)) - checked)
                if extra:
                    print("# %s: exported files not checked: %s" % (name, " ".join(extra)))
    finally:
        if "--keep" in argv:
            print("# export kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if tap.failed:
        print("# %d of %d test(s) failed" % (tap.failed, tap.n))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
