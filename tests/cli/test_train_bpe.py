#!/usr/bin/env python3
"""`attnstep train --tokenizer bpe|word --merges N` (issue 10), and the example
sentences on the shipped models (stdlib only, TAP output).

Usage: test_train_bpe.py ATTNSTEP_BINARY SOURCE_ROOT

bpe is the default: the bundle gains tokenizer.csv (left,right, at most N
rows) and a vocabulary of pieces; --tokenizer word makes exactly the model of
before (no tokenizer.csv, the words as vocabulary); bad values are usage
errors (exit 2, Korean with --lang ko); the recorded command names the
tokenizer; and every example of assets/sentences.csv tokenizes without <unk>
on the model it is offered with (tiny-en for en, tiny-ko for ko).
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, hangul

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-train-bpe-")


def run(*args, timeout=300):
    env = {k: v for k, v in os.environ.items() if k not in ("ATTNSTEP_MODEL", "LANGUAGE", "LC_ALL", "LANG")}
    env["LC_ALL"] = "C.UTF-8"
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout, env=env, cwd=ROOT)


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def config(model):
    return dict(r[:2] for r in rows(os.path.join(model, "config.csv")))


DATA = os.path.join(TMP, "data.csv")
with open(DATA, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(("text", "label"))
    for adj, good in (("good", 1), ("bad", 0), ("nice", 1), ("boring", 0)):
        for subj in ("the movie", "the movies", "the food"):
            for neg in (0, 1):
                verb = "were" if subj.endswith("s") else "was"
                w.writerow(("%s %s%s %s" % (subj, verb, " not" if neg else "", adj),
                            "positive" if good != neg else "negative"))

# bpe, the default
bpe = os.path.join(TMP, "bpe")
r = run("train", DATA, "--out", bpe, "--epochs", "2")
merges = rows(os.path.join(bpe, "tokenizer.csv")) if r.returncode == 0 else []
vocab = [row[0] for row in rows(os.path.join(bpe, "vocab.csv"))[1:]] if r.returncode == 0 else []
check("train without --tokenizer writes tokenizer.csv (header left,right, some merges)",
      merges[:1] == [["left", "right"]] and len(merges) > 1, r.stderr)
check("its vocabulary holds <unk>, pieces with ## and every character in both forms",
      "<unk>" in vocab and "##s" in vocab and "s" in vocab and any(v.startswith("##") and len(v) > 3 for v in vocab),
      vocab[:20])
check("every merge's result is a vocabulary row (as result or ##result)",
      merges and all(a + b in vocab or "##" + a + b in vocab for a, b in merges[1:]), merges[:5])
desc = config(bpe).get("description", "") if r.returncode == 0 else ""
check("the recorded command names the tokenizer and the merges (default 200)",
      " --tokenizer bpe --merges 200 " in desc, desc)
out = r.stdout.decode(errors="replace")
check("the first line counts pieces and merges",
      re.search(r"training on 24 sentences \(2 classes, %d pieces, %d merges\)" % (len(vocab), len(merges) - 1),
                out) is not None, out[:200])
p = run("--model", bpe, "--print", "the", "movies", "were", "not", "nice")
check("the model loads and reads a sentence in pieces", p.returncode == 0 and b"prediction:" in p.stdout, p.stderr)

# --merges N
few = os.path.join(TMP, "few")
r = run("train", DATA, "--out", few, "--epochs", "1", "--merges", "3")
m3 = rows(os.path.join(few, "tokenizer.csv")) if r.returncode == 0 else []
check("--merges 3: exactly 3 merges, recorded", len(m3) == 4 and " --merges 3 " in config(few)["description"], m3,
      r.stderr)

# --tokenizer word: the model of before
word = os.path.join(TMP, "word")
r = run("train", DATA, "--out", word, "--epochs", "2", "--tokenizer", "word")
wv = [row[0] for row in rows(os.path.join(word, "vocab.csv"))[1:]] if r.returncode == 0 else []
words = set()
for row in rows(DATA)[1:]:
    words.update(row[0].lower().split())
check("--tokenizer word: no tokenizer.csv, the vocabulary is <unk> and the data's words, sorted",
      r.returncode == 0 and not os.path.exists(os.path.join(word, "tokenizer.csv"))
      and sorted(wv) == sorted(words | {"<unk>"}) and "--tokenizer word " in config(word)["description"], wv)
check("--tokenizer word: the first line counts words, as before",
      "training on 24 sentences (2 classes, %d words)" % len(wv) in r.stdout.decode(errors="replace"), r.stdout[:200])
# the recorded command reproduces the model (what R in the training view replays)
again = os.path.join(TMP, "again", "word")  # the same name: config.csv records it
args = config(word)["description"].split("trained: attnstep ", 1)[1].split() + ["--out", again]
r = run(*args)
same = r.returncode == 0 and all(open(os.path.join(word, f), "rb").read() == open(os.path.join(again, f), "rb").read()
                                 for f in os.listdir(word) if f.endswith(".csv"))
check("the recorded --tokenizer word command gives the same model again", same, args, r.stderr)

# usage errors
for args, needle in ((["--tokenizer", "chars"], "'chars'"), (["--merges", "0"], "--merges"),
                     (["--merges", "many"], "many"), (["--tokenizer", "word", "--merges", "5"], "--merges"),
                     (["--from", bpe, "--tokenizer", "bpe"], "--from"), (["--tokenizer"], "--tokenizer")):
    for lang in ("en", "ko"):
        r = run("--lang", lang, "train", DATA, "--out", os.path.join(TMP, "x"), *args)
        err = r.stderr.decode(errors="replace")
        check("train %s (%s): usage error, exit 2, names the value" % (" ".join(args), lang),
              r.returncode == 2 and needle in err and (hangul(err) if lang == "ko" else not hangul(err))
              and not os.path.exists(os.path.join(TMP, "x")), err)
h = run("train", "--help").stdout.decode()
hk = run("--lang", "ko", "train", "--help").stdout.decode()
check("train --help lists --tokenizer and --merges, in English and Korean",
      all(o in h and o in hk for o in ("--tokenizer", "--merges")) and hangul(hk) and not hangul(h))

# every example tokenizes without <unk> on the model it is offered with
for lang, name in (("en", "tiny-en"), ("ko", "tiny-ko")):
    model = os.path.join(ROOT, "assets", "models", name)
    unk = str([row[0] for row in rows(os.path.join(model, "vocab.csv"))[1:]].index("<unk>"))
    texts = [row[1] for row in rows(os.path.join(ROOT, "assets", "sentences.csv"))[1:] if row[0] == lang]
    bad = []
    for i, text in enumerate(texts):
        exp = os.path.join(TMP, "export-%s-%d" % (lang, i))
        r = run("--model", model, "--export", exp, "--", *text.split())
        toks = rows(os.path.join(exp, "tokens.csv"))[1:] if r.returncode == 0 else [["?", "?", unk]]
        bad += ["%s: %s" % (text, " ".join(t[1] for t in toks if t[2] == unk))] if any(t[2] == unk for t in toks) else []
    check("%s: all %d %s examples tokenize without <unk>" % (name, len(texts), lang),
          len(texts) >= 10 and not bad and os.path.exists(os.path.join(model, "tokenizer.csv")), *bad)

shutil.rmtree(TMP, ignore_errors=True)
finish()
