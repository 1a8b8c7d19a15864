#!/usr/bin/python3
"""Training speed: `attnstep train --bench` against PyTorch, the same model, data and epochs.

PyTorch trains the architecture of `attnstep train` the way one would write it in PyTorch: padded
mini-batches of 16 with a key padding mask and a masked mean pooling, one thread (attnstep uses one),
float32 by default (--dtype float64 computes in double precision, as attnstep does). The model is built
twice: by hand from nn.Linear and nn.LayerNorm ("hand"), and with nn.TransformerEncoderLayer ("layer",
post-norm, no dropout); the faster of the two is compared with attnstep. Both are the same function:

    x = embedding + sinusoidal positions      (PE[p,2i] = sin(p/10000^(2i/d)), PE[p,2i+1] = cos(...))
    q, k, v = x·W_Q + b_Q, ...; per head: softmax(q·kᵀ/√d_k) · v; concatenated, ·W_O + b_O
    n1 = LayerNorm(x + attention);  n2 = LayerNorm(n1 + relu(n1·W_ff1 + b_ff1)·W_ff2 + b_ff2)
    logits = mean of n2's rows · W_cls + b_cls; cross-entropy; Adam(lr 0.005, 0.9, 0.999, 1e-8)

PyTorch multiplies through OpenBLAS (Debian's libopenblas0-pthread) when it is installed, on one thread
(--torch-blas system: whatever libblas.so.3 is; Debian's default is the slow reference BLAS).

The initial weights follow attnstep's ranges (embeddings uniform in [-1, 1], projections within
±√(3/d_model), feed-forward and classifier Xavier-uniform, biases 0, γ = 1, β = 0). Only the training
steps are timed (forward, backward, Adam), as `attnstep train --bench` reports them. Each of the three
runs --repeat times, interleaved, and the best rate counts: other work on the machine only ever slows a
run down. Accuracy is measured afterwards, untimed, to show that the PyTorch model learned the task
too. Before timing, the bundled tiny-en is loaded into both PyTorch models and their probabilities on a padded batch are
compared with `attnstep --export`: the script stops if they are not the same function.

Three cases, in one run: d16 (attnstep's default sizes: d_model 16, 2 heads, d_ff 32), d64 (d_model 64,
4 heads, d_ff 128), both on the training sentences, and long200: the default sizes on sentences of exactly
200 tokens. Those are made deterministically from the same data: each class's training sentences, in file
order, are joined into one stream of tokens and cut into pieces of 200 tokens (the rest dropped), each
labelled with the class all of its sentences share (a 200-token review of one sentiment: mean pooling can
learn it). The test set is made the same way from the test sentences. Both sides get the same tokens:
attnstep trains with --tokenizer word, whose tokens are this script's (--tokenizer bpe gives attnstep its
default subword pieces instead, about 1.5 times as many tokens per sentence as PyTorch's words).

--summary FILE writes the rates as CSV (case,attnstep_per_s,torch_per_s: training sentences per second, the
best of --repeat runs; torch the faster of its two models), for bench/performance.py.

Run from the source tree after building:
    /usr/bin/python3 bench/torch_compare.py [--cases d16,d64,long200] [--summary FILE]
Needs Debian's python3-torch (apt-get install python3-torch); exits 77 with a message without it.
"""
import argparse
import csv
import math
import os
import platform
import re
import string
import subprocess
import sys
import tempfile
import time

# One thread on both sides: OpenBLAS (PyTorch's BLAS, below) reads these before it starts.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Debian's PyTorch multiplies float32 matrices through libblas.so.3, which is the slow reference BLAS unless
# an optimised one is chosen (update-alternatives); its users would choose OpenBLAS. With --torch-blas openblas
# (the default) and Debian's OpenBLAS installed, the script runs itself again with OpenBLAS's libblas.so.3 first
# in the library path.
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("torch_compare: skipped: PyTorch is not installed for %s "
          "(Debian: apt-get install python3-torch, then run it with /usr/bin/python3)" % sys.executable)
    sys.exit(77)

UPPER_TO_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def tokenize(sentence):
    """attnstep's tokenizer: whitespace, ASCII A-Z lowercased, each ASCII punctuation char a token."""
    tokens = []
    for word in sentence.split():
        tokens += [t for t in re.split("([%s])" % re.escape(string.punctuation),
                                       word.translate(UPPER_TO_LOWER)) if t]
    return tokens


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["text", "label"], "%s: the header must be text,label" % path
    return [(tokenize(text), label) for text, label in rows[1:]]


def encode(rows, vocab, classes, pad):
    """Padded (n, L) ids, (n, L) mask (True = a real token) and (n) labels."""
    L = max(len(toks) for toks, _ in rows)
    ids = torch.full((len(rows), L), pad, dtype=torch.long)
    for i, (toks, _) in enumerate(rows):
        ids[i, :len(toks)] = torch.tensor([vocab.get(t, vocab["<unk>"]) for t in toks])
    labels = torch.tensor([classes.index(label) for _, label in rows])
    return ids, ids != pad, labels


def positions(L, D):
    p = torch.arange(L, dtype=torch.float64)[:, None]
    two_i = (torch.arange(D) - torch.arange(D) % 2).to(torch.float64)
    angle = p / torch.pow(10000.0, two_i / D)
    return torch.where(torch.arange(D) % 2 == 0, torch.sin(angle), torch.cos(angle))


class Classifier(nn.Module):
    def __init__(self, V, D, H, Fw, C, L, kind):
        super().__init__()
        self.H, self.kind = H, kind
        self.embed = nn.Embedding(V + 1, D, padding_idx=V)  # the last row pads
        self.register_buffer("pe", positions(L, D).float())
        if kind == "layer":
            self.block = nn.TransformerEncoderLayer(D, H, Fw, dropout=0.0, activation="relu",
                                                    batch_first=True, norm_first=False, layer_norm_eps=1e-5)
            attn, ff1, ff2 = self.block.self_attn, self.block.linear1, self.block.linear2
            projections = [attn.in_proj_weight[i * D:(i + 1) * D] for i in range(3)] + [attn.out_proj.weight]
            biases = [attn.in_proj_bias, attn.out_proj.bias]
        else:
            self.qkv = nn.Linear(D, 3 * D)  # W_Q, W_K, W_V side by side: one matrix product
            self.wo = nn.Linear(D, D)
            self.ln1, self.ln2 = nn.LayerNorm(D, eps=1e-5), nn.LayerNorm(D, eps=1e-5)
            self.ff1, self.ff2 = nn.Linear(D, Fw), nn.Linear(Fw, D)
            ff1, ff2 = self.ff1, self.ff2
            projections = [self.qkv.weight[i * D:(i + 1) * D] for i in range(3)] + [self.wo.weight]
            biases = [self.qkv.bias, self.wo.bias]
        self.cls = nn.Linear(D, C)
        with torch.no_grad():  # attnstep's initial ranges
            nn.init.uniform_(self.embed.weight, -1.0, 1.0)
            for w in projections:
                nn.init.uniform_(w, -math.sqrt(3.0 / D), math.sqrt(3.0 / D))
            for lin in (ff1, ff2, self.cls):
                nn.init.xavier_uniform_(lin.weight)
                nn.init.zeros_(lin.bias)
            for b in biases:
                nn.init.zeros_(b)

    def forward(self, ids, mask):
        B, L = ids.shape
        x = self.embed(ids) + self.pe[:L]
        if self.kind == "layer":
            n2 = self.block(x, src_key_padding_mask=~mask)
        else:
            D = x.shape[-1]
            q, k, v = self.qkv(x).view(B, L, 3, self.H, D // self.H).permute(2, 0, 3, 1, 4)  # (B, H, L, DK)
            scores = q @ k.transpose(-1, -2) / math.sqrt(D // self.H)
            weights = scores.masked_fill(~mask[:, None, None, :], float("-inf")).softmax(-1)
            heads = (weights @ v).transpose(1, 2).reshape(B, L, D)
            n1 = self.ln1(x + self.wo(heads))
            n2 = self.ln2(n1 + self.ff2(F.relu(self.ff1(n1))))
        m = mask[..., None].to(n2.dtype)
        return self.cls((n2 * m).sum(1) / m.sum(1))  # the mean of the real tokens' rows


def read_numbers(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return torch.tensor([[float(v) for v in row] for row in csv.reader(f) if row], dtype=torch.float64)


def check_same_function(args, kind):
    """Loads the bundled tiny-en into the PyTorch model and compares its probabilities, on a padded batch of
    two sentences (attnstep's tokens, from its export), with what `attnstep --export` writes: the largest
    difference."""
    bundle = os.path.join(args.root, "assets", "models", "tiny-en")
    with open(os.path.join(bundle, "config.csv"), newline="", encoding="utf-8-sig") as f:
        config = dict(list(csv.reader(f))[1:])
    with open(os.path.join(bundle, "vocab.csv"), newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))[1:]
    vocab = {r[0]: i for i, r in enumerate(rows)}
    embed = torch.tensor([[float(v) for v in r[1:]] for r in rows], dtype=torch.float64)
    D, H, Fw = int(config["d_model"]), int(config["n_heads"]), int(config["d_ff"])
    C = len(config["labels"].split(";"))
    sentences = ["the movie was not good", "i did not think the ending of the film was bad at all"]
    theirs = []
    rows = []
    for i, s in enumerate(sentences):  # attnstep's tokens (tiny-en cuts words into pieces) and probabilities
        out = os.path.join(args.tmp, "export-%d" % i)
        subprocess.run([args.attnstep, "--model", bundle, "--export", out, "--force", "--", *s.split()],
                       check=True, capture_output=True)
        with open(os.path.join(out, "tokens.csv"), newline="", encoding="utf-8") as f:
            rows.append(([r[1] for r in list(csv.reader(f))[1:]], config["labels"].split(";")[0]))
        with open(os.path.join(out, "probabilities.csv"), newline="") as f:
            theirs.append(torch.tensor([float(v) for v in list(csv.reader(f))[1][1:]], dtype=torch.float64))
    ids, mask, _ = encode(rows, vocab, config["labels"].split(";"), len(vocab))
    model = Classifier(len(vocab), D, H, Fw, C, ids.shape[1], kind).double()
    w = {name: read_numbers(os.path.join(bundle, name + ".csv")) for name in
         ["w_q", "w_k", "w_v", "w_o", "b_q", "b_k", "b_v", "b_o", "ln1_gamma", "ln1_beta", "w_ff1", "b_ff1",
          "w_ff2", "b_ff2", "ln2_gamma", "ln2_beta", "w_cls", "b_cls"]}
    if kind == "layer":
        attn, blk = model.block.self_attn, model.block
        mods = {"qkv_w": attn.in_proj_weight, "qkv_b": attn.in_proj_bias, "wo": attn.out_proj, "ln1": blk.norm1,
                "ln2": blk.norm2, "ff1": blk.linear1, "ff2": blk.linear2}
    else:
        mods = {"qkv_w": model.qkv.weight, "qkv_b": model.qkv.bias, "wo": model.wo, "ln1": model.ln1,
                "ln2": model.ln2, "ff1": model.ff1, "ff2": model.ff2}
    with torch.no_grad():  # attnstep multiplies row vectors, x·W: nn.Linear holds Wᵀ
        model.embed.weight[:len(vocab)] = embed
        mods["qkv_w"].copy_(torch.cat([w["w_q"].T, w["w_k"].T, w["w_v"].T]))
        mods["qkv_b"].copy_(torch.cat([w["b_q"][0], w["b_k"][0], w["b_v"][0]]))
        for mod, name in ((mods["wo"], "o"), (mods["ff1"], "ff1"), (mods["ff2"], "ff2"), (model.cls, "cls")):
            mod.weight.copy_(w["w_" + name].T)
            mod.bias.copy_(w["b_" + name][0])
        for mod, name in ((mods["ln1"], "ln1"), (mods["ln2"], "ln2")):
            mod.weight.copy_(w[name + "_gamma"][0])
            mod.bias.copy_(w[name + "_beta"][0])
        probs = model(ids, mask).softmax(-1)
    return max((probs[i] - theirs[i]).abs().max().item() for i in range(len(sentences)))


def torch_rate(train, test, vocab, classes, args, D, H, Fw, kind):
    torch.manual_seed(args.seed)
    ids, mask, labels = encode(train, vocab, classes, len(vocab))
    model = Classifier(len(vocab), D, H, Fw, len(classes), ids.shape[1], kind).to(args.dtype)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    n = len(train)
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(n)
        for s in range(0, n, args.batch):
            b = order[s:s + args.batch]
            bm = mask[b]
            L = int(bm.sum(1).max())  # pad to the batch's longest sentence
            loss = F.cross_entropy(model(ids[b, :L], bm[:, :L]), labels[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    secs = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        acc = [(model(i, m).argmax(1) == y).double().mean().item()
               for i, m, y in (encode(rows, vocab, classes, len(vocab)) for rows in (train, test))]
    return n * args.epochs / secs, acc


def attnstep_rate(args, data, D, H, Fw):
    cmd = [args.attnstep, "train", data, "--bench", "--epochs", str(args.epochs), "--d-model", str(D),
           "--heads", str(H), "--d-ff", str(Fw), "--lr", str(args.lr), "--seed", str(args.seed),
           "--tokenizer", args.tokenizer]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(r"^(\d+) training sentences/s", out, re.M)
    if not m:
        sys.exit("torch_compare: cannot read the rate from %s:\n%s" % (" ".join(cmd), out))
    return float(m.group(1))


LONG = 200  # tokens per sentence in the long200 case


def long_rows(rows):
    """Each class's sentences, in order, joined into one token stream and cut into pieces of LONG tokens."""
    out = []
    for label in sorted({label for _, label in rows}):
        stream = [t for toks, lab in rows if lab == label for t in toks]
        out += [(stream[i:i + LONG], label) for i in range(0, len(stream) - LONG + 1, LONG)]
    return out


def write_rows(path, rows):
    """A text,label CSV whose text attnstep's tokenizer splits back into exactly these tokens."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "label"])
        for toks, label in rows:
            w.writerow([" ".join(toks), label])


# name: (d_model, heads, d_ff, long sentences?)
CASES = {"d16": (16, 2, 32, False), "d64": (64, 4, 128, False), "long200": (16, 2, 32, True)}


def blas_name():
    """The BLAS library PyTorch has loaded (after a matrix product), from /proc/self/maps."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    paths = sorted(os.path.realpath(p) for p in paths)
    return ", ".join(paths) if paths else "none loaded"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.machine()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--attnstep", default=os.path.join(root, "build", "attnstep"))
    ap.add_argument("--data", default=os.path.join(root, "assets", "data", "sentiment-en-train.csv"))
    ap.add_argument("--test", default=os.path.join(root, "assets", "data", "sentiment-en-test.csv"))
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--lr", type=float, default=0.005)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best rate counts (default 3)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--cases", default="d16,d64,long200",
                    help="comma-separated: d16, d64, long200 (see above), or d_model:heads:d_ff on the "
                    "training sentences (default: d16,d64,long200)")
    ap.add_argument("--tokenizer", choices=["word", "bpe"], default="word",
                    help="attnstep's tokenizer: word (PyTorch's tokens, the default) or bpe (its subword pieces)")
    ap.add_argument("--summary", metavar="FILE", help="also write case,attnstep_per_s,torch_per_s as CSV")
    ap.add_argument("--torch-blas", choices=["openblas", "system"], default="openblas",
                    help="PyTorch's BLAS: Debian's OpenBLAS when installed (the default), or the system's "
                    "libblas.so.3 as update-alternatives chose it")
    args = ap.parse_args()
    if (args.torch_blas == "openblas" and os.path.exists(os.path.join(OPENBLAS_DIR, "libblas.so.3"))
            and not os.environ.get("TORCH_COMPARE_BLAS")):
        env = dict(os.environ, TORCH_COMPARE_BLAS="1",
                   LD_LIBRARY_PATH=":".join(p for p in (OPENBLAS_DIR, os.environ.get("LD_LIBRARY_PATH")) if p))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    args.dtype = getattr(torch, args.dtype)
    if not os.access(args.attnstep, os.X_OK):
        sys.exit("torch_compare: %s is not there: build first (meson setup build && meson compile -C build)"
                 % args.attnstep)
    torch.set_num_threads(1)  # attnstep trains on one thread
    torch.set_num_interop_threads(1)
    args.root = root
    with tempfile.TemporaryDirectory(prefix="torch-compare-") as args.tmp:
        differences = [check_same_function(args, kind) for kind in ("hand", "layer")]
    if max(differences) > 1e-6:
        sys.exit("torch_compare: the PyTorch model is not attnstep's: on tiny-en the probabilities differ by "
                 "%.3g (hand), %.3g (layer)" % tuple(differences))

    cases = []
    for name in args.cases.split(","):
        if name in CASES:
            cases.append((name,) + CASES[name])
        elif re.fullmatch(r"\d+:\d+:\d+", name):
            cases.append((name,) + tuple(int(v) for v in name.split(":")) + (False,))
        else:
            sys.exit("torch_compare: unknown case %s (d16, d64, long200 or d_model:heads:d_ff)" % name)
    train, test = read_csv(args.data), read_csv(args.test)
    print("attnstep train --bench against PyTorch %s (%s, 1 thread, padded batches of %d)" %
          (torch.__version__, str(args.dtype).replace("torch.", ""), args.batch))
    print("%s, %d CPUs, load average %.2f (other work on the machine slows both)" %
          (cpu_name(), os.cpu_count(), os.getloadavg()[0]))
    blas = blas_name()
    print("PyTorch's BLAS: %s%s" % (blas, "" if "openblas" in blas else
                                    " (not OpenBLAS: PyTorch's float32 products are slow; apt-get install "
                                    "libopenblas0-pthread for the comparison its users would make)"))
    print("same function: tiny-en in PyTorch (float64, padded batch) gives attnstep's probabilities within "
          "%.1g (hand), %.1g (layer)" % tuple(differences))
    summary = []
    with tempfile.TemporaryDirectory(prefix="torch-compare-") as tmp:
        long_train = os.path.join(tmp, "long200-train.csv")
        long_test = os.path.join(tmp, "long200-test.csv")
        write_rows(long_train, long_rows(train))
        write_rows(long_test, long_rows(test))
        sets = {False: (args.data, args.test), True: (long_train, long_test)}
        for long in sorted({c[4] for c in cases}):
            rows = read_csv(sets[long][0])
            print("%s: %d sentences (mean %.1f tokens) x %d epochs; test %d sentences; attnstep --tokenizer %s" %
                  ("long200" if long else os.path.relpath(args.data), len(rows),
                   sum(len(t) for t, _ in rows) / len(rows), args.epochs, len(read_csv(sets[long][1])),
                   args.tokenizer))
        print("%-10s %-28s %10s %13s %13s %6s  %s" % ("case", "model", "attnstep/s", "torch hand/s",
                                                       "torch layer/s", "ratio",
                                                       "torch accuracy train/test: hand, layer"))
        for name, D, H, Fw, long in cases:
            data, test_path = sets[long]
            tr_rows, te_rows = read_csv(data), read_csv(test_path)
            words = sorted({t for toks, _ in tr_rows for t in toks})
            vocab = {t: i for i, t in enumerate(([] if "<unk>" in words else ["<unk>"]) + words)}
            classes = sorted({label for _, label in tr_rows})
            ours = hand = layer = 0.0
            for _ in range(args.repeat):  # interleaved, so that a busy moment slows all three alike
                ours = max(ours, attnstep_rate(args, data, D, H, Fw))
                rate, hand_acc = torch_rate(tr_rows, te_rows, vocab, classes, args, D, H, Fw, "hand")
                hand = max(hand, rate)
                rate, layer_acc = torch_rate(tr_rows, te_rows, vocab, classes, args, D, H, Fw, "layer")
                layer = max(layer, rate)
            print("%-10s %-28s %10.0f %13.0f %13.0f %5.1fx  %.0f%%/%.0f%%, %.0f%%/%.0f%%" %
                  (name, "d_model %d, %d heads, d_ff %d" % (D, H, Fw), ours, hand, layer, ours / max(hand, layer),
                   100 * hand_acc[0], 100 * hand_acc[1], 100 * layer_acc[0], 100 * layer_acc[1]), flush=True)
            summary.append((name, ours, max(hand, layer)))
    print("training sentences/s, the best of %d runs each; ratio = attnstep over the faster PyTorch model"
          % args.repeat)
    if args.summary:
        with open(args.summary, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["case", "attnstep_per_s", "torch_per_s"])
            for name, ours, theirs in summary:
                w.writerow([name, "%.0f" % ours, "%.0f" % theirs])


if __name__ == "__main__":
    main()
