#!/usr/bin/env python3
"""Error reasons in Korean (stdlib only, TAP output).

Usage: test_errors_ko.py ATTNSTEP_BINARY SOURCE_ROOT

For a spread of bad inputs (model CSVs, vocabulary, config, missing files,
training data for `attnstep train`, the training log and snapshots, the
sentence) the binary runs three times: with no --lang, with --lang en and with
--lang ko (LANG=C.UTF-8 each time). The first two must print the same English
line; the Korean one must keep the `attnstep: FILE:LINE:COL: ` prefix byte for
byte, give a reason with Hangul and the same numbers, and exit with the same
code. A message longer than its buffer is cut between whole characters. Last,
every message of the catalogue that comes from src/core must keep the printf
directives of its msgid (msgfmt -c checks the same; this names the entry) and
be Korean, and src/core must not call setlocale. And LANG=ko_KR.UTF-8 gives
Korean even where no Korean locale is installed (LC_ALL=C, LANGUAGE still decide).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, hangul

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-errors-ko-")
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE")
MODEL = os.path.join(ROOT, "assets", "models", "tiny-en")
# "attnstep: " then a location: PATH:LINE:COL: or PATH: (paths here hold no ": ").
PREFIX = re.compile(r"attnstep: (?:[^:\n]+:(?:\d+:\d+:)? )?")


def run(args, lang):
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS and k != "ATTNSTEP_MODEL"}
    env["LANG"] = "C.UTF-8"
    pre = ["--lang", lang] if lang else []
    r = subprocess.run([BIN, *pre, *args], capture_output=True, timeout=120, env=env, cwd=TMP)
    return r.returncode, r.stderr.decode("utf-8", errors="replace")


def numbers(text):
    return sorted(re.findall(r"\d+", text))


def model(name, keep_history=False):
    """A fresh copy of tiny-en under TMP/name (its snapshots and log only if asked)."""
    dst = os.path.join(TMP, name)
    ignore = None if keep_history else shutil.ignore_patterns("snapshots", "training.csv")
    shutil.copytree(MODEL, dst, ignore=ignore)
    return name


def edit(path, fn):
    full = os.path.join(TMP, path)
    with open(full, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    with open(full, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(fn(lines)))


def write(path, text):
    with open(os.path.join(TMP, path), "w", encoding="utf-8", newline="") as f:
        f.write(text)


def set_cell(lines, line, col, value):
    cells = lines[line - 1].split(",")
    cells[col - 1] = value
    lines[line - 1] = ",".join(cells)
    return lines


def compare(name, args, where, line=None):
    """Runs args in English and Korean; `where` is the PATH the prefix must name
    ("" for a reason with no location), `line` the line of the warning or error
    to compare when there are several (a substring it must contain)."""
    rc_none, err_none = run(args, None)
    rc_en, en = run(args, "en")
    rc_ko, ko = run(args, "ko")
    check(f"{name}: with no --lang the line is English, as with --lang en",
          err_none == en and rc_none == rc_en and not hangul(en) and en.startswith("attnstep: "), err_none, en)
    pick = (lambda text: next((x for x in text.split("\n") if line in x), "")) if line else \
        (lambda text: text.rstrip("\n").split("\n")[-1])
    en_line, ko_line = pick(en), pick(ko)
    if line:
        # A warning: its "warning:" word belongs to the screen's catalogue; the
        # location after it is what must not change.
        loc = re.match(r"[^:\n]+:(?:\d+:\d+:)? ", en_line[en_line.find(where):]) if where in en_line else None
        prefix = loc.group(0) if loc else None
        at = ko_line.find(prefix) if prefix else -1
        check(f"{name}: the warning names {where}", prefix is not None and en_line.startswith("attnstep: "),
              en_line)
        check(f"{name}: the Korean warning keeps its location byte for byte",
              ko_line.startswith("attnstep: ") and at > 0, en_line, ko_line)
        en_line, ko_line = en_line[en_line.find(where):], ko_line[max(at, 0):]
    else:
        m = PREFIX.match(en_line) if where else None
        prefix = m.group(0) if m else "attnstep: " if not where else None
        check(f"{name}: the English prefix names {where or 'no file'}",
              prefix is not None and (prefix.startswith(f"attnstep: {where}") if where else prefix == "attnstep: "),
              en_line, prefix)
        check(f"{name}: Korean keeps the prefix byte for byte", prefix is not None and ko_line.startswith(prefix),
              en_line, ko_line)
    en_reason, ko_reason = en_line[len(prefix or ""):], ko_line[len(prefix or ""):]
    check(f"{name}: the Korean reason is Korean, with the same numbers",
          hangul(ko_reason) and numbers(en_reason) == numbers(ko_reason), en_reason, ko_reason)
    check(f"{name}: same exit code in both languages ({rc_en})", rc_en == rc_ko and rc_en in (0, 1),
          rc_en, rc_ko, ko)
    check(f"{name}: the Korean run says as many lines, all valid UTF-8 (nothing cut inside a syllable)",
          en.count("\n") == ko.count("\n") and "\ufffd" not in ko, en, ko)
    return rc_en


# ---- the model directory -------------------------------------------------------
m = model("bad-number")
edit(f"{m}/w_q.csv", lambda ls: set_cell(ls, 3, 2, "abc"))
compare("a bad number in w_q.csv", ["--model", m, "--print"], f"{m}/w_q.csv:3:")

m = model("nan")
edit(f"{m}/b_v.csv", lambda ls: set_cell(ls, 1, 4, "NaN"))
compare("NaN in b_v.csv", ["--model", m, "--print"], f"{m}/b_v.csv:1:")

m = model("ragged")
edit(f"{m}/w_k.csv", lambda ls: ls[:1] + [",".join(ls[1].split(",")[:-1])] + ls[2:])
compare("a ragged row in w_k.csv", ["--model", m, "--print"], f"{m}/w_k.csv:2:")

m = model("short")
edit(f"{m}/w_o.csv", lambda ls: ls[:10] + [""])
compare("too few rows in w_o.csv", ["--model", m, "--print"], f"{m}/w_o.csv:")

m = model("dup-token")
edit(f"{m}/vocab.csv", lambda ls: ls[:3] + [ls[2]] + ls[3:])
compare("a token twice in vocab.csv", ["--model", m, "--print"], f"{m}/vocab.csv:4:")

m = model("vocab-header")
edit(f"{m}/vocab.csv", lambda ls: [",".join(ls[0].split(",")[:-2])] + ls[1:])
compare("vocab.csv's header short of columns", ["--model", m, "--print"], f"{m}/vocab.csv:1:")

m = model("no-unk")
edit(f"{m}/vocab.csv", lambda ls: [ls[0]] + [x for x in ls[1:] if not x.startswith("<unk>,")])
compare("vocab.csv without <unk>", ["--model", m, "--print"], f"{m}/vocab.csv:")

m = model("heads")
edit(f"{m}/config.csv", lambda ls: [re.sub(r"^n_heads,\d+", "n_heads,3", x) for x in ls])
compare("n_heads that does not divide d_model", ["--model", m, "--print"], f"{m}/config.csv:")

m = model("unknown-key")
edit(f"{m}/config.csv", lambda ls: ls[:2] + ["colour,blue"] + ls[2:])
compare("an unknown key in config.csv", ["--model", m, "--print"], f"{m}/config.csv:3:1")

m = model("labels")
edit(f"{m}/config.csv", lambda ls: [re.sub(r"^labels,.*", "labels,negative; ", x) for x in ls])
compare("an empty class name in labels", ["--model", m, "--print"], f"{m}/config.csv:")

m = model("encoder")
os.remove(os.path.join(TMP, m, "w_ff2.csv"))
compare("a missing encoder file", ["--model", m, "--print"], f"{m}/w_ff2.csv: ")

m = model("missing-w")
os.remove(os.path.join(TMP, m, "w_v.csv"))
compare("a missing w_v.csv", ["--model", m, "--print"], f"{m}/w_v.csv: ")

compare("a missing model directory", ["--model", "no-such-model", "--print"], "no-such-model: ")

m = model("quote")
# the last row: no quoted field after it to close the quote (tiny-en's pieces include "##," and ",")
q = len(open(os.path.join(TMP, m, "vocab.csv"), encoding="utf-8").read().splitlines()) - 1
edit(f"{m}/vocab.csv", lambda ls: ls[:q] + ['"open' + ls[q]] + ls[q + 1:])
compare("an unclosed quote in vocab.csv", ["--model", m, "--print"], f"{m}/vocab.csv:{q + 1}:1")

# ---- tokenizer.csv (subword merges) ------------------------------------------------
for name, text, line in (
        ("a wrong header", "left,rite\nt,h\n", "1:1"),
        ("a ragged row", "left,right\nt,h\nth,e,x\n", "3:1"),
        ("an empty piece", "left,right\nt,\n", "2:3"),
        ("a piece written with ##", "left,right\nt,##h\n", "2:3"),
        ("a merge twice", "left,right\nt,h\nq,u\nt,h\n", "4:1"),
        ("a result missing from vocab.csv", "left,right\nq,z\n", "2:1")):
    m = model("tokenizer-" + name.replace(" ", "-").replace("#", "h"))
    write(f"{m}/tokenizer.csv", text)
    compare(f"tokenizer.csv: {name}", ["--model", m, "--print"], f"{m}/tokenizer.csv:{line}")

# ---- --init-model ------------------------------------------------------------------
write("dup-vocab.csv", "token\nthe\nmovie\nthe\n")
compare("--init-model with a token twice in --vocab", ["--init-model", "made", "--vocab", "dup-vocab.csv"], "")
compare("--init-model with --heads not dividing --d-model",
        ["--init-model", "made", "--d-model", "6", "--heads", "4"], "")

# ---- the sentence ------------------------------------------------------------------
compare("a sentence that is not UTF-8", ["--model", model("sentence"), "--print", "--", "good \xff movie"
                                         .encode("latin-1").decode("utf-8", "surrogateescape")], "")

# ---- training data for attnstep train --------------------------------------------
for name, text, where in (
        ("a ragged row", "text,label\nthe movie was good,positive\nbad one\n", "data-ragged.csv:3:1"),
        ("a label with a space", 'text,label\nthe movie,positive\ngood," negative"\n', "data-space.csv:3:"),
        ("an empty label", 'text,label\nthe movie,positive\ngood,""\n', "data-empty.csv:3:"),
        ("one class only", "text,label\nthe movie,positive\ngood,positive\n", "data-one.csv:2:"),
        ("a wrong header", "sentence,label\nthe movie,positive\n", "data-header.csv:1:1"),
        ("no sentences", "text,label\n", "data-none.csv:"),
        ("bytes that are not UTF-8", "text,label\nthe movie,positive\n", "data-utf8.csv:3:")):
    path = where.split(":")[0]
    write(path, text)
    if "utf8" in path:
        with open(os.path.join(TMP, path), "ab") as f:
            f.write(b"good \xfe,negative\n")
    compare(f"train: {name}", ["train", path, "--out", "trained", "--epochs", "1"], where)
compare("train: a missing data file", ["train", "no-such.csv", "--out", "trained", "--epochs", "1"],
        "no-such.csv: ")

# ---- the training log and the snapshots (read before the screen: --bench) ---------
m = model("log-number", keep_history=True)
edit(f"{m}/training.csv", lambda ls: set_cell(ls, 4, 2, "lots"))
compare("a bad number in training.csv", ["--model", m, "--bench", "40x12"], f"{m}/training.csv:4:")

m = model("log-ragged", keep_history=True)
edit(f"{m}/training.csv", lambda ls: ls[:3] + ["7,0.5"] + ls[3:])
compare("a ragged row in training.csv", ["--model", m, "--bench", "40x12"], f"{m}/training.csv:4:1")

m = model("stray", keep_history=True)
write(f"{m}/snapshots/notes.txt", "not a snapshot\n")
compare("a stray file among the snapshots (a warning)", ["--model", m, "--bench", "40x12"],
        f"{m}/snapshots/notes.txt: ", line="notes.txt")

m = model("bad-snapshot", keep_history=True)
edit(f"{m}/snapshots/epoch-001/w_q.csv", lambda ls: set_cell(ls, 2, 3, "x1"))
rc = compare("a damaged snapshot (a warning)", ["--model", m, "--bench", "40x12"],
             f"{m}/snapshots/epoch-001: ", line="epoch-001")
_, ko = run(["--model", m, "--bench", "40x12"], "ko")
check("the damaged snapshot's own location is kept inside the Korean warning",
      f"{m}/snapshots/epoch-001/w_q.csv:2:" in ko and rc == 0, ko)

# ---- a message too long for the buffer is cut between syllables --------------------
# A model 4060 bytes deep in Hangul directories and --export inside it: the
# reason names the model's path after the export path (cut at 4096 bytes), more
# than the 8 KiB a message holds, so error.c cuts it and ends it in "...".
deep = os.path.join(*(["가" * 80] * 16 + ["나" * 68]))
os.makedirs(os.path.join(TMP, deep))
target = os.path.join(deep, "다" * 80, "라" * 80)
for lang in ("en", "ko"):
    rc, err = run(["--model", deep, "--export", target], lang)
    body = err[len("attnstep: "):].rstrip("\n")
    check(f"--lang {lang}: an over-long message is one line of whole characters ending in ...",
          rc == 1 and err.count("\n") == 1 and "\ufffd" not in err and body.endswith("...")
          and 8000 < len(body.encode()) <= 8191 and body.startswith(deep[:100]),
          rc, len(body.encode()), err[:120], err[-120:])

# ---- the catalogue: what src/core marks keeps its directives, in Korean -----------
DIRECTIVE = re.compile(r"%(?:(\d+)\$)?[-+ #0']*(?:\d+|\*)?(?:\.\d+)?(hh|h|ll|l|L|z|j|t)?([diouxXeEfFgGaAcspn%])")


def directives(s):
    out, n = [], 0
    for m in DIRECTIVE.finditer(s):
        if m.group(3) == "%":
            continue
        n += 1
        out.append((int(m.group(1)) if m.group(1) else n, (m.group(2) or "") + m.group(3)))
    return sorted(out)


def unquote(block):
    s = "".join(re.findall(r'"(.*)"', block))
    return re.sub(r'\\(.)', lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), s)


with open(os.path.join(ROOT, "po", "ko.po"), encoding="utf-8") as f:
    entries = f.read().split("\n\n")
core, bad, english = 0, [], []
for e in entries:
    if "#: src/core/" not in e or e.lstrip().startswith("#~"):
        continue
    ids = re.search(r'^msgid ((?:".*"\n)+)', e + "\n", re.M)
    plural = re.search(r'^msgid_plural ((?:".*"\n)+)', e + "\n", re.M)
    strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n)+)', e + "\n", re.M)
    if not ids or not strs:
        continue
    core += 1
    msgid = unquote(ids.group(1))
    for s in strs:
        msgstr = unquote(s)
        wanted = directives(unquote(plural.group(1)) if plural else msgid)
        if directives(msgstr) != wanted or "#, fuzzy" in e:
            bad.append(f"{msgid!r} -> {msgstr!r}")
        # Model names alone ("an RNN" is "RNN") need no Hangul.
        if not hangul(msgstr) and msgstr not in ("RNN", "LSTM"):
            english.append(f"{msgid!r} -> {msgstr!r}")
check("the catalogue has the core's messages", core >= 90, core)
check("every core message keeps its msgid's printf directives (count, order or position, type)", not bad, *bad)
check("every core message is translated into Korean", not english, *english)
if shutil.which("msgfmt"):
    r = subprocess.run(["msgfmt", "-c", "-o", os.devnull, os.path.join(ROOT, "po", "ko.po")], capture_output=True)
    check("msgfmt -c accepts po/ko.po (format directives checked)", r.returncode == 0, r.stderr.decode())

# The core only looks texts up: choosing the language (setlocale) is the command line's.
core_dir = os.path.join(ROOT, "src", "core")
calls = [name for name in sorted(os.listdir(core_dir)) if name.endswith(".c")
         and re.search(r"\bsetlocale\s*\(|curses", open(os.path.join(core_dir, name), encoding="utf-8").read())]
check("src/core calls no setlocale and includes no curses", not calls, *calls)

# LANG=ko_KR.UTF-8 asks for Korean even where that locale is not installed (a
# lab machine with only C.UTF-8): glibc would fall back to "C" and English.
# LC_ALL=C, a LANGUAGE list and --lang still decide.
def usage_error(env):
    e = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    e.update(env)
    r = subprocess.run([BIN, "--no-such-option"], capture_output=True, timeout=60, env=e, cwd=TMP)
    return r.returncode, r.stderr.decode("utf-8", errors="replace")


for env, korean in (({"LANG": "ko_KR.UTF-8"}, True), ({"LC_ALL": "ko_KR.UTF-8"}, True),
                    ({"LANG": "ko_KR.UTF-8", "LANGUAGE": "ko:en"}, True),
                    ({"LANG": "ko_KR.UTF-8", "LC_ALL": "C"}, False), ({"LANG": "ko_KR.UTF-8", "LANGUAGE": "en"}, False),
                    ({"LANG": "kok_IN.UTF-8"}, False), ({"LANG": "C.UTF-8"}, False)):
    code, err = usage_error(env)
    check("%s: the usage error is %s" % (" ".join("%s=%s" % kv for kv in env.items()), "Korean" if korean else "English"),
          code == 2 and err.startswith("attnstep: ") and hangul(err) == korean
          and (korean or "unknown option '--no-such-option'" in err), err)

# An unknown option last on train's line is unknown, not "missing a value".
for lang in ("ko", None):
    code, err = run(["train", "data.csv", "--out", "m", "--bogus"], lang)
    po = open(os.path.join(ROOT, "po", "ko.po"), encoding="utf-8").read()
    ko_unknown = re.search(r'^msgid "unknown option %s"\nmsgstr "(.*)"$', po, re.M)
    want = ko_unknown.group(1).replace("%s", "--bogus") if lang and ko_unknown else "unknown option --bogus"
    check("train ... --bogus (last, %s): 'unknown option', exit 2" % (lang or "English"),
          code == 2 and want in err and "--bogus" in err, err)

shutil.rmtree(TMP, ignore_errors=True)
finish()
