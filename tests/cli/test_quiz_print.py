#!/usr/bin/env python3
"""--print --quiz: the handout (stdlib only, TAP output).

Usage: test_quiz_print.py ATTNSTEP_BINARY SOURCE_ROOT

Every answer is checked against the numpy reference's committed golden files
(tests/golden/cases), never against numbers attnstep computed: the word each
query attends to most (head<h>_weights.csv), the cells at cell granularity
(scores, scaled, weights, output), the class (probabilities.csv) and the word
that matters most at the end (influence.csv). The Korean handout has the same
answers, in Korean around them.
"""
import csv
import os
import re
import subprocess
import sys

from tap import check, finish, hangul

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
GOLDEN = os.path.join(ROOT, "tests", "golden", "cases")
MODELS = os.path.join(ROOT, "assets", "models")
SENTENCE = ["the", "movie", "was", "not", "good"]


def run(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LANG="C.UTF-8", LANGUAGE="")
    env.pop("ATTNSTEP_MODEL", None)
    r = subprocess.run([BIN, *args], capture_output=True, env=env, timeout=120)
    return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8")


def golden(case, name):
    """{row label: {column label: float}} (labels unique in the cases used here), and the column order."""
    with open(os.path.join(GOLDEN, case, name), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    cols = rows[0][1:]
    return {r[0]: dict(zip(cols, (float(x) for x in r[1:]))) for r in rows[1:]}, cols


def sections(text):
    """The numbered items of the Questions and the Answers sections: {n: text}, continuation lines joined."""
    out, cur, items, n = {}, None, None, None
    for line in text.split("\n"):
        if line.strip() in ("Questions", "Answers", "문제", "정답"):
            cur = {"Questions": "q", "문제": "q", "Answers": "a", "정답": "a"}[line.strip()]
            items = out.setdefault(cur, {})
            continue
        if cur is None:
            continue
        m = re.match(r"^\s*(\d+)\. (.*)$", line)
        if m:
            n = int(m.group(1))
            items[n] = m.group(2)
        elif line.startswith("     ") and n is not None and not line.strip().startswith(("choose", "given", "고르기", "주어진")):
            if not re.match(r"^ {5}\S", line) or line.startswith("               "):
                continue
            items[n] += " " + line.strip()
    return out.get("q", {}), out.get("a", {})


def argmax_labels(row):
    top = max(row.values())
    return [k for k, v in row.items() if v == top]


# ---- row granularity: random-en, «which word will w attend to most» -----------------
rc, en, err = run("--print", "--quiz", "--model", os.path.join(MODELS, "random-en"), *SENTENCE)
check("--print --quiz exits 0", rc == 0, err)
qs, ans = sections(en)
check("13 questions (5 queries × 2 heads, RNN, LSTM, attention) and 13 answers", len(qs) == 13 and len(ans) == 13,
      "questions %d, answers %d" % (len(qs), len(ans)), en)
rows_ok = 0
for n, q in qs.items():
    m = re.match(r"Which word will «(.+)» attend to most in head (\d)\?", q)
    if not m:
        continue
    w, h = m.group(1), int(m.group(2))
    weights, _ = golden("default_en", "head%d_weights.csv" % h)
    scaled, cols = golden("default_en", "head%d_scaled.csv" % h)
    best = argmax_labels(weights[w])
    a = re.match(r"«(.+)» \(A\[(.+),(.+)\] = (-?[0-9.]+)\)$", ans.get(n, ""))
    ok = a and a.group(1) in best and a.group(2) == w and a.group(3) == a.group(1) and \
        abs(float(a.group(4)) - weights[w][a.group(1)]) < 5e-5
    check("question %d: «%s» in head %d attends most to %s (reference)" % (n, w, h, best), ok, q, ans.get(n))
    given = re.search(r"given\s+S'\[%s,·\] = \(([^)]*)\)" % re.escape(w), en.split("%3d. " % n, 1)[1])
    nums = [float(x) for x in given.group(1).split(",")] if given else []
    check("question %d gives the scaled row S'[%s,·] of the reference" % (n, w),
          len(nums) == 5 and all(abs(x - scaled[w][c]) < 5e-5 for x, c in zip(nums, cols)), given and given.group(0))
    rows_ok += 1
check("10 row questions", rows_ok == 10, rows_ok)
infl, _ = golden("default_en", "influence.csv")
for model, q_text in (("rnn", "Which word still matters most to the RNN at the end?"),
                      ("lstm", "Which word still matters most to the LSTM at the end?"),
                      ("attention", "Which word matters most to attention's last output?")):
    n = next((k for k, v in qs.items() if v == q_text), None)
    a = re.match(r"«(.+)» \(influence = ([0-9.]+)\)$", ans.get(n, "")) if n else None
    best = argmax_labels(infl[model])
    check("compare question, %s: %s (reference influence)" % (model, best),
          a and a.group(1) in best and abs(float(a.group(2)) - infl[model][a.group(1)]) < 5e-5, q_text, a and a.group(0))
check("the rules say how ties and numbers are marked",
      "each of them is right" in en and "within 0.01 of the true value, or within 1% of it" in en, en[:800])
check("questions come before the answers", en.index("Questions") < en.index("Answers"), en[:200])

# ---- Korean: the same answers ------------------------------------------------
rc, ko, err = run("--lang", "ko", "--print", "--quiz", "--model", os.path.join(MODELS, "random-en"), *SENTENCE)
kq, ka = sections(ko)
check("Korean: exits 0, the same 13 answers (influence is 영향력)",
      rc == 0 and ka == {n: v.replace("influence", "영향력") for n, v in ans.items()}, err, ka)
check("Korean: every question is in Korean", len(kq) == 13 and all(hangul(v) for v in kq.values()), kq)
check("Korean: «the» of head 1 asked in Korean", "헤드 1에서 «the» 행이 가장 주목하는 단어는 무엇입니까?" in ko, ko[:1500])
english = [s for s in ("Which word", "How answers", "Questions", "Answers", "choose", "given", "model ") if s in ko]
check("Korean: no English text left", not english, english)

# ---- cell granularity: the last word's row of each stage -------------------
rc, cell, err = run("--print", "--quiz", "--granularity", "cell", "--model", os.path.join(MODELS, "random-en"), *SENTENCE)
qs, ans = sections(cell)
files = {"S": "scores", "S'": "scaled", "A": "weights", "O": "output"}
count = 0
bad = []
for n, q in qs.items():
    m = re.match(r"What is the .* (S|S'|A|O)\[good,([^\]]+)\] in head (\d)\? Type a number\.", q)
    if not m:
        continue
    sym, col, h = m.group(1), m.group(2), int(m.group(3))
    g, _ = golden("default_en", "head%d_%s.csv" % (h, files[sym]))
    key = "d" + col[1:] if sym == "O" else col
    a = re.match(r"%s\[good,%s\] = (-?[0-9.]+)$" % (re.escape(sym), re.escape(col)), ans.get(n, ""))
    count += 1
    if not a or abs(float(a.group(1)) - g["good"][key]) > 5e-5:
        bad.append((n, q, ans.get(n), g["good"][key]))
check("cell granularity: 38 number questions on «good»'s row (5+5+5+4 per head)", count == 38, count)
check("cell granularity: every answer is the reference's value", not bad, *bad[:5])
check("cell granularity: a score gives Q and K, an output gives A and V",
      re.search(r"given\s+S\[good,the\] = Q\[good\]·K\[the\]; Q\[good\] = \(", cell) and
      re.search(r"O\[good,d0\] = Σ_j A\[good,j\]·V\[j,d0\]; A\[good,·\] = \(", cell), cell[:2000])

# ---- the class: tiny-en ------------------------------------------------------
rc, cls, err = run("--print", "--quiz", "--granularity", "stage", "--model", os.path.join(MODELS, "tiny-en"), *SENTENCE)
qs, ans = sections(cls)
probs, labels = golden("tiny_en", "probabilities.csv")
best = argmax_labels(probs["sentence"])
n = next((k for k, v in qs.items() if v == "Which class will the model predict for this sentence?"), None)
# since issue 13 tiny-en has a trained RNN and LSTM: the compare view asks about all three models
check("tiny-en at stage granularity: the class question, then the compare view's (RNN, LSTM, attention)",
      n == 1 and len(qs) == 4, qs)
check("tiny-en: the answer is the reference's class %s" % best, n and re.match(r"«%s» \(P " % best[0], ans.get(n, "")),
      ans)
check("tiny-en: the classes are the choices", re.search(r"choose\s+1 negative   2 positive", cls), cls[:1500])

# ---- the causal mask: the masked row is given, the answers still the reference's ----
sent = "the little girl who lost her red balloon at the fair, isn't sad anymore; she found it."
rc, cz, err = run("--print", "--quiz", "--causal", "--model", os.path.join(MODELS, "random-en"), sent)
qs, ans = sections(cz)
with open(os.path.join(GOLDEN, "sentences_long_causal", "head1_weights.csv"), encoding="utf-8") as f:
    rows = list(csv.reader(f))
w1 = [[float(x) for x in r[1:]] for r in rows[1:]]
toks = rows[0][1:]
bad = []
k = 0
for n, q in sorted(qs.items()):
    if "in head 1?" not in q:
        continue
    row = w1[k]
    top = max(row)
    a = re.match(r"«(.+?)» \(A\[", ans[n])
    if not a or not any(toks[j] == a.group(1) and row[j] == top for j in range(len(row))):
        bad.append((n, q, ans[n]))
    k += 1
check("causal: %d head-1 questions, each answered with the reference's strongest key" % len(w1),
      k == len(w1) and not bad, k, *bad[:3])
check("causal: the question gives the masked row M[…] with -inf for the later words", "M[the,·] = (" in cz and
      "-inf" in cz, cz[:1500])

finish()
