#!/usr/bin/python3
"""Independent numpy reference for attnstep's numbers.

attnstep (C) computes transformer self-attention step by step and can write
every intermediate matrix with `--export DIR`.  This script recomputes the same
matrices from the same model bundles with numpy in float64, written from the
project contract and NOT from the C code, so that the C program can be checked
against an independent implementation (tests/golden/compare.py does that).

A bundle with a tokenizer.csv (an ordered list of byte-pair merges) has its
words cut into subword pieces first, by the rules of DESIGN.md "Subword
tokenizer" and the issue-10 decisions (code points, lowest-rank pair first,
`##` on pieces that do not begin their word); without tokenizer.csv the word
tokenizer applies, as before.

Besides the attention layer it runs the recurrent models a bundle may hold (an
RNN and/or an LSTM reading the word embeddings one at a time) and measures each
word's influence on the end of the sentence, by central finite differences.
A v2 bundle also holds a full post-norm encoder block (LayerNorm, a
feed-forward layer, LayerNorm) after the attention layer and a sentence
classifier on the mean of the block's output rows; those are computed too.
A language model (config.csv `task,lm`, DESIGN.md "Language models") has the
same block without the classifier, always runs with the causal mask, and ends
in an lm head: logits[p] = norm2[p]·W_lm + b_lm for every position (V =
vocabulary rows, in order) and the next-token probabilities softmax(logits of
the last position) at T = 1, written most likely first (equal probabilities in
vocabulary order).

It reads tests/golden/cases.csv (name,bundle,causal,sentence) and writes the
export-format CSVs of each case to tests/golden/cases/<name>/.  Those outputs
are committed; `--check` recomputes them into a temporary directory and exits 1
if any committed number differs by more than 1e-12 relative (plus a 1e-15
absolute floor for values that cancel to ~0), or if a file is missing or
stale, so a test can verify that the committed golden files are current.
`--check` also tests the tokenizer against encodings worked out by hand and
checks invariants of every case's pieces (see cross_check_tokenizer), and
recomputes every influence with exact forward-mode derivatives
and fails if the finite differences disagree with them (a self-test of the
finite differences; the goldens themselves hold the finite-difference values),
and checks invariants of the encoder outputs (LayerNorm rows, activation,
softmax, mean pooling).

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
    task = config.get("task", "classify")
    assert task in ("classify", "lm"), "task %r" % task
    b = {"tokens": [row[0] for row in vocab_rows],
         "E": np.array([[float(x) for x in row[1:]] for row in vocab_rows]),
         "d_model": d, "n_heads": h, "task": task,
         "positional": config.get("positional", "sinusoidal"),
         "lowercase": config.get("lowercase", "1") == "1"}
    assert b["E"].shape[1] == d and "<unk>" in b["tokens"]
    for m in ("q", "k", "v", "o"):
        b["W_" + m] = read_matrix(os.path.join(bundle_dir, "w_%s.csv" % m))
        assert b["W_" + m].shape == (d, d)
        bias = os.path.join(bundle_dir, "b_%s.csv" % m)
        b["b_" + m] = read_matrix(bias).reshape(d) if os.path.exists(bias) else np.zeros(d)
    b["merges"] = load_merges(bundle_dir, b["tokens"])
    load_recurrent(b, bundle_dir, config)
    load_encoder(b, bundle_dir, config)
    load_lm_head(b, bundle_dir)
    return b


def load_lm_head(b, bundle_dir):
    """A language model's head: w_lm (d_model x V), b_lm (1 x V, zeros when absent).

    b["lm"] is None for a classifier (which must have neither file).  A
    language model needs the encoder block and <eos> in its vocabulary."""
    path = lambda name: os.path.join(bundle_dir, name + ".csv")
    if b["task"] != "lm":
        assert not os.path.exists(path("w_lm")) and not os.path.exists(path("b_lm")), \
            "%s: w_lm/b_lm without task,lm" % bundle_dir
        b["lm"] = None
        return
    assert b["encoder"] is not None, "%s: a language model needs the encoder block" % bundle_dir
    assert "<eos>" in b["tokens"], "%s: a language model needs <eos>" % bundle_dir
    d, V = b["d_model"], len(b["tokens"])
    w = read_matrix(path("w_lm"))
    assert w.shape == (d, V), "w_lm: shape %s, expected %dx%d" % (w.shape, d, V)
    bias = read_matrix(path("b_lm")) if os.path.exists(path("b_lm")) else np.zeros((1, V))
    assert bias.shape == (1, V), "b_lm: shape %s, expected 1x%d" % (bias.shape, V)
    b["lm"] = {"w_lm": w, "b_lm": bias.reshape(V)}


def load_merges(bundle_dir, vocab_tokens):
    """The bundle's tokenizer.csv as {(left, right): rank}, or None without the file.

    Header `left,right`; each data row is one merge, its rank the 0-based
    data-row index.  left and right are raw strings (no `##`), non-empty, no
    whitespace; no merge twice; each result left+right must be a vocabulary
    row as itself or as `##` + itself.  (The reference asserts these; the C
    program reports them with file:line:col.)"""
    path = os.path.join(bundle_dir, "tokenizer.csv")
    if not os.path.exists(path):
        return None
    rows = read_rows(path)
    assert rows and rows[0] == ["left", "right"], "%s: header must be left,right" % path
    vocab = set(vocab_tokens)
    merges = {}
    for rank, row in enumerate(rows[1:]):
        assert len(row) == 2 and all(row), "%s: merge %d: %r" % (path, rank, row)
        assert not any(ch.isspace() for field in row for ch in field), "%s: whitespace in %r" % (path, row)
        assert tuple(row) not in merges, "%s: merge %r twice" % (path, row)
        result = row[0] + row[1]
        assert result in vocab or "##" + result in vocab, \
            "%s: result %r of merge %d is not in vocab.csv" % (path, result, rank)
        merges[tuple(row)] = rank
    return merges


# The v2 encoder block and classifier: file name -> shape, in terms of
# D = d_model, F = d_ff, C = number of classes.  All or none must be present.
ENCODER_FILES = (("ln1_gamma", ("1", "D")), ("ln1_beta", ("1", "D")),
                 ("w_ff1", ("D", "F")), ("b_ff1", ("1", "F")),
                 ("w_ff2", ("F", "D")), ("b_ff2", ("1", "D")),
                 ("ln2_gamma", ("1", "D")), ("ln2_beta", ("1", "D")),
                 ("w_cls", ("D", "C")), ("b_cls", ("1", "C")))
ACTIVATIONS = ("relu", "gelu")


def load_encoder(b, bundle_dir, config):
    """Read the encoder block and classifier of a v2 bundle, strictly.

    b["encoder"] is None for a v1 (attention-only) bundle; otherwise a dict of
    the ten weight arrays (vectors for the 1 x n files) plus d_ff, activation,
    norm_eps and labels from config.csv.
    """
    path = lambda name: os.path.join(bundle_dir, name + ".csv")
    lm = b["task"] == "lm"
    files = ENCODER_FILES[:8] if lm else ENCODER_FILES  # a language model: the block, no classifier
    if lm:
        assert not os.path.exists(path("w_cls")) and not os.path.exists(path("b_cls")) \
            and "labels" not in config, "%s: a language model has no classifier" % bundle_dir
    present = [name for name, _ in files if os.path.exists(path(name))]
    if not present and not lm:
        b["encoder"] = None
        return
    missing = [name for name, _ in files if name not in present]
    assert not missing, "%s: encoder files missing: %s" % (bundle_dir, ", ".join(missing))
    for key in ("d_ff", "activation") + (() if lm else ("labels",)):
        assert key in config, "%s: config.csv has encoder files but no %s" % (bundle_dir, key)
    enc = {"d_ff": int(config["d_ff"]),
           "activation": config["activation"],
           "norm_eps": float(config.get("norm_eps", "1e-5")),
           "labels": None if lm else config["labels"].split(";")}
    assert enc["activation"] in ACTIVATIONS, "activation %r" % enc["activation"]
    assert enc["d_ff"] > 0 and 0 < enc["norm_eps"] < 1
    assert lm or (all(enc["labels"]) and len(set(enc["labels"])) == len(enc["labels"])), \
        "labels %r" % config["labels"]
    dims = {"1": 1, "D": b["d_model"], "F": enc["d_ff"], "C": 0 if lm else len(enc["labels"])}
    for name, (r, c) in files:
        m = read_matrix(path(name))
        assert m.shape == (dims[r], dims[c]), "%s: shape %s, expected %dx%d" % (
            name, m.shape, dims[r], dims[c])
        enc[name] = m.reshape(dims[c]) if r == "1" else m
    b["encoder"] = enc


# The optional recurrent models: (name, input weights, recurrent weights, bias,
# gates).  gates = number of d_hidden-wide column blocks (LSTM: i, f, g, o).
RECURRENT = (("rnn", "rnn_w_xh", "rnn_w_hh", "rnn_b", 1),
             ("lstm", "lstm_w_x", "lstm_w_h", "lstm_b", 4))


def load_recurrent(b, bundle_dir, config):
    """Read whichever recurrent weight files the bundle has (absent bias = zeros).

    b["recurrent"] maps "rnn"/"lstm" to (W_x, W_h, bias) for the models present;
    b["d_hidden"] comes from config.csv or, failing that, from the file shapes.
    """
    d = b["d_model"]
    dh = int(config["d_hidden"]) if "d_hidden" in config else None
    b["recurrent"] = {}
    for model, wx_name, wh_name, bias_name, gates in RECURRENT:
        path = lambda name: os.path.join(bundle_dir, name + ".csv")
        if not os.path.exists(path(wx_name)):
            assert not os.path.exists(path(wh_name)), "%s without %s" % (wh_name, wx_name)
            continue
        w_x, w_h = read_matrix(path(wx_name)), read_matrix(path(wh_name))
        if dh is None:
            dh = w_x.shape[1] // gates
        assert w_x.shape == (d, gates * dh), "%s: shape %s" % (wx_name, w_x.shape)
        assert w_h.shape == (dh, gates * dh), "%s: shape %s" % (wh_name, w_h.shape)
        bias = read_matrix(path(bias_name)).reshape(gates * dh) \
            if os.path.exists(path(bias_name)) else np.zeros(gates * dh)
        b["recurrent"][model] = (w_x, w_h, bias)
    b["d_hidden"] = dh
    # The trained recurrent classifiers (issue 13): <model>_w_cls (d_hidden x
    # classes) and <model>_b_cls (1 x classes), all four files or none.
    b["recurrent_cls"] = {}
    cls_files = [m + suffix for m in ("rnn", "lstm") for suffix in ("_w_cls", "_b_cls")]
    there = [os.path.exists(os.path.join(bundle_dir, f + ".csv")) for f in cls_files]
    assert all(there) or not any(there), "%s: the recurrent classifiers need all four files" % bundle_dir
    if any(there):
        assert set(b["recurrent"]) == {"rnn", "lstm"}, "recurrent classifiers without both models"
        classes = len(config["labels"].split(";"))
        for model in ("rnn", "lstm"):
            w = read_matrix(os.path.join(bundle_dir, model + "_w_cls.csv"))
            bias = read_matrix(os.path.join(bundle_dir, model + "_b_cls.csv")).reshape(-1)
            assert w.shape == (dh, classes) and bias.shape == (classes,), "%s_w_cls/_b_cls shapes" % model
            b["recurrent_cls"][model] = (w, bias)


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


def bpe_word(word, merges):
    """The symbols of one pre-split word after the merges (minbpe / GPT-2 order).

    Start from the word's Unicode code points (a Hangul syllable is one
    symbol).  Repeat: among the adjacent pairs that are merges, take the one
    with the lowest rank and replace every occurrence of it, scanning left to
    right without overlap; stop when no adjacent pair is a merge."""
    symbols = list(word)  # a str iterates by code point
    while len(symbols) > 1:
        ranked = [(merges[pair], pair) for pair in zip(symbols, symbols[1:]) if pair in merges]
        if not ranked:
            break
        best = min(ranked)[1]
        merged, i = [], 0
        while i < len(symbols):
            if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                merged.append(symbols[i] + symbols[i + 1])
                i += 2
            else:
                merged.append(symbols[i])
                i += 1
        symbols = merged
    return symbols


def encode(sentence, lowercase, merges):
    """(tokens, words): the token texts and, for each, the 0-based index of its pre-split word.

    Without merges (no tokenizer.csv) each pre-split word is one token.  With
    merges, each word's symbols are its pieces; every piece but the word's
    first is written with the prefix `##`."""
    tokens, words = [], []
    for w, word in enumerate(tokenize(sentence, lowercase)):
        pieces = [word] if merges is None else bpe_word(word, merges)
        for k, piece in enumerate(pieces):
            tokens.append(piece if k == 0 else "##" + piece)
            words.append(w)
    return tokens, words


# ------------------------------------------------------------ the math
def softmax_rows(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def embed(b, sentence):
    """Tokens, their vocab ids, their word indices, and the embedding rows (N x d_model).

    A token (a whole word or a piece with its `##`) missing from the
    vocabulary uses the `<unk>` row and keeps its own text."""
    tokens, words = encode(sentence, b["lowercase"], b["merges"])
    index = {}
    for i, t in enumerate(b["tokens"]):
        index.setdefault(t, i)  # first row wins
    ids = [index.get(t, index["<unk>"]) for t in tokens]
    return tokens, ids, words, b["E"][ids]


def positional(b, n):
    """Sinusoidal positional encoding (N x d_model), positions from 0; zeros for `none`."""
    d = b["d_model"]
    pe = np.zeros((n, d))
    if b["positional"] == "sinusoidal":
        for p in range(n):
            for i in range(0, d, 2):  # i is 2i in the formula
                angle = p / 10000.0 ** (i / d)
                pe[p, i] = math.sin(angle)
                if i + 1 < d:
                    pe[p, i + 1] = math.cos(angle)
    return pe


def dcols(k):
    return ["d%d" % j for j in range(k)]


def attention_layer(b, x, tokens, causal):
    """Multi-head self-attention of x (N x d_model).

    Returns (list of (filename, matrix, column names), output)."""
    n, d, H = x.shape[0], b["d_model"], b["n_heads"]
    dk = d // H
    Q = x @ b["W_q"] + b["b_q"]
    K = x @ b["W_k"] + b["b_k"]
    V = x @ b["W_v"] + b["b_v"]

    out = []
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
    return out, output


def attention(b, sentence, causal):
    """Return (tokens, ids, words, list of (filename, matrix, column names))."""
    tokens, ids, words, emb = embed(b, sentence)
    d = b["d_model"]
    pe = positional(b, len(tokens))
    x = emb + pe
    out, _ = attention_layer(b, x, tokens, causal)
    out = [("embeddings", emb, dcols(d)), ("positional", pe, dcols(d)), ("x", x, dcols(d))] + out
    return tokens, ids, words, out


# ------------------------------------------------------------ encoder block (v2)
def layer_norm(a, gamma, beta, eps):
    """Per row: (v - mean) / sqrt(biased variance + eps), then * gamma + beta."""
    mean = a.mean(axis=1, keepdims=True)
    var = ((a - mean) ** 2).mean(axis=1, keepdims=True)  # divide by d, not d - 1
    return (a - mean) / np.sqrt(var + eps) * gamma + beta


def gelu(a):
    """Exact GELU: 0.5 x (1 + erf(x / sqrt 2)) (not the tanh approximation)."""
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return 0.5 * a * (1.0 + erf(a / math.sqrt(2.0)))


def relu(a):
    return np.maximum(a, 0.0)


def encoder_block(enc, x, attn_output, lm=None, vocab=None):
    """Post-norm encoder block and classifier after the attention layer.

    Returns [(filename, matrix, column names, row labels)] with matrices
    residual1, norm1, ffn_hidden, ffn_output, residual2, norm2 (one row per
    token, row labels None = the tokens), pooled (row "mean"), logits and
    probabilities (row "sentence", one column per class label).  For a
    language model (lm = its head, vocab = the vocabulary tokens in order) the
    block is followed by lm_logits (a row per token, a column per vocabulary
    token) instead of the classifier; next_token is returned by next_token()."""
    act = relu if enc["activation"] == "relu" else gelu
    eps = enc["norm_eps"]
    d, dff = x.shape[1], enc["d_ff"]
    residual1 = x + attn_output
    norm1 = layer_norm(residual1, enc["ln1_gamma"], enc["ln1_beta"], eps)
    hidden = act(norm1 @ enc["w_ff1"] + enc["b_ff1"])
    ffn_output = hidden @ enc["w_ff2"] + enc["b_ff2"]
    residual2 = norm1 + ffn_output
    norm2 = layer_norm(residual2, enc["ln2_gamma"], enc["ln2_beta"], eps)
    block = [("residual1", residual1, dcols(d), None), ("norm1", norm1, dcols(d), None),
             ("ffn_hidden", hidden, dcols(dff), None), ("ffn_output", ffn_output, dcols(d), None),
             ("residual2", residual2, dcols(d), None), ("norm2", norm2, dcols(d), None)]
    if lm is not None:
        return block + [("lm_logits", norm2 @ lm["w_lm"] + lm["b_lm"], vocab, None)]
    pooled = norm2.mean(axis=0, keepdims=True)
    logits = pooled @ enc["w_cls"] + enc["b_cls"]
    probabilities = softmax_rows(logits)
    return block + [("pooled", pooled, dcols(d), ["mean"]),
                    ("logits", logits, enc["labels"], ["sentence"]),
                    ("probabilities", probabilities, enc["labels"], ["sentence"])]


def next_token(lm_logits, vocab):
    """The next-token distribution after the last position at T = 1, as
    [(token, probability)], most likely first; equal probabilities keep the
    vocabulary's order (a stable sort)."""
    p = softmax_rows(lm_logits[-1:])[0]
    order = sorted(range(len(vocab)), key=lambda v: -p[v])  # sorted() is stable
    return [(vocab[v], p[v]) for v in order]


def case_causal(bundle, case):
    """The case's causal setting; a language model always runs causal."""
    return case["causal"].strip() == "1" or bundle["task"] == "lm"


# ------------------------------------------------------------ recurrent models
def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def rnn_forward(weights, emb):
    """Elman RNN over the embeddings: h_t = tanh(e_t W_xh + h_{t-1} W_hh + b), h_0 = 0.

    Returns {"h": N x d_hidden}, row t-1 = h_t."""
    w_xh, w_hh, bias = weights
    h = np.zeros(w_hh.shape[0])
    hs = []
    for e in emb:  # one word at a time: each step needs the previous memory
        h = np.tanh(e @ w_xh + h @ w_hh + bias)
        hs.append(h)
    return {"h": np.array(hs)}


def lstm_forward(weights, emb):
    """LSTM over the embeddings, h_0 = c_0 = 0.

    z = e_t W_x + h_{t-1} W_h + b, split into four d_hidden-wide blocks:
    i = σ(z_i) input gate, f = σ(z_f) forget gate, g = tanh(z_g) candidate,
    o = σ(z_o) output gate; c_t = f⊙c_{t-1} + i⊙g; h_t = o⊙tanh(c_t).
    Returns the gate activations and c, h, each N x d_hidden."""
    w_x, w_h, bias = weights
    dh = w_h.shape[0]
    h, c = np.zeros(dh), np.zeros(dh)
    rows = {k: [] for k in ("i", "f", "g", "o", "c", "h")}
    for e in emb:
        z = e @ w_x + h @ w_h + bias
        i = sigmoid(z[0:dh])
        f = sigmoid(z[dh:2 * dh])
        g = np.tanh(z[2 * dh:3 * dh])
        o = sigmoid(z[3 * dh:4 * dh])
        c = f * c + i * g       # keep part of the old memory, add part of the new
        h = o * np.tanh(c)      # expose part of the memory
        for k, v in zip("ifgoch", (i, f, g, o, c, h)):
            rows[k].append(v)
    return {k: np.array(v) for k, v in rows.items()}


FORWARD = {"rnn": rnn_forward, "lstm": lstm_forward}
# export file names of each model's matrices, in the order they are written
RECURRENT_FILES = {"rnn": (("rnn_h", "h"),),
                   "lstm": tuple(("lstm_" + k, k) for k in "ifgoch")}


# ------------------------------------------------------------ influence
FD_STEP = 1e-6


def end_functions(b, emb, causal):
    """The models' "end of the sentence" y as functions of the embeddings (N x d_model).

    Ordered as influence.csv lists them: rnn, lstm (when present), attention.
    RNN/LSTM: y = h_N.  Attention: y = the last row of the layer's output
    (after W_O) with the case's causal setting; x = e + PE, PE is fixed."""
    funcs = []
    for model in ("rnn", "lstm"):
        if model in b["recurrent"]:
            weights = b["recurrent"][model]
            funcs.append((model, lambda e, f=FORWARD[model], w=weights: f(w, e)["h"][-1]))
    pe = positional(b, emb.shape[0])
    funcs.append(("attention", lambda e: attention_layer(b, e + pe, [], causal)[1][-1]))
    return funcs


def influence_fd(y_of, emb):
    """‖∂y/∂e_i‖_F for every position i, by central finite differences.

    Each position's embedding is its own input (a repeated token is perturbed
    at one position only).  Column k of the Jacobian is
    (y(e_i + h·u_k) - y(e_i - h·u_k)) / (actual distance between the two points)."""
    n, d = emb.shape
    norms = []
    for i in range(n):
        columns = []
        for k in range(d):
            plus, minus = emb.copy(), emb.copy()
            plus[i, k] += FD_STEP
            minus[i, k] -= FD_STEP
            # the step as represented in float64, not the nominal 2h
            columns.append((y_of(plus) - y_of(minus)) / (plus[i, k] - minus[i, k]))
        norms.append(np.linalg.norm(np.array(columns)))  # Frobenius norm of the Jacobian
    return np.array(norms)


# ---- exact derivatives, used only by --check to validate the finite differences.
# Forward mode: each array d_* carries one extra leading axis of length d_model,
# the derivative with respect to each component of e_i.
def rnn_jacobian(weights, emb, i):
    w_xh, w_hh, bias = weights
    d, dh = w_xh.shape
    h, d_h = np.zeros(dh), np.zeros((d, dh))
    for t, e in enumerate(emb):
        h = np.tanh(e @ w_xh + h @ w_hh + bias)
        d_a = d_h @ w_hh + (w_xh if t == i else 0.0)
        d_h = d_a * (1.0 - h ** 2)
    return d_h


def lstm_jacobian(weights, emb, i):
    w_x, w_h, bias = weights
    d, dh = w_x.shape[0], w_h.shape[0]
    h, c = np.zeros(dh), np.zeros(dh)
    d_h, d_c = np.zeros((d, dh)), np.zeros((d, dh))
    for t, e in enumerate(emb):
        z = e @ w_x + h @ w_h + bias
        d_z = d_h @ w_h + (w_x if t == i else 0.0)
        ig, fg, og = sigmoid(z[0:dh]), sigmoid(z[dh:2 * dh]), sigmoid(z[3 * dh:])
        g = np.tanh(z[2 * dh:3 * dh])
        d_i = d_z[:, 0:dh] * ig * (1 - ig)
        d_f = d_z[:, dh:2 * dh] * fg * (1 - fg)
        d_g = d_z[:, 2 * dh:3 * dh] * (1 - g ** 2)
        d_o = d_z[:, 3 * dh:] * og * (1 - og)
        d_c = d_f * c + fg * d_c + d_i * g + ig * d_g
        c = fg * c + ig * g
        d_h = d_o * np.tanh(c) + og * (1 - np.tanh(c) ** 2) * d_c
        h = og * np.tanh(c)
    return d_h


def attention_jacobian(b, emb, causal, i):
    n, d, H = emb.shape[0], b["d_model"], b["n_heads"]
    dk = d // H
    x = emb + positional(b, n)
    d_x = np.zeros((d, n, d))
    d_x[:, i, :] = np.eye(d)  # ∂x_i/∂e_i = I
    proj = {m: (x @ b["W_" + m] + b["b_" + m], d_x @ b["W_" + m]) for m in "qkv"}
    d_heads = []
    for h in range(H):
        cols = slice(h * dk, (h + 1) * dk)
        (q, d_q), (k, d_k), (v, d_v) = ((p[:, cols], dp[..., cols]) for p, dp in
                                        (proj["q"], proj["k"], proj["v"]))
        s = q @ k.T / math.sqrt(dk)
        d_s = (d_q @ k.T + q @ d_k.transpose(0, 2, 1)) / math.sqrt(dk)
        if causal:
            s[np.triu_indices(n, k=1)] = -np.inf
            d_s[:, np.triu_indices(n, k=1)[0], np.triu_indices(n, k=1)[1]] = 0.0
        w = softmax_rows(s)
        d_w = w * (d_s - (w * d_s).sum(axis=-1, keepdims=True))  # softmax derivative
        d_heads.append(d_w @ v + w @ d_v)
    return np.concatenate(d_heads, axis=-1)[:, -1, :] @ b["W_o"]


def influence_exact(b, emb, causal):
    """{model: ‖∂y/∂e_i‖_F per position} from the exact derivatives above."""
    result = {}
    for model in ("rnn", "lstm"):
        if model in b["recurrent"]:
            jac = rnn_jacobian if model == "rnn" else lstm_jacobian
            result[model] = np.array([np.linalg.norm(jac(b["recurrent"][model], emb, i))
                                      for i in range(emb.shape[0])])
    result["attention"] = np.array([np.linalg.norm(attention_jacobian(b, emb, causal, i))
                                    for i in range(emb.shape[0])])
    return result


# ------------------------------------------------------------ writing
def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def read_cases():
    with open(CASES_CSV, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def labelled(tokens, m, cols):
    """Rows of an export-format matrix: header token,<cols>; first column the token."""
    return [["token"] + list(cols)] + [[t] + [repr(float(x)) for x in row]
                                       for t, row in zip(tokens, m)]


def case_influence(bundle, case):
    """{model: influence per position} (finite differences) for one case, in file order."""
    _, _, _, emb = embed(bundle, case["sentence"])
    causal = case_causal(bundle, case)
    return {model: influence_fd(y_of, emb) for model, y_of in end_functions(bundle, emb, causal)}


def write_case(case, folder):
    """One case's export-format CSVs into folder (created). case: a dict with
    bundle (a path relative to the repo root, or absolute), causal ("0"/"1")
    and sentence; tests call it on bundles of their own (e.g. edited copies)."""
    bundle = load_bundle(os.path.join(ROOT, case["bundle"]))
    tokens, ids, words, mats = attention(bundle, case["sentence"], case_causal(bundle, case))
    os.makedirs(folder)
    write_csv(os.path.join(folder, "tokens.csv"),
              [["position", "token", "id", "word"]]
              + [[p, t, i, w] for p, (t, i, w) in enumerate(zip(tokens, ids, words))])
    for fname, m, cols in mats:
        write_csv(os.path.join(folder, fname + ".csv"), labelled(tokens, m, cols))

    # v2 bundles: the encoder block and the classifier after attention
    if bundle["encoder"] is not None:
        named = {fname: m for fname, m, _ in mats}
        for fname, m, cols, rows in encoder_block(bundle["encoder"], named["x"], named["output"],
                                                  bundle["lm"], bundle["tokens"]):
            write_csv(os.path.join(folder, fname + ".csv"), labelled(rows or tokens, m, cols))
            if fname == "lm_logits":
                write_csv(os.path.join(folder, "next_token.csv"),
                          [["token", "probability"]] + [[t, repr(float(p))] for t, p in next_token(m, bundle["tokens"])])

    # recurrent models: only the files of the models this bundle has
    emb = bundle["E"][ids]
    for model, weights in bundle["recurrent"].items():
        states = FORWARD[model](weights, emb)
        for fname, key in RECURRENT_FILES[model]:
            write_csv(os.path.join(folder, fname + ".csv"),
                      labelled(tokens, states[key], dcols(bundle["d_hidden"])))
        if model in bundle["recurrent_cls"]:
            # the trained classifier on the final hidden state: logits = h_N.W_cls + b_cls
            w_cls, b_cls = bundle["recurrent_cls"][model]
            logits = states["h"][-1] @ w_cls + b_cls
            probs = softmax_rows(logits[None, :])
            labels = bundle["encoder"]["labels"]
            write_csv(os.path.join(folder, model + "_logits.csv"), labelled(["sentence"], logits[None, :], labels))
            write_csv(os.path.join(folder, model + "_probabilities.csv"), labelled(["sentence"], probs, labels))

    # influence of each word on the end: rows rnn, lstm (if present), attention
    write_csv(os.path.join(folder, "influence.csv"),
              [["model"] + tokens] + [[model] + [repr(float(x)) for x in norms]
                                      for model, norms in case_influence(bundle, case).items()])


def write_all(cases_dir):
    shutil.rmtree(cases_dir, ignore_errors=True)
    for case in read_cases():
        write_case(case, os.path.join(cases_dir, case["name"]))


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


def cross_check_influence():
    """Finite-difference influence vs exact derivatives, for every case."""
    problems = []
    for case in read_cases():
        bundle = load_bundle(os.path.join(ROOT, case["bundle"]))
        _, _, _, emb = embed(bundle, case["sentence"])
        exact = influence_exact(bundle, emb, case_causal(bundle, case))
        for model, fd in case_influence(bundle, case).items():
            for i, (a, e) in enumerate(zip(fd, exact[model])):
                if abs(a - e) > 1e-7 * abs(e) + 1e-10:
                    problems.append("%s: influence of %s at position %d: finite differences %r, exact %r"
                                    % (case["name"], model, i, a, e))
    return problems


def cross_check_encoder():
    """Invariants of the encoder goldens, for every v2 case (a self-test).

    Each LayerNorm output, with beta subtracted and gamma divided out, has row
    mean 0 and row mean square var/(var+eps) of its input; a ReLU hidden layer
    has no negative entry; GELU(x) lies between min(x, 0) and max(x, 0) (less
    a small dip below 0 for negative x, bounded by 0.17); the probabilities
    sum to 1 and their log-ratios equal the logits' differences."""
    problems = []
    for case in read_cases():
        bundle = load_bundle(os.path.join(ROOT, case["bundle"]))
        enc = bundle["encoder"]
        if enc is None:
            continue
        tokens, _, _, mats = attention(bundle, case["sentence"], case_causal(bundle, case))
        named = {fname: m for fname, m, _ in mats}
        out = {fname: m for fname, m, _, _ in encoder_block(enc, named["x"], named["output"],
                                                            bundle["lm"], bundle["tokens"])}
        name = case["name"]
        for ln, src in (("1", "residual1"), ("2", "residual2")):
            z = (out["norm" + ln] - enc["ln%s_beta" % ln]) / enc["ln%s_gamma" % ln]
            var = np.var(out[src], axis=1)
            if np.abs(z.mean(axis=1)).max() > 1e-12 or \
                    np.abs((z ** 2).mean(axis=1) - var / (var + enc["norm_eps"])).max() > 1e-12:
                problems.append("%s: norm%s is not a LayerNorm of %s" % (name, ln, src))
        pre = out["norm1"] @ enc["w_ff1"] + enc["b_ff1"]
        h = out["ffn_hidden"]
        if enc["activation"] == "relu":
            ok = (h >= 0).all() and np.array_equal(h[pre > 0], pre[pre > 0])
        else:
            ok = ((h <= np.maximum(pre, 0) + 1e-15).all() and (h >= np.minimum(pre, 0) - 1e-15)[pre >= 0].all()
                  and (h >= -0.17).all())
        if not ok:
            problems.append("%s: ffn_hidden is not %s of norm1 W_ff1 + b_ff1" % (name, enc["activation"]))
        if bundle["lm"] is not None:
            problems += cross_check_lm(name, bundle, out)
            continue
        p, z = out["probabilities"][0], out["logits"][0]
        if abs(p.sum() - 1) > 1e-14 or np.abs(np.log(p / p[0]) - (z - z[0])).max() > 1e-12:
            problems.append("%s: probabilities are not softmax(logits)" % name)
        if not np.allclose(out["pooled"][0], out["norm2"].sum(axis=0) / len(tokens), rtol=1e-13, atol=1e-15):
            problems.append("%s: pooled is not the mean of norm2's rows" % name)
    return problems


def cross_check_lm(name, bundle, out):
    """A language model's head (a self-test): each position's logits, summed
    element by element in a plain loop, agree with the matrix product; the
    next-token probabilities sum to 1, their log-ratios are the last logits'
    differences, they come most likely first, equal ones in vocabulary order;
    and the causal mask holds: the last position's logits do not change when a
    token is appended (recomputed on the sentence plus <eos>), except for the
    new position."""
    problems = []
    lm, vocab = bundle["lm"], bundle["tokens"]
    norm2, logits = out["norm2"], out["lm_logits"]
    n, d = norm2.shape
    for p in range(n):
        for v in range(len(vocab)):
            s = lm["b_lm"][v]
            for k in range(d):
                s += norm2[p, k] * lm["w_lm"][k, v]
            if abs(s - logits[p, v]) > 1e-12 * max(1.0, abs(s)):
                problems.append("%s: lm_logits[%d,%s] is not norm2·W_lm + b_lm" % (name, p, vocab[v]))
    ranked = next_token(logits, vocab)
    probs = np.array([q for _, q in ranked])
    index = {t: i for i, t in enumerate(vocab)}
    z = logits[-1]
    if abs(probs.sum() - 1) > 1e-14:
        problems.append("%s: next-token probabilities do not sum to 1" % name)
    for (t, q), (t2, q2) in zip(ranked, ranked[1:]):
        if q2 > q or (q2 == q and index[t2] < index[t]):
            problems.append("%s: next_token order: %s before %s" % (name, t, t2))
    for t, q in ranked:
        if abs(math.log(q / ranked[0][1]) - (z[index[t]] - z[index[ranked[0][0]]])) > 1e-12:
            problems.append("%s: P(%s) is not softmax of the last logits" % (name, t))
    return problems


# Encodings worked out by hand from the rules (not by running encode), as a
# self-test of bpe_word/encode: (merges in rank order, word, expected pieces).
HAND_WORDS = (
    ((), "abc", ["a", "b", "c"]),                        # no merge: one piece per code point
    ((("a", "a"),), "aaa", ["aa", "a"]),                 # left to right, no overlap
    ((("a", "a"),), "aaaa", ["aa", "aa"]),               # every occurrence in one step
    ((("a", "a"), ("aa", "a")), "aaa", ["aaa"]),
    ((("b", "c"), ("a", "b")), "abc", ["a", "bc"]),      # lower rank first blocks (a,b)
    ((("a", "b"), ("b", "c")), "abc", ["ab", "c"]),
    ((("ab", "c"), ("a", "b")), "abc", ["abc"]),         # a pair made later can have a lower rank
    ((("a", "b"), ("c", "d"), ("ab", "cd")), "abcd", ["abcd"]),
    ((("가", "나"),), "가나다가나", ["가나", "다", "가나"]),    # Hangul syllables are single symbols
    ((("e", "\u0301"),), "e\u0301\u00e9", ["e\u0301", "\u00e9"]),  # code points, not bytes or graphemes
)

# The korean-bpe fixture's sentences, cut by hand from its tokenizer.csv
# (tests/data/make_fixtures.py, BPE_MERGES): (token text, word index); a text
# in UNK is a piece that is not in its vocab.csv (the <unk> row, text kept).
HAND_SENTENCES = (
    ("하하하 영화가 좋아요 ! 하지만 나는 그 책을 좋아하지도 않았다 .",
     [("하하", 0), ("##하", 0), ("영화가", 1), ("좋아요", 2), ("!", 3), ("하지", 4), ("##만", 4),
      ("나는", 5), ("그", 6), ("책", 7), ("##을", 7), ("좋아", 8), ("##하지", 8), ("##도", 8),
      ("않", 9), ("##았다", 9), (".", 10)]),
    ("나는 그 영화를 좋아하지 않았어 .",
     [("나는", 0), ("그", 1), ("영화", 2), ("##를", 2), ("좋아", 3), ("##하지", 3),
      ("않았", 4), ("##어", 4), (".", 5)]),
    ("The Movies weren't good!",
     [("the", 0), ("movie", 1), ("##s", 1), ("were", 2), ("##n", 2), ("'", 3), ("t", 4),
      ("g", 5), ("##oo", 5), ("##d", 5), ("!", 6)]),
)
HAND_UNK = ("그", "##n")


def cross_check_tokenizer():
    """Self-tests of the tokenizer (cheap; no golden file involved).

    - bpe_word against the hand-worked HAND_WORDS;
    - the korean-bpe sentences against HAND_SENTENCES (pieces, word indices, <unk>);
    - for every case: the pieces of each word, without their `##`, spell the
      word; only the first piece of a word lacks `##`; word indices run
      0, 1, ... without gaps; no adjacent pair left in a word is a merge;
    - a bundle without tokenizer.csv: exactly the word tokenizer's tokens, word = position."""
    problems = []
    for merge_list, word, want in HAND_WORDS:
        got = bpe_word(word, {pair: rank for rank, pair in enumerate(merge_list)})
        if got != want:
            problems.append("bpe_word(%r, %r) = %r, worked by hand: %r" % (word, merge_list, got, want))

    bpe = load_bundle(os.path.join(ROOT, "tests", "data", "bundles", "korean-bpe"))
    for sentence, want in HAND_SENTENCES:
        tokens, ids, words, _ = embed(bpe, sentence)
        if list(zip(tokens, words)) != want:
            problems.append("korean-bpe %r: %r, worked by hand: %r" % (sentence, list(zip(tokens, words)), want))
        unk = bpe["tokens"].index("<unk>")
        for t, i in zip(tokens, ids):
            if (i == unk) != (t in HAND_UNK):
                problems.append("korean-bpe %r: %r should%s be <unk>" % (sentence, t, "" if t in HAND_UNK else " not"))

    for case in read_cases():
        bundle = load_bundle(os.path.join(ROOT, case["bundle"]))
        tokens, _, words, _ = embed(bundle, case["sentence"])
        split = tokenize(case["sentence"], bundle["lowercase"])
        name = case["name"]
        if bundle["merges"] is None:
            if tokens != split or words != list(range(len(split))):
                problems.append("%s: without tokenizer.csv the tokens must be the words" % name)
            continue
        if sorted(set(words)) != list(range(len(split))) or words != sorted(words):
            problems.append("%s: word indices %r" % (name, words))
            continue
        for w, word in enumerate(split):
            pieces = [t for t, k in zip(tokens, words) if k == w]
            bare = [p[2:] if j else p for j, p in enumerate(pieces)]
            if "".join(bare) != word or any(p.startswith("##") for p in pieces[:1]) \
                    or not all(p.startswith("##") for p in pieces[1:]):
                problems.append("%s: word %r cut as %r" % (name, word, pieces))
            left = [pair for pair in zip(bare, bare[1:]) if pair in bundle["merges"]]
            if left:
                problems.append("%s: word %r: merges left unapplied: %r" % (name, word, left))
    return problems


def cross_check_prefix():
    """The causal mask, checked from outside (a self-test): for every language
    model case, the matrices of the sentence are exactly the first rows of
    those of the sentence followed by one more token (<eos>): no position saw
    a later one."""
    problems = []
    for case in read_cases():
        bundle = load_bundle(os.path.join(ROOT, case["bundle"]))
        if bundle["lm"] is None:
            continue
        def run(sentence):
            tokens, _, _, mats = attention(bundle, sentence, True)
            named = {fname: m for fname, m, _ in mats}
            enc = encoder_block(bundle["encoder"], named["x"], named["output"], bundle["lm"], bundle["tokens"])
            return len(tokens), {fname: m for fname, m, _, _ in enc}
        n, short = run(case["sentence"])
        _, longer = run(case["sentence"] + " <eos>")  # punctuation splits it, still one more position at least
        for fname, m in short.items():
            if not np.allclose(m, longer[fname][:n], rtol=1e-12, atol=1e-14):
                problems.append("%s: %s changes when a later token is added" % (case["name"], fname))
    return problems


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
        problems += cross_check_tokenizer()
        problems += cross_check_influence()
        problems += cross_check_encoder()
        problems += cross_check_prefix()
        problems += check_generated()
        problems += check_lm_loss()
        for p in problems:
            print(p)
        print("golden files are %s" % ("STALE (run reference.py to regenerate)" if problems else "current"))
        return 1 if problems else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------ generation (bundle task,lm)
# DESIGN.md "Language models": `--generate N [--temperature T] [--top-k K]
# [--seed S]`.  This part has its own reader for an lm bundle and recomputes
# the whole causal forward pass for every generated token (no cache), so it
# checks the C program's incremental decoding from outside.  Its cases are
# tests/golden/generate.csv (name,bundle,generate,temperature,top_k,seed,
# sentence; top_k 0 = every token) and its goldens tests/golden/generated/
# <name>.csv, in the format of the export's generated.csv.
#
# The rules written down for the C program (issue 12, decode.h):
# - the next token comes from the logits of the last position;
# - T = 0: greedy, the largest logit, the lowest vocabulary row among equals;
# - T > 0: top-k keeps the k largest logits (equal logits: the lower row
#   first), then p_i = exp((logit_i - max) / T) / sum over the kept tokens;
#   one draw u per step from splitmix64 started at the seed (the top 53 bits
#   of each output / 2^53), and the first token in vocabulary order whose
#   running total of p passes u (cumulative > u) is chosen;
# - generated.csv's probability is softmax(logits) at T = 1 over every token;
# - generation stops after <eos> (it is written), or after N tokens.
GENERATE_CSV = os.path.join(GOLDEN, "generate.csv")
GENERATE_DIR = os.path.join(GOLDEN, "generated")
LM_BLOCK = ("ln1_gamma", "ln1_beta", "w_ff1", "b_ff1", "w_ff2", "b_ff2", "ln2_gamma", "ln2_beta")
MASK64 = (1 << 64) - 1


def load_lm(bundle_dir):
    """An lm bundle: attention, the encoder block without a classifier, w_lm, b_lm."""
    config = {row[0]: row[1] for row in read_rows(os.path.join(bundle_dir, "config.csv"))[1:]}
    assert config.get("task") == "lm", "%s is not an lm bundle" % bundle_dir
    d, h = int(config["d_model"]), int(config["n_heads"])
    vocab_rows = read_rows(os.path.join(bundle_dir, "vocab.csv"))[1:]
    tokens = [row[0] for row in vocab_rows]
    lm = {"tokens": tokens, "E": np.array([[float(x) for x in row[1:]] for row in vocab_rows]),
          "d_model": d, "n_heads": h, "positional": config.get("positional", "sinusoidal"),
          "lowercase": config.get("lowercase", "1") == "1", "merges": load_merges(bundle_dir, tokens),
          "activation": config.get("activation", "relu"), "eps": float(config.get("norm_eps", "1e-5")),
          "eos": tokens.index("<eos>")}
    opt = lambda name, n: (read_matrix(os.path.join(bundle_dir, name + ".csv")).reshape(n)
                           if os.path.exists(os.path.join(bundle_dir, name + ".csv")) else np.zeros(n))
    for m in ("q", "k", "v", "o"):
        lm["W_" + m] = read_matrix(os.path.join(bundle_dir, "w_%s.csv" % m))
        lm["b_" + m] = opt("b_" + m, d)
    for name in LM_BLOCK:
        m = read_matrix(os.path.join(bundle_dir, name + ".csv"))
        lm[name] = m.reshape(-1) if m.shape[0] == 1 else m
    lm["w_lm"] = read_matrix(os.path.join(bundle_dir, "w_lm.csv"))
    assert lm["w_lm"].shape == (d, len(tokens))
    lm["b_lm"] = opt("b_lm", len(tokens))
    return lm


def lm_logits(lm, ids):
    """The whole causal forward pass on ids; logits of every position (N x V)."""
    n, d, H = len(ids), lm["d_model"], lm["n_heads"]
    dk = d // H
    x = lm["E"][ids] + positional(lm, n)
    q, k, v = (x @ lm["W_" + m] + lm["b_" + m] for m in ("q", "k", "v"))
    concat = np.zeros((n, d))
    for hd in range(H):
        c = slice(hd * dk, (hd + 1) * dk)
        s = q[:, c] @ k[:, c].T / math.sqrt(dk)
        s[np.triu_indices(n, 1)] = -np.inf
        concat[:, c] = softmax_rows(s) @ v[:, c]
    norm1 = layer_norm(x + concat @ lm["W_o"] + lm["b_o"], lm["ln1_gamma"], lm["ln1_beta"], lm["eps"])
    act = gelu if lm["activation"] == "gelu" else relu
    ffn = act(norm1 @ lm["w_ff1"] + lm["b_ff1"]) @ lm["w_ff2"] + lm["b_ff2"]
    norm2 = layer_norm(norm1 + ffn, lm["ln2_gamma"], lm["ln2_beta"], lm["eps"])
    return norm2 @ lm["w_lm"] + lm["b_lm"]


def splitmix64(state):
    """(next output, next state) of splitmix64."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31), state


def choose_next(logits, temperature, top_k, u):
    """The token chosen from one row of logits (u unused when greedy)."""
    if temperature == 0:
        return int(np.argmax(logits))  # numpy's argmax: the first of equal maxima
    order = sorted(range(len(logits)), key=lambda i: (-logits[i], i))
    keep = order[:top_k] if top_k else order
    p = np.zeros(len(logits))
    top = max(logits[i] for i in keep)
    for i in keep:
        p[i] = math.exp((logits[i] - top) / temperature)
    p /= p.sum()
    total = 0.0
    for i in range(len(p)):
        if p[i] > 0:
            total += p[i]
            if total > u:
                return i
    return max(i for i in range(len(p)) if p[i] > 0)


def generate(lm, sentence, n, temperature, top_k, seed):
    """[(token, probability at T = 1)] of up to n generated tokens."""
    _, ids, _, _ = embed(lm, sentence)
    state, out = seed & MASK64, []
    for _ in range(n):
        logits = lm_logits(lm, ids)[-1]
        u = None
        if temperature > 0:
            z, state = splitmix64(state)
            u = (z >> 11) / 2.0 ** 53
        tok = choose_next(logits, temperature, top_k, u)
        p = np.exp(logits - logits.max())
        out.append((lm["tokens"][tok], float(p[tok] / p.sum())))
        ids = ids + [tok]
        if tok == lm["eos"]:
            break
    return out


def read_generate_cases():
    if not os.path.exists(GENERATE_CSV):
        return []
    with open(GENERATE_CSV, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_generated(folder):
    os.makedirs(folder, exist_ok=True)
    for case in read_generate_cases():
        lm = load_lm(os.path.join(ROOT, case["bundle"]))
        steps = generate(lm, case["sentence"], int(case["generate"]), float(case["temperature"]),
                         int(case["top_k"]), int(case["seed"]))
        write_csv(os.path.join(folder, case["name"] + ".csv"),
                  [["step", "token", "probability"]] + [[str(i + 1), t, repr(p)] for i, (t, p) in enumerate(steps)])


def check_generated():
    """The committed generation goldens against a fresh run, and self-tests of the rules."""
    problems = []
    z, _ = splitmix64(0)
    if z != 0xE220A8397B1DCDAF:  # splitmix64's published first output from 0
        problems.append("splitmix64(0) = %#x" % z)
    row = np.array([1.0, 3.0, -2.0, 3.0, 0.5, 2.0])
    if choose_next(row, 0, 0, None) != 1 or choose_next(row, 1.0, 1, 0.999) != 1 \
            or choose_next(row, 1.0, 3, 0.0) != 1 or choose_next(row, 1.0, 3, 0.99) != 5:
        problems.append("choose_next breaks its tie or top-k rule")
    tmp = tempfile.mkdtemp(prefix="attnstep-generated-")
    try:
        write_generated(tmp)
        fresh = sorted(os.listdir(tmp))
        committed = sorted(os.listdir(GENERATE_DIR)) if os.path.isdir(GENERATE_DIR) else []
        for name in sorted(set(fresh) ^ set(committed)):
            problems.append("generated/%s: %s" % (name, "missing from committed goldens" if name in fresh
                                                 else "committed but no longer generated"))
        for name in sorted(set(fresh) & set(committed)):
            with open(os.path.join(tmp, name), encoding="utf-8", newline="") as f:
                new = list(csv.reader(f))
            with open(os.path.join(GENERATE_DIR, name), encoding="utf-8", newline="") as f:
                old = list(csv.reader(f))
            if len(new) != len(old) or any(a[:2] != b[:2] or (r and differs(a[2], b[2]))
                                           for r, (a, b) in enumerate(zip(new, old))):
                problems.append("generated/%s differs from a fresh run" % name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return problems


# ------------------------------------------------------------ the lm training loss
# `attnstep train --task lm` (issue 12): a sentence's tokens are the input, and
# position p is trained to predict token p + 1, the last position `<eos>`; the
# loss of a sentence is the mean over its positions of -ln softmax(logits[p])
# [target].  tests/golden/lm_loss.csv (name,bundle,sentence,positions,loss)
# holds that loss for a few sentences, computed here from lm_logits above (no
# training code involved); the C unit test (tests/unit/test_train.c) checks
# the trainer's loss against it.
LM_LOSS_CSV = os.path.join(GOLDEN, "lm_loss.csv")
LM_LOSS_CASES = (
    ("lm_crlf", "tests/data/bundles/lm-crlf", "The cat sat on a mat ."),
    ("lm_crlf_unknown", "tests/data/bundles/lm-crlf", "a big zebra ran"),   # zebra: <unk>
    ("lm_korean", "tests/data/bundles/lm-korean", "나는 오늘 학교에 간다 ."),
)


def lm_loss(lm, sentence):
    """(positions, mean -ln P(next token)) of one sentence, targets ids[1:] + <eos>."""
    _, ids, _, _ = embed(lm, sentence)
    z = lm_logits(lm, ids)
    targets = ids[1:] + [lm["eos"]]
    top = z.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
    return len(ids), float(np.mean(lse - z[np.arange(len(ids)), targets]))


def lm_loss_rows():
    rows = [["name", "bundle", "sentence", "positions", "loss"]]
    for name, bundle, sentence in LM_LOSS_CASES:
        n, loss = lm_loss(load_lm(os.path.join(ROOT, bundle)), sentence)
        rows.append([name, bundle, sentence, str(n), repr(loss)])
    return rows


def check_lm_loss():
    if not os.path.exists(LM_LOSS_CSV):
        return ["lm_loss.csv: missing from committed goldens"]
    with open(LM_LOSS_CSV, encoding="utf-8", newline="") as f:
        old = list(csv.reader(f))
    new = lm_loss_rows()
    if len(old) != len(new) or any(a[:4] != b[:4] or (r and differs(a[4], b[4]))
                                   for r, (a, b) in enumerate(zip(new, old))):
        return ["lm_loss.csv differs from a fresh run"]
    return []


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    elif sys.argv[1:]:
        sys.exit(__doc__)
    write_all(CASES_DIR)
    print("wrote %s" % os.path.relpath(CASES_DIR, ROOT))
    write_generated(GENERATE_DIR)
    print("wrote %s" % os.path.relpath(GENERATE_DIR, ROOT))
    write_csv(LM_LOSS_CSV, lm_loss_rows())
    print("wrote %s" % os.path.relpath(LM_LOSS_CSV, ROOT))
