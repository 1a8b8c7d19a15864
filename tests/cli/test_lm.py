#!/usr/bin/env python3
"""A language model (bundle task,lm) from the command line (stdlib only, TAP output).

Usage: test_lm.py ATTNSTEP_BINARY SOURCE_ROOT

--print walks through the three stages after norm2 (the last position's
logits, the next-token probabilities, the greedy choice) in English and
Korean, with the same choice as --export's next_token.csv; the mask is always
on (--causal or not, the same numbers); a bad lm bundle (no <eos>, w_lm of the
wrong shape, a classifier's file in it, w_lm without task,lm) is refused with
FILE:LINE:COL or FILE and exit 1, in both languages; --set reaches w_lm and
b_lm, and a classifier's file in a language model (or the reverse) is a usage
error; attnstep train refuses a language model as its --from.
"""
import csv
import os
import re
import shutil
import sys
import tempfile
from tap import check, finish, hangul, run_attnstep

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-lm-")
LM = os.path.join(ROOT, "tests", "data", "bundles", "lm-crlf")
LM_KO = os.path.join(ROOT, "tests", "data", "bundles", "lm-korean")
SENTENCE = ["the", "big", "cat", "sat", "on", "a"]


def run(args, lang="en"):
    return run_attnstep(BIN, args, lang, TMP)


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def export(name, *args):
    out = os.path.join(TMP, name)
    rc, _, err = run(["--model", LM, "--export", out, *args, "--", *SENTENCE])
    check("--export %s exits 0" % " ".join(args), rc == 0, err)
    return out


# ---- --print and --export agree; the mask is always on
ex = export("plain")
ex_causal = export("causal", "--causal")
nt = rows(os.path.join(ex, "next_token.csv"))
check("next_token.csv: header token,probability, all 12 tokens", nt[0] == ["token", "probability"] and len(nt) == 13,
      nt[:2])
lg = rows(os.path.join(ex, "lm_logits.csv"))
check("lm_logits.csv: a row per position, a column per vocabulary token",
      len(lg) == 1 + len(SENTENCE) and lg[0][:4] == ["token", "<unk>", "<eos>", "the"], lg[0])
check("--causal changes nothing for a language model (it is always causal)",
      all(rows(os.path.join(ex, f)) == rows(os.path.join(ex_causal, f))
          for f in ("lm_logits.csv", "next_token.csv", "head1_masked.csv")))

rc, out, err = run(["--model", LM, "--print", *SENTENCE])
check("--print exits 0", rc == 0, err)
for title in ("Logits: a score per token", "Probabilities of the next token", "The choice: the next token"):
    check("--print has the stage «%s»" % title, "· " + title in out, out[-2000:])
check("--print: attention is causal", "attention causal: no word looks at the words after it" in out, out[:600])
check("--print: the mask explained for a language model (training in parallel, cheating, the future)",
      "would be cheating" in out and "do not exist yet" in out)
m = re.search(r"next = argmax P = (\S+) ", out)
check("--print's choice is next_token.csv's first token", m and m.group(1) == nt[1][0], m and m.group(0), nt[1])
check("--print ends on the choice stage", out.rstrip().split("\n")[-1].split()[0] == "a", out[-300:])

rc, ko, err = run(["--model", LM, "--print", *SENTENCE], lang="ko")
check("--print --lang ko exits 0", rc == 0, err)
for title in ("로짓: 토큰마다 점수 하나", "다음 토큰의 확률", "선택: 다음 토큰"):
    check("--print --lang ko has «%s»" % title, title in ko, ko[-1500:])
m_ko = re.search(r"다음 토큰 = argmax P = (\S+) ", ko)
check("Korean: the same choice", m_ko and m_ko.group(1) == nt[1][0], m_ko and m_ko.group(0))
check("Korean: the mask explained", "부정행위" in ko)

rc, out, err = run(["--model", LM_KO, "--print", "오늘", "나는"], lang="ko")
check("a Korean language model prints", rc == 0 and "선택: 다음 토큰" in out, err)

# ---- bad bundles
def bad_copy(name, change):
    d = os.path.join(TMP, name)
    shutil.copytree(LM_KO, d)
    change(d)
    return d


def write(d, fname, text):
    with open(os.path.join(d, fname), "w", encoding="utf-8") as f:
        f.write(text)


def no_eos(d):
    lines = open(os.path.join(d, "vocab.csv"), encoding="utf-8").read().split("\n")
    write(d, "vocab.csv", "\n".join(l.replace("<eos>,", "eos,") for l in lines))


def short_w_lm(d):
    lines = open(os.path.join(d, "w_lm.csv"), encoding="utf-8").read().strip().split("\n")
    write(d, "w_lm.csv", "\n".join(l.rsplit(",", 1)[0] for l in lines) + "\n")


cases = [
    ("no <eos> in the vocabulary", bad_copy("no-eos", no_eos), r"vocab\.csv:11:1: no <eos> token"),
    ("w_lm a column short", bad_copy("short", short_w_lm), r"w_lm\.csv:1:1: expected 9 numbers in the row, found 8"),
    ("w_cls.csv in a language model", bad_copy("cls", lambda d: write(d, "w_cls.csv", "1,2\n1,2\n1,2\n1,2\n")),
     r"w_cls\.csv: a language model \(task lm\) has no classifier"),
    ("w_lm.csv without task,lm", bad_copy("no-task", lambda d: write(
        d, "config.csv", "key,value\nd_model,4\nn_heads,2\nd_ff,6\nactivation,gelu\n")),
     r"w_lm\.csv: only a language model has this file"),
    ("task neither classify nor lm", bad_copy("task", lambda d: write(
        d, "config.csv", "key,value\ntask,gpt\nd_model,4\nn_heads,2\nd_ff,6\n")),
     r"config\.csv:2:6: task must be classify or lm, got \"gpt\""),
]
for what, d, want in cases:
    rc, out, err = run(["--model", d, "--print", "나는"])
    check("%s: exit 1, %s" % (what, want.replace("\\", "")),
          rc == 1 and re.match(r"attnstep: .*" + want, err) and err.count("\n") == 1, rc, err)
    rc, out, err_ko = run(["--model", d, "--print", "나는"], lang="ko")
    where = err.split(": ")[1] if ": " in err else ""
    check("%s (--lang ko): exit 1, the same place, a Korean reason" % what,
          rc == 1 and where and where in err_ko and hangul(err_ko), err_ko)

# ---- --set
out = export("set", "--set", "w_lm[0,3]=9", "--set", "b_lm[0,3]=1")
w = rows(os.path.join(out, "w_lm.csv"))
b = rows(os.path.join(out, "b_lm.csv"))
check("--set w_lm and b_lm: the export's copies hold the edits", float(w[0][3]) == 9 and float(b[0][3]) == 1, w[0], b)
check("--set w_lm changed the logits", rows(os.path.join(out, "lm_logits.csv")) != lg)
for edit, model, want in (("w_cls[0,0]=1", LM, "no w_cls.csv"), ("w_lm[0,0]=1",
                          os.path.join(ROOT, "tests", "data", "bundles", "encoder-relu"), "no w_lm.csv"),
                          ("w_lm[6,0]=1", LM, "out of range")):
    rc, _, err = run(["--model", model, "--set", edit, "--print", "the"])
    check("--set %s on %s: exit 2, %s" % (edit, os.path.basename(model), want), rc == 2 and want in err, rc, err)

# ---- train does not take a language model
data = os.path.join(TMP, "data.csv")
write(TMP, "data.csv", "text,label\nthe cat sat,a\nthe dog ran,b\n")
rc, _, err = run(["train", data, "--from", LM, "--out", os.path.join(TMP, "trained")])
check("train --from a language model: exit 1, says why", rc == 1 and "a language model (task,lm)" in err, rc, err)

shutil.rmtree(TMP, ignore_errors=True)
finish()
