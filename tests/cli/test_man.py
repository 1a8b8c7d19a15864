#!/usr/bin/env python3
"""The man pages, attnstep.1 and its Korean translation attnstep.ko.1 (stdlib only, TAP output).

Usage: test_man.py ATTNSTEP_BINARY SOURCE_ROOT BUILD_ROOT

Both pages render with groff without a single warning (and with man-db's
`man --warnings -l`, where man is installed); every option that `attnstep
--help` and `attnstep train --help` list appears in both rendered pages; the
two pages have the same sections and items (a translation leaves nothing out);
the Korean page is Korean; whatis can read both NAME lines; and `meson install`
puts the Korean page at share/man/ko/man1/attnstep.1 beside the English one.
Exits 77 (skipped) where groff is missing (Debian package groff-base).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from tap import check, finish

BIN, ROOT, BUILD = sys.argv[1], sys.argv[2], sys.argv[3]
if not shutil.which("groff"):
    print("1..0 # SKIP groff missing (Debian package groff-base)")
    sys.exit(77)
TMP = tempfile.mkdtemp(prefix="attnstep-man-")
PAGES = {"en": os.path.join(ROOT, "attnstep.1"), "ko": os.path.join(ROOT, "attnstep.ko.1")}
# a clean, predictable environment: no user locale, no colour escapes from grotty
ENV = {k: v for k, v in os.environ.items()
       if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE", "MANOPT", "MANWIDTH",
                    "ATTNSTEP_MODEL")}
ENV.update(LC_ALL="C.UTF-8", GROFF_NO_SGR="1")


def render(page, width="78n"):
    """groff's text for PAGE (overstriking removed) and what it wrote on standard error."""
    r = subprocess.run(["groff", "-K", "utf8", "-man", "-Tutf8", "-ww", "-rLL=" + width, page],
                       capture_output=True, env=ENV, timeout=60)
    text = re.sub(".\b", "", r.stdout.decode("utf-8", errors="replace"))
    return r.returncode, text, r.stderr.decode("utf-8", errors="replace")


def hangul(text):
    return sum("\uac00" <= c <= "\ud7a3" for c in text)


# ---- both pages render cleanly
wide = {}
for lang, page in PAGES.items():
    rc, text, err = render(page)
    check("%s renders with groff -ww, no warning, nothing lost" % os.path.basename(page),
          rc == 0 and not err.strip() and len(text) > 5000 and "\ufffd" not in text, "exit %d" % rc, err)
    # one very long line per paragraph: an option name is never broken across lines
    wide[lang] = render(page, "1000n")[1]
    if shutil.which("man"):
        r = subprocess.run(["man", "--warnings", "-l", "-E", "UTF-8", page], capture_output=True,
                           env=ENV, timeout=60)
        check("man --warnings -l renders %s without a warning" % os.path.basename(page),
              r.returncode == 0 and not r.stderr.strip() and len(r.stdout) > 5000,
              "exit %d" % r.returncode, r.stderr.decode(errors="replace"))

# ---- every option of --help and train --help is documented in both
options = set()
for args in (["--help"], ["train", "--help"]):
    r = subprocess.run([BIN, "--lang", "en", *args], capture_output=True, env=ENV, timeout=60)
    out = r.stdout.decode("utf-8", errors="replace")
    found = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*[a-z]|-[a-zA-Z])\b", out))
    check("attnstep %s lists its options" % " ".join(args), r.returncode == 0 and len(found) >= 5,
          r.stderr.decode(errors="replace"), out[:300])
    options |= found
for must in ("--model", "--lang", "--init-model", "--out", "--d-ff", "-V"):
    if must not in options:
        check("the option parser found %s in --help" % must, False, sorted(options))
for lang in PAGES:
    # an item of its own: a .TP tag, which groff sets at the left margin of the section's text
    tags = "\n".join(ln for ln in wide[lang].split("\n") if re.match(r" {7}-", ln))
    missing = sorted(o for o in options if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), tags))
    check("%s: each of the %d options of --help and train --help has an item of its own" % (lang, len(options)),
          not missing, "missing: " + " ".join(missing))

# ---- the Korean page is a whole translation, and Korean


def structure(page):
    with open(page, encoding="utf-8") as f:
        lines = f.read().split("\n")
    return [ln.split()[0] for ln in lines if re.match(r"\.(SH|TP|PP|SS)\b", ln)]


en_s, ko_s = structure(PAGES["en"]), structure(PAGES["ko"])
check("attnstep.ko.1 has the sections and items of attnstep.1 (%d .SH, %d .TP)" % (en_s.count(".SH"),
                                                                                  en_s.count(".TP")),
      en_s == ko_s, "en: %s" % " ".join(en_s), "ko: %s" % " ".join(ko_s))
ko = wide["ko"]
heads = [ln for ln in ko.split("\n") if ln and not ln[0].isspace()][1:-1]
english = [h for h in heads if not hangul(h)]
check("the Korean page is Korean: every section heading and most of the text in Hangul",
      hangul(ko) > 0.5 * sum(c.isalpha() for c in ko) and heads and not english,
      "Hangul %d of %d letters" % (hangul(ko), sum(c.isalpha() for c in ko)), "English headings: %s" % english)
check("the English page names the Korean one, and tiny-ko's classes 긍정 and 부정",
      "man -L ko attnstep" in wide["en"] and "attnstep.ko.1" in wide["en"] and "긍정" in wide["en"]
      and "부정" in wide["en"], wide["en"][-2000:])
if shutil.which("lexgrog"):
    r = subprocess.run(["lexgrog", PAGES["en"], PAGES["ko"]], capture_output=True, env=ENV, timeout=60)
    out = r.stdout.decode("utf-8", errors="replace")
    check("whatis reads both NAME lines (lexgrog)", r.returncode == 0
          and "attnstep - watch a transformer" in out and "attnstep - 트랜스포머의" in out, out,
          r.stderr.decode(errors="replace"))

# ---- meson install puts both pages in place
dest = os.path.join(TMP, "dest")
inst = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", dest],
                      capture_output=True, timeout=120)
installed = {}
for dirpath, _, names in os.walk(dest):
    for n in names:
        p = os.path.join(dirpath, n)
        for lang, tail in (("en", "share/man/man1/attnstep.1"), ("ko", "share/man/ko/man1/attnstep.1")):
            if p.endswith("/" + tail):
                installed[lang] = p
same = set(installed) == {"en", "ko"} and all(
    open(installed[k], "rb").read() == open(PAGES[k], "rb").read() for k in installed)
check("meson install puts attnstep.ko.1 at share/man/ko/man1/attnstep.1 and attnstep.1 at share/man/man1",
      inst.returncode == 0 and same, inst.stderr.decode(errors="replace")[-400:], installed)
if same and shutil.which("man"):
    manpath = os.path.dirname(os.path.dirname(installed["en"]))
    r = subprocess.run(["man", "-L", "ko", "attnstep"], capture_output=True, timeout=60,
                       env=dict(ENV, MANPATH=manpath))
    check("man -L ko attnstep finds the installed Korean page", r.returncode == 0
          and "트랜스포머의 셀프 어텐션" in r.stdout.decode("utf-8", errors="replace"),
          r.stdout[:300], r.stderr.decode(errors="replace"))

shutil.rmtree(TMP, ignore_errors=True)
finish()
