#!/usr/bin/env python3
"""End-to-end tests of the attnstep command line (stdlib only, TAP output).

Usage: test_cli.py ATTNSTEP_BINARY SOURCE_ROOT BUILD_ROOT

What a person running attnstep sees: --help and --version, the plain-text
walk-through (no escape codes, Korean columns aligned), --print agreeing with
--export, the bundled model found from the build tree, after `meson install`
and through $ATTNSTEP_MODEL, and --init-model making reproducible models.
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, width

BIN, ROOT, BUILD = sys.argv[1], sys.argv[2], sys.argv[3]
TMP = tempfile.mkdtemp(prefix="attnstep-cli-")


def run(*args, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("ATTNSTEP_MODEL", None)
    if env:
        e.update(env)
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout, env=e)


def bundle(name):
    return os.path.join(ROOT, "tests", "data", "bundles", name)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def printed_blocks(text):
    """The matrices --print shows: each block follows a step line and a blank line."""
    lines = text.split("\n")
    blocks, i = [], 0
    while i < len(lines) - 1:
        if lines[i].startswith("  [") and lines[i + 1] == "" and i + 2 < len(lines) and lines[i + 2].strip():
            j = i + 2
            block = []
            while j < len(lines) and lines[j].strip():
                block.append(lines[j])
                j += 1
            blocks.append(block)
            i = j
        else:
            i += 1
    return blocks


# --help, --version, usage errors
r = run("--help")
out = r.stdout.decode()
check("--help exits 0 and explains the usage", r.returncode == 0 and "Usage: attnstep" in out
      and "--export DIR" in out and "--granularity" in out and "--init-model" in out, out[:300])


def source_options(path):
    """The long options a parser in src/cli compares its arguments with."""
    with open(os.path.join(ROOT, "src", "cli", path), encoding="utf-8") as f:
        return sorted(set(re.findall(r'"(--[a-z][a-z-]*)"', f.read())) - {"--"})


def section(text, title):
    """The lines of text after the line `title` up to the next blank line."""
    lines = text.split("\n")
    start = lines.index(title) + 1 if title in lines else len(lines)
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


keys = ["→", "l", "space", "←", "h", "Backspace", "]", "[", "Home", "g", "End", "G", "Tab", "v", "R", "n",
        "N", "r", "1-9", "0", "m", "p", "+", "-", "s", "↑", "↓", "<", ">", "click", "?", "Esc", "q"]
key_column = {k for line in section(out, "Keys:") for k in line[:19].replace(",", " ").split()}
check("--help lists every key in its Keys section, R included",
      not [k for k in keys if k not in key_column], [k for k in keys if k not in key_column], key_column)
views = section(out, "Views (v goes to the next one):")
check("--help names the six views, the training view with R, and which ones v skips",
      [v.split()[0] for v in views if v.startswith("  ") and not v.startswith("   ")]
      == ["pipeline", "heatmap", "compare", "training", "generate", "transfer"]
      and "R retrains" in " ".join(views) and "v skips a view that does not apply" in " ".join(views), views)
gen_keys = {line[:19].split()[0] for line in section(out, "Generation view (language models; --generate N starts there):")
            if line.startswith("  ") and line[2] != " "}
check("--help lists the generation view's keys", gen_keys == {"Enter", "←", "t", "k", "c"}, gen_keys)
missing = [o for o in source_options("options.c") if o not in out]
check("--help mentions the train subcommand and every option the parser knows",
      "attnstep train DATA.csv --out DIR" in out and "attnstep train --help" in out and not missing, missing)
too_wide = [line for line in out.split("\n") if width(line) > 79]
check("--help fits 79 columns", not too_wide, too_wide)
r = run("train", "--help")
train_out = r.stdout.decode()
missing = [o for o in source_options("train_cmd.c") if o not in train_out]
check("train --help lists every train option, the training view and R",
      r.returncode == 0 and not missing and "training view" in train_out and "R retrains" in train_out
      and not [line for line in train_out.split("\n") if width(line) > 79], missing, train_out[-600:])
with open(os.path.join(ROOT, "attnstep.1"), encoding="utf-8") as f:
    man = f.read().replace("\\-", "-")
missing = [o for o in source_options("options.c") + source_options("train_cmd.c") + ["pipeline", "heatmap",
           "compare", "training", ".SH VIEWS", ".B attnstep train", "\n.B R\n"] if o not in man]
check("the man page documents every option of both parsers, train, the views and R", not missing, missing)
r = run("train", os.path.join(ROOT, "assets", "data", "sentiment-en-train.csv"), "--bench", "--epochs", "2")
rates = re.search(r"^(-?\d+) training sentences/s .*, (-?\d+) evaluated sentences/s", r.stdout.decode(), re.M)
check("train --bench times the training steps alone: both rates positive",
      r.returncode == 0 and rates and int(rates.group(1)) > 0 and int(rates.group(2)) > 0, r.stdout, r.stderr)

r = run("--version")
check("--version prints the version", r.returncode == 0 and r.stdout.decode().startswith("attnstep "), r.stdout)
r = run("--model")
check("a missing option value is a usage error (2)", r.returncode == 2 and b"needs a value" in r.stderr, r.stderr)

# the default walk-through, piped
r = run()
out = r.stdout.decode()
check("no arguments: the default model (tiny-en) and sentence, as plain text, ending on the prediction",
      r.returncode == 0 and "model     tiny-en:" in out and re.search(r"sentence  the mov.* not good  ", out)
      and "Stage 1/29 · Tokens" in out and "prediction: negative" in out, out[:400], r.stderr)
check("piped output has no escape codes", b"\x1b" not in r.stdout)
r2 = run("--causal")
check("--causal on a classifier attnstep trained (without the mask) says its prediction is not meaningful",
      r2.returncode == 0 and "trained without the mask: its prediction under the mask is not meaningful"
      in r2.stdout.decode() and "not meaningful" not in out, r2.stdout[:800])
check("every stage is explained", all(s in out for s in ("Queries", "Keys", "Values", "Scores",
                                                           "Scaled scores", "softmax", "Head output")))

# step counts per granularity (N=5, D=8, H=2, d_k=4, d_hidden 8, not causal): the
# attention lesson, then the RNN's (input, pre-activation, h per word; influence)
# and the LSTM's (input, gates, cell, h per word; influence)
N, D, H, DK, DH = 5, 8, 2, 4, 8
want = {"stage": (4 + 7 * H + 2, 3 * N + 1, 4 * N + 1),
        "row": (4 * N + 7 * H * N + 2 * N, 3 * N + 1, 4 * N + 1),
        "cell": (N + 3 * N * D + H * (4 * N * DK + 3 * N * N) + 2 * N * D, N * (D + 2 * DH) + N,
                 N * (D + 6 * DH) + N)}
for g, counts in want.items():
    r = run("--model", os.path.join(ROOT, "assets", "models", "random-en"), "--print", "--granularity", g)
    lessons = r.stdout.decode().split("\n══ ")
    found = [[l for l in part.split("\n") if l.startswith("  [")] for part in lessons]
    ok = r.returncode == 0 and len(found) == 3 and all(
        len(lines) == n and lines[-1].startswith(f"  [{n}/{n}]") for lines, n in zip(found, counts))
    check(f"--granularity {g}: {counts} steps in the attention, RNN and LSTM lessons", ok,
          [len(x) for x in found])

# --print and --export agree
for name, causal, sentence in [("bias-crlf", True, "The movie was really NOT good, isn't it great!"),
                               ("korean", False, "영화가 정말 좋지 않았다 OK")]:
    opts = ["--model", bundle(name)] + (["--causal"] if causal else [])
    exp = os.path.join(TMP, "agree-" + name)
    r1 = run(*opts, "--print", "--granularity", "stage", "--", *sentence.split())
    r2 = run(*opts, "--export", exp, "--", *sentence.split())
    blocks = printed_blocks(r1.stdout.decode())
    cfg = dict(row[:2] for row in read_csv(os.path.join(bundle(name), "config.csv"))[1:])
    heads = int(cfg["n_heads"].strip())
    files = ["embeddings", "x"] if cfg.get("positional", "sinusoidal").strip() == "none" \
        else ["embeddings", "positional", "x"]
    for h in range(1, heads + 1):
        files += [f"head{h}_{m}" for m in ("q", "k", "v", "scores", "scaled")]
        files += [f"head{h}_masked"] if causal else []
        files += [f"head{h}_weights", f"head{h}_output"]
    files += ["concat", "output"]
    mismatch = []
    if r1.returncode or r2.returncode or len(blocks) != len(files) + 1:
        mismatch.append(f"exit {r1.returncode}/{r2.returncode}, {len(blocks)} printed matrices for {len(files)} files")
    else:
        tokens = [row[1] for row in read_csv(os.path.join(exp, "tokens.csv"))[1:]]
        printed_tokens = [line.split()[1] for line in blocks[0][1:]]
        if tokens != printed_tokens:
            mismatch.append(f"tokens {printed_tokens} vs {tokens}")
        for block, f in zip(blocks[1:], files):
            table = read_csv(os.path.join(exp, f + ".csv"))
            header = block[0].split()[1:]
            if header != table[0][1:]:
                mismatch.append(f"{f}: header {header} vs {table[0][1:]}")
            for line, row in zip(block[1:], table[1:]):
                cells = line.split()
                if cells[0] != row[0]:
                    mismatch.append(f"{f}: row label {cells[0]} vs {row[0]}")
                for a, b in zip(cells[1:], row[1:]):
                    if abs(float(a) - float(b)) > 0.0005 + 1e-9 if b != "-inf" else a != "-inf":
                        mismatch.append(f"{f}[{row[0]}]: printed {a}, exported {b}")
        # aligned by display width: every line of a matrix block is as wide as its header
        for block in blocks[1:]:  # the token table's last column is left ragged
            widths = {width(line) for line in block}
            if len(widths) != 1:
                mismatch.append(f"ragged block: {block[:2]} widths {sorted(widths)}")
    check(f"--print and --export agree ({name})", not mismatch, *mismatch[:6])

# the bundled model, from the build tree, after install, and overridden
r = run("--print", env={"ATTNSTEP_MODEL": bundle("causal-small")}, timeout=60)
check("ATTNSTEP_MODEL overrides the bundled model", r.returncode == 0
      and "model     causal-small:" in r.stdout.decode(), r.stdout[:300], r.stderr)
dest = os.path.join(TMP, "dest")
inst = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", dest],
                      capture_output=True, timeout=120)
installed_bin = None
for dirpath, _, names in os.walk(dest):
    if "attnstep" in names and dirpath.endswith("bin"):
        installed_bin = os.path.join(dirpath, "attnstep")
ok = inst.returncode == 0 and installed_bin is not None
diag = [inst.stderr[-400:]]
if ok:
    share = os.path.join(os.path.dirname(os.path.dirname(installed_bin)), "share")
    cfg = os.path.join(share, "attnstep", "models", "tiny-en", "config.csv")
    man = [p for p in (os.path.join(share, "man", "man1", "attnstep.1"),) if os.path.exists(p)]
    with open(cfg, encoding="utf-8") as f:
        text = f.read().replace("name,tiny-en", "name,installed-copy")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(text)
    r = subprocess.run([installed_bin, "--print"], capture_output=True, timeout=60,
                       env={k: v for k, v in os.environ.items() if k != "ATTNSTEP_MODEL"})
    ok = r.returncode == 0 and "model     installed-copy:" in r.stdout.decode() and man
    diag = [r.stdout[:200], r.stderr, f"man page installed: {bool(man)}"]
check("after meson install the binary finds its model under share/attnstep, and the man page", ok, *diag)

# --init-model
m1, m2, m3 = (os.path.join(TMP, n) for n in ("m1", "m2", "m3"))
r1 = run("--init-model", m1, "--d-model", "12", "--heads", "3", "--seed", "5")
r2 = run("--init-model", m2, "--d-model", "12", "--heads", "3", "--seed", "5")
r3 = run("--init-model", m3, "--d-model", "12", "--heads", "3", "--seed", "6")
same = all(open(os.path.join(m1, f), "rb").read() == open(os.path.join(m2, f), "rb").read()
           for f in ("vocab.csv", "w_q.csv", "w_o.csv")) if r1.returncode == r2.returncode == 0 else False
differs = open(os.path.join(m1, "w_q.csv"), "rb").read() != open(os.path.join(m3, "w_q.csv"), "rb").read() \
    if r3.returncode == 0 else False
check("--init-model: same seed, same files; other seed, other weights", same and differs, r1.stderr, r3.stderr)
r = run("--model", m1, "--print", "the", "movie")
check("--init-model makes a model that loads (d_model 12, 3 heads)", r.returncode == 0
      and "d_model 12, 3 heads of d_k 4" in r.stdout.decode(), r.stderr)
r = run("--init-model", m1)
check("--init-model refuses a non-empty directory without --force", r.returncode == 1
      and b"--force" in r.stderr, r.stderr)
r = run("--init-model", m1, "--force", "--d-model", "10", "--heads", "4")
check("--init-model: heads must divide d_model", r.returncode == 1 and b"divide" in r.stderr, r.stderr)
vocab = os.path.join(TMP, "v.csv")
with open(vocab, "w", encoding="utf-8") as f:
    f.write("token\n나는\n책을\nbook\n")
r = run("--init-model", m1, "--force", "--vocab", vocab, "--d-model", "4", "--heads", "1")
r2 = run("--model", m1, "--print", "나는", "책을", "읽는다")
out = r2.stdout.decode()
check("--init-model --vocab: Korean vocabulary, unknown word → <unk>", r.returncode == 0 and r2.returncode == 0
      and "not in the vocabulary → <unk>" in out and "vocabulary of 4" not in out, r.stderr, r2.stderr)

# long sentences
words = ("the movie was not good but the actors were great " * 20).split()
exp = os.path.join(TMP, "long")
r = run("--export", exp, "--", *words[:200])
rows = read_csv(os.path.join(exp, "head2_weights.csv")) if r.returncode == 0 else []
n = len(read_csv(os.path.join(exp, "tokens.csv"))) - 1 if r.returncode == 0 else 0
# tiny-en cuts some words into pieces: at least 200 tokens, and an N×N table
check("a 200-word sentence exports N×N weights (N ≥ 200 tokens)", n >= 200 and len(rows) == n + 1
      and len(rows[1]) == n + 1, r.stderr)

shutil.rmtree(TMP, ignore_errors=True)
finish()
