#!/usr/bin/env python3
"""The shipped lessons (assets/lessons/attention-101.*.csv), checked against the
real program, slide by slide:

- the exact header model,sentence,view,stage,note;
- every model resolves (a bundled name, or a path relative to the lesson's
  folder; empty: the previous slide's) and every view name is valid;
- every stage is a number within what that view has for that model and
  sentence: the stages of the --print walk-through (pipeline, heatmap), the
  words plus one (compare, which also needs a model with an RNN), the
  snapshots (training, which needs a model that has them);
- no slide's sentence has an <unk> token (--print's token table);
- every decimal number a note states (0.814, −5.710, 2.3211, ...) is one the
  program computes for that slide: in its --print or --export output, plain,
  with --causal, or with the note's own --set edit, or in the model's
  training.csv, to the note's number of decimals; a --set a note gives runs;
- the English and the Korean lesson have the same slides (count and views),
  notes in the right language, none wider than NOTE_MAX cells (Korean counts
  two per syllable, as the screen does).

Usage: test_lessons_content.py ATTNSTEP_BINARY SOURCE_ROOT
"""
import csv
import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, finish, hangul, width  # noqa: E402

BIN, ROOT = sys.argv[1], sys.argv[2]
LESSONS = os.path.join(ROOT, "assets", "lessons")
HEADER = ["model", "sentence", "view", "stage", "note"]
VIEWS = ("pipeline", "heatmap", "compare", "training")
NOTE_MAX = 360  # display cells (a Hangul syllable is 2): four lines of a 90-cell note panel
FILES = {"en": "attention-101.en.csv", "ko": "attention-101.ko.csv"}
NUMBER = re.compile(r"(?<![\w.\[,])[-−]?\d+\.\d+(?![\d%])")
SET = re.compile(r"--set '([^']+)'")

_runs = {}


def run(*args):
    """The binary's stdout for args (English, cached); exit status must be 0."""
    if args not in _runs:
        env = dict(os.environ, LANG="C.UTF-8", LANGUAGE="", LC_ALL="")
        p = subprocess.run([BIN, "--lang", "en", *args], capture_output=True, text=True, env=env, timeout=120)
        _runs[args] = (p.returncode, p.stdout + p.stderr)
    return _runs[args]


def export_text(model, sentence, extra):
    """Every CSV --export writes for this slide, as one text."""
    key = ("export", model, sentence) + extra
    if key not in _runs:
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "x")
            rc, _ = run("--model", model, *extra, "--export", out, "--", *sentence.split())
            text = ""
            for f in sorted(glob.glob(os.path.join(out, "*.csv"))):
                with open(f, encoding="utf-8") as fh:
                    text += fh.read() + "\n"
            _runs[key] = (rc, text)
    return _runs[key]


def floats(text):
    out = []
    for m in re.finditer(r"[-−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text):
        try:
            out.append(float(m.group(0).replace("−", "-")))
        except ValueError:
            pass
    return out


def resolve(model, lesson_dir):
    bundled = os.path.join(ROOT, "assets", "models", model)
    if "/" not in model and os.path.isfile(os.path.join(bundled, "config.csv")):
        return bundled
    path = os.path.join(lesson_dir, model)
    return path if os.path.isfile(os.path.join(path, "config.csv")) else None


def read(lang):
    path = os.path.join(LESSONS, FILES[lang])
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return path, rows


def token_table(out):
    """(token, known) rows of --print's token table."""
    rows = []
    for line in out.split("\n"):
        f = line.split()
        if len(f) >= 4 and f[0].isdigit() and f[2].isdigit() and f[3] in ("known", "unknown"):
            rows.append((f[1], f[3] == "known"))
    return rows


def check_lesson(lang):
    path, rows = read(lang)
    name = FILES[lang]
    check("%s: header is exactly %s" % (name, ",".join(HEADER)), rows and rows[0] == HEADER, rows[:1])
    slides = rows[1:]
    check("%s: 25 to 40 slides" % name, 25 <= len(slides) <= 40, len(slides))
    model = sentence = None
    bad = {"shape": [], "model": [], "view": [], "stage": [], "unk": [], "numbers": [], "set": [], "note": []}
    views = []
    for i, row in enumerate(slides, 2):
        if len(row) != 5:
            bad["shape"].append((i, row))
            continue
        m, s, view, stage, note = row
        model = resolve(m, os.path.dirname(path)) if m else model
        sentence = s or sentence
        if not model or not sentence:
            bad["model"].append((i, m, s))
            continue
        view = view or "pipeline"
        views.append(view)
        if view not in VIEWS:
            bad["view"].append((i, view))
            continue
        words = sentence.split()
        rc, out = run("--print", "--model", model, "--", *words)
        if rc != 0:
            bad["model"].append((i, m, out[:200]))
            continue
        toks = token_table(out)
        if not toks or not all(k for _, k in toks):
            bad["unk"].append((i, sentence, toks))
        n_stages = int(re.search(r"in (\d+) stages", out).group(1))
        snaps = glob.glob(os.path.join(model, "snapshots", "*"))
        if view in ("pipeline", "heatmap"):
            limit = n_stages
        elif view == "compare":
            limit = len(toks) + 1 if "· RNN:" in out else 0
        else:
            limit = len(snaps)
        k = int(stage) if stage.isdigit() else (1 if stage == "" else 0)
        if not 1 <= k <= limit:
            bad["stage"].append((i, view, stage, limit))
        # every decimal number in the note is one the program computes here
        edits = SET.findall(note)
        pool = floats(out) + floats(export_text(model, sentence, ())[1])
        if view in ("pipeline", "heatmap"):
            pool += floats(run("--print", "--causal", "--model", model, "--", *words)[1])
        if view == "training":
            with open(os.path.join(model, "training.csv"), encoding="utf-8") as fh:
                pool += floats(fh.read())
        if edits:
            extra = tuple(a for e in edits for a in ("--set", e))
            rc, eout = run("--print", *extra, "--model", model, "--", *words)
            if rc != 0:
                bad["set"].append((i, edits, eout[:200]))
            pool += floats(eout) + floats(export_text(model, sentence, extra)[1])
        for num in NUMBER.findall(SET.sub("", note)):
            x = float(num.replace("−", "-"))
            tol = 0.5 * 10 ** -len(num.split(".")[1]) + 1e-9
            if not any(abs(v - x) <= tol for v in pool):
                bad["numbers"].append((i, num))
        if not note.strip() or width(note) > NOTE_MAX or hangul(note) != (lang == "ko"):
            bad["note"].append((i, width(note), note[:60]))
    check("%s: every row has 5 fields" % name, not bad["shape"], *bad["shape"])
    check("%s: every model resolves and --print runs on its sentence" % name, not bad["model"], *bad["model"])
    check("%s: every view is one of %s" % (name, ", ".join(VIEWS)), not bad["view"], *bad["view"])
    check("%s: every stage is within that view's stages for the slide's model and sentence" % name,
          not bad["stage"], *bad["stage"])
    check("%s: no slide's sentence has an <unk> token" % name, not bad["unk"], *bad["unk"])
    check("%s: every number a note states is one the program computes for that slide" % name,
          not bad["numbers"], *bad["numbers"])
    check("%s: every --set a note gives is a valid edit" % name, not bad["set"], *bad["set"])
    check("%s: every note is in %s, 1 to %d cells wide" % (name, "Korean" if lang == "ko" else "English", NOTE_MAX),
          not bad["note"], *bad["note"])
    notes = [r[4] for r in slides if len(r) == 5]
    quiz = [n for n in notes if re.search(r"Predict first|먼저 예측해 보세요", n)]
    check("%s: at least four quiz moments (Predict first)" % name, len(quiz) >= 4, len(quiz))
    check("%s: every quiz moment names quiz mode and its key, a" % name,
          all(re.search(r"quiz mode|퀴즈 모드", n, re.I) and re.search(r"(?<![A-Za-z])a(?![A-Za-z])", n) for n in quiz),
          *[n for n in quiz if not re.search(r"quiz mode|퀴즈 모드", n, re.I)])
    check("%s: exactly one what-if edit (--set)" % name, sum(bool(SET.search(n)) for n in notes) == 1)
    check("%s: the mask slide tells the teacher to press m" % name,
          any(re.search(r"\bpress m\b|m을 누르", n, re.I) for n in notes))
    return views


en = check_lesson("en")
ko = check_lesson("ko")
check("English and Korean lessons have the same number of slides", len(en) == len(ko), len(en), len(ko))
check("English and Korean lessons show the same view on each slide", en == ko,
      [(i, a, b) for i, (a, b) in enumerate(zip(en, ko), 1) if a != b])
finish()
