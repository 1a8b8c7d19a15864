#!/usr/bin/env python3
"""--generate N [--temperature T] [--top-k K] [--seed S] (stdlib only, TAP output).

Usage: test_generate.py ATTNSTEP_BINARY SOURCE_ROOT

Every case of tests/golden/generate.csv (greedy, sampled, top-k; an English
bundle with biases and CRLF files, a Korean one) is run with --export: its
generated.csv must hold the tokens the numpy reference chose
(tests/golden/generated/, computed without a cache) and their probabilities
at T = 1 (1e-8 relative: %.9g), and every other file still describes the prompt as
typed. The same seed gives the same tokens; --print shows each step, the draw
and the text, in English and Korean. Wrong usage exits 2 and names the option,
in English and Korean: --generate on a classifier, T < 0, top-k 0, N < 0,
--temperature / --top-k without --generate, --generate with --snapshot.
"""
import csv
import os
import re
import shutil
import sys
import tempfile
from tap import check, finish, hangul, run_attnstep

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-generate-")
GOLDEN = os.path.join(ROOT, "tests", "golden")
LM = os.path.join(ROOT, "tests", "data", "bundles", "lm-crlf")
CLASSIFIER = os.path.join(ROOT, "assets", "models", "tiny-en")


def run(args, lang="en"):
    return run_attnstep(BIN, args, lang, TMP)


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def case_args(c):
    args = ["--model", os.path.join(ROOT, c["bundle"]), "--generate", c["generate"],
            "--temperature", c["temperature"], "--seed", c["seed"]]
    if c["top_k"] != "0":
        args += ["--top-k", c["top_k"]]
    return args


with open(os.path.join(GOLDEN, "generate.csv"), encoding="utf-8", newline="") as f:
    cases = list(csv.DictReader(f))
check("generate.csv has greedy, sampled and top-k cases on two bundles",
      len({c["bundle"] for c in cases}) >= 2 and any(c["temperature"] == "0" for c in cases)
      and any(c["top_k"] != "0" for c in cases))

for c in cases:
    out = os.path.join(TMP, c["name"])
    code, so, se = run(case_args(c) + ["--export", out, "--", *c["sentence"].split()])
    check("%s: exit 0" % c["name"], code == 0, se)
    if code:
        continue
    got, want = rows(os.path.join(out, "generated.csv")), rows(os.path.join(GOLDEN, "generated", c["name"] + ".csv"))
    check("%s: header step,token,probability" % c["name"], got[0] == ["step", "token", "probability"], got[0])
    check("%s: the reference's tokens" % c["name"], [r[:2] for r in got] == [r[:2] for r in want], got, want)
    close = len(got) == len(want) and all(abs(float(a[2]) - float(b[2])) <= 1e-8 * abs(float(b[2]))
                                          for a, b in zip(got[1:], want[1:]))
    check("%s: probabilities at T = 1 within 1e-8 (%%.9g)" % c["name"], close, got, want)
    toks = rows(os.path.join(out, "tokens.csv"))
    check("%s: tokens.csv is the prompt as typed" % c["name"], len(toks) - 1 == len(c["sentence"].split()), toks)
    weights = rows(os.path.join(out, "head1_weights.csv"))
    check("%s: the attention files too" % c["name"], len(weights) - 1 == len(c["sentence"].split()))
    # the same seed, the same tokens, twice
    code2, _, _ = run(case_args(c) + ["--export", out, "--force", "--", *c["sentence"].split()])
    check("%s: the same seed gives the same tokens" % c["name"],
          code2 == 0 and rows(os.path.join(out, "generated.csv")) == got)

# --print: the steps, the draws and the text
sampled = next(c for c in cases if c["temperature"] != "0" and c["top_k"] != "0")
code, so, se = run(case_args(sampled) + ["--print", "--", *sampled["sentence"].split()])
want = rows(os.path.join(GOLDEN, "generated", sampled["name"] + ".csv"))[1:]
steps = re.findall(r"^Step (\d+): .* → (\S+)$", so, re.M)
check("--print: one line per step with the chosen token", code == 0 and steps == [(str(i + 1), r[1])
                                                                                 for i, r in enumerate(want)],
      steps, se)
check("--print: the draw of each step", len(re.findall(r"^  u = 0\.\d{6}$", so, re.M)) == len(want), so[-2000:])
check("--print: the sampling rule in the heading", "sampled at T = %g, top-k %s, seed %s" % (
    float(sampled["temperature"]), sampled["top_k"], sampled["seed"]) in " ".join(so.split()), so[-3000:])
text = re.findall(r"^Text: (.*)$", so, re.M)
check("--print: the text ends with the generated tokens",
      len(text) == 1 and text[0].split()[-len(want):] == [r[1] for r in want], text)
greedy = next(c for c in cases if c["temperature"] == "0")
code, so, se = run(case_args(greedy) + ["--print", "--", *greedy["sentence"].split()])
check("--print greedy: no draw, the greedy heading", code == 0 and "u = " not in so and "greedy (T = 0)" in so, se)
code, so, se = run(case_args(sampled) + ["--print", "--", *sampled["sentence"].split()], lang="ko")
steps_ko = re.findall(r"^(\d+)단계: .* → (\S+)$", so, re.M)
check("--print in Korean: the same steps", code == 0 and steps_ko == steps, steps_ko, se)
gen_ko = so[so.find("\n생성: "):] if "\n생성: " in so else ""
check("--print in Korean: no English left in the generation's text", code == 0 and gen_ko
      and not re.search(r"Step|Generation|chosen|most likely|drawn|Text:|[A-Za-z]{5,}", gen_ko), gen_ko[-1500:])
code, so, se = run(["--model", LM, "--generate", "0", "--print", "the"])
check("--generate 0: nothing generated, the text is the prompt", code == 0 and "Step 1" not in so
      and re.search(r"^Text: the$", so, re.M), so[-500:], se)

# Wrong usage: exit 2, the option named, in both languages.
BAD = [
    ("--generate on a classifier", ["--model", CLASSIFIER, "--generate", "3", "--print", "the"], "--generate"),
    ("T < 0", ["--model", LM, "--generate", "3", "--temperature", "-0.5", "the"], "--temperature"),
    ("T not a number", ["--model", LM, "--generate", "3", "--temperature", "warm", "the"], "--temperature"),
    ("top-k 0", ["--model", LM, "--generate", "3", "--top-k", "0", "the"], "--top-k"),
    ("N < 0", ["--model", LM, "--generate", "-1", "the"], "--generate"),
    ("N not a number", ["--model", LM, "--generate", "many", "the"], "--generate"),
    ("--temperature without --generate", ["--model", LM, "--temperature", "1", "the"], "--temperature"),
    ("--top-k without --generate", ["--model", LM, "--top-k", "3", "the"], "--top-k"),
    ("--generate with --snapshot", ["--model", LM, "--generate", "3", "--snapshot", "x.svg", "the"], "--generate"),
]
for name, args, option in BAD:
    for lang in ("en", "ko"):
        code, so, se = run(args, lang)
        first = se.splitlines()[0] if se else ""
        ok = code == 2 and first.startswith("attnstep: ") and option in first and (hangul(first) if lang == "ko"
                                                                                   else not hangul(first))
        check("%s (%s): exit 2 naming %s" % (name, lang, option), ok and not so, code, se)

shutil.rmtree(TMP, ignore_errors=True)
finish()
