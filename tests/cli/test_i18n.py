#!/usr/bin/env python3
"""The Korean catalogue and --lang (stdlib only, TAP output).

Usage: test_i18n.py ATTNSTEP_BINARY SOURCE_ROOT BUILD_ROOT

po/ko.po must translate every message the sources mark with _() or N_() (a
freshly extracted .pot, not the committed one, so a new string without a
translation fails here), and msgfmt -c must find nothing wrong, fuzzy or
untranslated. Then --help and train --help in Korean with --lang ko, also on a
machine with only C.UTF-8 (no LANG, no LANGUAGE), English otherwise, a bad
--lang refused with exit 2, and the catalogue found after meson install.
Exits 77 (skipped) where xgettext or msgfmt is missing.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish, hangul, width

BIN, ROOT, BUILD = sys.argv[1], sys.argv[2], sys.argv[3]
if not shutil.which("xgettext") or not shutil.which("msgfmt"):
    print("1..0 # SKIP xgettext or msgfmt missing (Debian package gettext)")
    sys.exit(77)
TMP = tempfile.mkdtemp(prefix="attnstep-i18n-")
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE")


def run(*args, env=None, binary=BIN):
    """attnstep with the locale variables cleared, then `env` added."""
    e = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS and k != "ATTNSTEP_MODEL"}
    e.update(env or {})
    return subprocess.run([binary, *args], capture_output=True, timeout=60, env=e)


def msgids(po_text):
    """The msgids of a .po/.pot file, unescaped, without the header's empty one."""
    ids = set()
    for m in re.finditer(r'^msgid ((?:".*"\n)+)', po_text, re.M):
        s = "".join(re.findall(r'"(.*)"', m.group(1)))
        ids.add(re.sub(r'\\(.)', lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), s))
    ids.discard("")
    return ids


# (a) the catalogue is complete for what the sources mark today
po_dir = os.path.join(ROOT, "po")
with open(os.path.join(po_dir, "POTFILES"), encoding="utf-8") as f:
    sources = [os.path.join(ROOT, line.strip()) for line in f if line.strip() and not line.startswith("#")]
pot = os.path.join(TMP, "fresh.pot")
x = subprocess.run(["xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_", "-o", pot, *sources],
                   capture_output=True)
with open(pot, encoding="utf-8") as f:
    wanted = msgids(f.read())
with open(os.path.join(po_dir, "ko.po"), encoding="utf-8") as f:
    ko_text = f.read()
have = msgids(ko_text)
missing = sorted(wanted - have)
check("xgettext finds the marked strings of --help, train --help and the usage errors",
      x.returncode == 0 and len(wanted) >= 30, x.stderr, len(wanted))
check("po/ko.po has every msgid the sources mark (add a translation with each new string)",
      not missing, *missing[:5])
stats = subprocess.run(["msgfmt", "-c", "--statistics", "-o", os.path.join(TMP, "ko.mo"),
                        os.path.join(po_dir, "ko.po")], capture_output=True)
report = stats.stderr.decode()
check("msgfmt -c: no error, every message translated, none fuzzy",
      stats.returncode == 0 and re.fullmatch(r"\d+ translated messages\.\n", report), report)
obsolete = re.findall(r"^#~ msgid", ko_text, re.M)
check("po/ko.po keeps no obsolete (#~) entries", not obsolete, len(obsolete))

# (b) which language --help speaks
ko_help = run("--lang", "ko", "--help", env={"LANG": "C.UTF-8"})
out = ko_help.stdout.decode()
check("--lang ko --help is Korean, with the course terms", ko_help.returncode == 0 and hangul(out)
      and "사용법: attnstep" in out and "쿼리(Query)" in out and "소프트맥스" in out and "은닉 상태" in out,
      out[:300], ko_help.stderr)
wide = [line for line in out.split("\n") if width(line) > 79]
check("--lang ko --help fits 79 columns (Hangul counted as 2)", not wide, *wide)
options = set(re.findall(r"--[a-z][a-z-]*", run("--help").stdout.decode()))
check("--lang ko --help names every option English --help names",
      options and options <= set(re.findall(r"--[a-z][a-z-]*", out)), options)
r = run("--lang=ko", "--help", env={"LANG": "C.UTF-8"})
check("--lang=ko works too", r.returncode == 0 and hangul(r.stdout.decode()))
for name, env in (("LANG=C.UTF-8", {"LANG": "C.UTF-8"}), ("no locale variable", {}),
                  ("LANG=C", {"LANG": "C"})):
    r = run("--help", env=env)
    check(f"without --lang, {name}: --help is English as before", r.returncode == 0
          and r.stdout.decode().startswith("attnstep — watch") and not hangul(r.stdout.decode()), r.stdout[:200])
r = run("--lang", "en", "--help", env={"LANG": "C.UTF-8", "LANGUAGE": "ko"})
check("--lang en wins over LANGUAGE=ko", r.returncode == 0 and not hangul(r.stdout.decode()), r.stdout[:200])
r = run("--help", env={"LANG": "C.UTF-8", "LANGUAGE": "ko"})
check("LANGUAGE=ko under C.UTF-8 chooses Korean, as gettext does", hangul(r.stdout.decode()), r.stdout[:200])

r = run("train", "--lang", "ko", "--help", env={"LANG": "C.UTF-8"})
out = r.stdout.decode()
check("train --lang ko --help is Korean and fits 79 columns",
      r.returncode == 0 and "사용법: attnstep train" in out and "--epochs" in out
      and not [line for line in out.split("\n") if width(line) > 79], out[:300])
r = run("--lang", "ko", "train", "--help", env={"LANG": "C.UTF-8"})
check("--lang ko train --help: --lang may come before train", r.returncode == 0
      and r.stdout.decode().startswith("사용법: attnstep train"), r.stdout[:200])
r = run("train", "--help", env={"LANG": "C.UTF-8"})
check("train --help is English by default", r.returncode == 0 and not hangul(r.stdout.decode()))

# (c) bad values, and usage errors in Korean
for args in (("--lang", "xx", "--help"), ("--lang=fr",), ("train", "--lang", "de", "--help")):
    r = run(*args, env={"LANG": "C.UTF-8"})
    err = r.stderr.decode()
    check(f"{' '.join(args)}: usage error (2) naming en and ko", r.returncode == 2 and "en" in err
          and "ko" in err and "--lang" in err and not r.stdout, err)
r = run("--lang", "ko", "--granularity", "word", env={"LANG": "C.UTF-8"})
err = r.stderr.decode()
check("--lang ko: a usage error is Korean, with its attnstep: prefix and the value",
      r.returncode == 2 and err.startswith("attnstep: --granularity") and "'word'" in err and hangul(err)
      and "'attnstep --help'" in err, err)
r = run("train", "--lang", "ko", "--epochs", "0", "x.csv", env={"LANG": "C.UTF-8"})
err = r.stderr.decode()
check("train --lang ko: a usage error is Korean", r.returncode == 2 and err.startswith("attnstep: train: ")
      and hangul(err) and "--epochs" in err, err)
r = run("--granularity", "word", env={"LANG": "C.UTF-8"})
check("without --lang the same usage error is English as before",
      r.stderr.decode() == "attnstep: --granularity must be stage, row or cell, not 'word'\n"
      "Try 'attnstep --help' for more information.\n", r.stderr)

# (d) only C.UTF-8, nothing set: --lang ko still finds the catalogue
r = run("--lang", "ko", "--help")
check("no LANG/LANGUAGE/LC_*: --lang ko is Korean (C.UTF-8 stands in for ko_KR)",
      r.returncode == 0 and hangul(r.stdout.decode()), r.stdout[:200], r.stderr)
r = run("--lang", "ko", "--help", env={"LC_ALL": "C"})
check("LC_ALL=C: --lang ko is Korean all the same", r.returncode == 0 and hangul(r.stdout.decode()),
      r.stdout[:200])

# the catalogue after meson install, found next to the installed binary
dest = os.path.join(TMP, "dest")
inst = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", dest],
                      capture_output=True, timeout=120)
mo = [os.path.join(d, n) for d, _, names in os.walk(dest) for n in names if n == "attnstep.mo"]
installed_bin = [os.path.join(d, "attnstep") for d, _, names in os.walk(dest)
                 if "attnstep" in names and d.endswith("bin")]
ok = inst.returncode == 0 and len(mo) == 1 and mo[0].endswith("share/locale/ko/LC_MESSAGES/attnstep.mo")
if ok and installed_bin:
    r = run("--lang", "ko", "--help", binary=installed_bin[0])
    ok = r.returncode == 0 and hangul(r.stdout.decode())
check("meson install puts the catalogue under share/locale, and the installed binary finds it", ok,
      inst.stderr[-300:], mo)

shutil.rmtree(TMP, ignore_errors=True)
finish()
