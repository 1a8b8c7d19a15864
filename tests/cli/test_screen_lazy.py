#!/usr/bin/env python3
"""The training snapshots are read when the training view first opens, not
before the first frame (issue 14), in tmux (stdlib only, TAP output).

Usage: test_screen_lazy.py ATTNSTEP_BINARY SOURCE_ROOT

- The training view of tiny-en reads cell for cell the same whether its
  snapshots were read before the first frame (--snapshot --view training
  --step K draws that view first) or after it (the screen opens on the
  pipeline, then v v v), at the first and the last snapshot.
- A snapshot damaged (and a stray file added) after the screen opened: the
  first frame was drawn, so start-up read no snapshot; the training view then
  shows the others, the message line names the damaged one (in English and in
  Korean), and once the screen ends stderr lists every warning; exit 0.
- snapshots/ made unreadable after the screen opened: the training view says
  it could not be read, the session goes on and ends with 0 (the folder is
  made unreadable to an unprivileged user: as root the run drops to nobody
  with setpriv, skipped without it).
- A large model (two snapshots of 100001 tokens): the status line says the snapshots are being read
  while they are (a small model's are read without a word: no frame in between).
- --bench: the first frame's time after start, and for a model with
  snapshots the time reading them took, apart.
Exits 77 (skipped) when tmux is not installed.
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

from tap import check, finish, hangul, svg_grid, tmux_tools

sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
if len(sys.argv) != 3:
    sys.stderr.write("usage: test_screen_lazy.py ATTNSTEP_BINARY SOURCE_ROOT\n")
    sys.exit(2)
BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
if not shutil.which("tmux"):
    sys.stderr.write("test_screen_lazy.py: tmux is not installed; skipping\n")
    sys.exit(77)
MODELS = os.path.join(ROOT, "assets", "models")
TINY_EN, RANDOM_EN = os.path.join(MODELS, "tiny-en"), os.path.join(MODELS, "random-en")
TMP = tempfile.mkdtemp(prefix="attnstep-lazy-")
os.chmod(TMP, 0o755)  # an unprivileged run reads the model copied here
SOCKET = "attnstep-lazy-%d" % os.getpid()
W, H = 100, 30
CW, CH = 9, 18  # an SVG cell
ENV = {k: v for k, v in os.environ.items()
       if k not in ("LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LANGUAGE", "NO_COLOR", "ATTNSTEP_MODEL", "TMUX",
                    "TMUX_PANE", "COLUMNS", "LINES")}
ENV["LANG"] = "C.UTF-8"
HEAD = "── Training: watching attention learn · epoch %d of 20 (snapshot %d of %d)"


tmux, capture, wait = tmux_tools(SOCKET, ENV, wait_timeout=10.0)


def pane(name, argv):
    """A session running argv (a list) through sh, with its stderr in TMP/name.err and its exit
    status on the screen after it ends."""
    cmd = " ".join("'%s'" % a.replace("'", "'\\''") for a in ["env", "TERM=tmux-256color", *argv])
    err = os.path.join(TMP, name + ".err")
    tmux("new-session", "-d", "-s", name, "-x", str(W), "-y", str(H),
         "sh", "-c", "%s 2>'%s'; echo EXIT $?; sleep 60" % (cmd, err))
    return "=%s:" % name, err


def poll(target, pred, timeout=20.0):
    """The first screen for which pred holds (however briefly it shows), or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = capture(target)
        if pred(s):
            return s
        time.sleep(0.01)
    return None


def has(text):
    return lambda s: any(text in line for line in s)


def keys(target, *k):
    tmux("send-keys", "-t", target, *k)


def first_frame(target):
    return wait(target, lambda s: len(s) == H and s[-1].startswith((" stage 1/", " 단계 1/")))


def message(screen):
    """The message line(s) above the status line, joined."""
    out = []
    for line in reversed(screen[:-1]):
        out.insert(0, line.strip())
        if line.startswith(" ▸ ") or len(out) > 3:
            break
    return " ".join(out)


def grid(f):
    return svg_grid(f, CW, CH)[0]


def diff(a, b):
    return ["%d: %r\n   %r" % (i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y][:4] + (
        ["%d rows against %d" % (len(a), len(b))] if len(a) != len(b) else [])


def copy_model(name):
    dst = os.path.join(TMP, name)
    shutil.copytree(TINY_EN, dst)
    for d, dirs, files in os.walk(dst):
        for n in dirs + files:
            p = os.path.join(d, n)
            os.chmod(p, os.stat(p).st_mode | stat.S_IROTH | (stat.S_IXOTH if n in dirs else 0))
    return dst


def damage(model):
    """A bad number in epoch-001's W_Q (line 2, column 2) and a stray file."""
    p = os.path.join(model, "snapshots", "epoch-001", "w_q.csv")
    with open(p, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cells = lines[1].split(",")
    cells[1] = "x1"
    lines[1] = ",".join(cells)
    with open(p, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    with open(os.path.join(model, "snapshots", "notes.txt"), "w") as f:
        f.write("not a snapshot\n")


def ended(target, err):
    s = wait(target, has("EXIT "))
    status = next((l.split()[1] for l in s if l.startswith("EXIT ")), None)
    with open(err, encoding="utf-8", errors="replace") as f:
        return status, f.read()


try:
    tmux("new-session", "-d", "-s", "anchor", "-x", str(W), "-y", str(H), "cat")

    # ---- the same view, its snapshots read before or after the first frame ----
    for step, keyseq in ((12, []), (1, ["g"])):
        t, err = pane("same%d" % step, [BIN, "--lang", "en", "--model", TINY_EN])
        first_frame(t)
        keys(t, "v", "v", "v", *keyseq)
        screen = wait(t, has(HEAD % (20 if step == 12 else 0, step, 12)))
        f = os.path.join(TMP, "same%d.svg" % step)
        r = subprocess.run([BIN, "--lang", "en", "--model", TINY_EN, "--snapshot", f, "--size", "%dx%d" % (W, H),
                            "--view", "training", "--step", str(step)], capture_output=True, text=True, env=ENV,
                           stdin=subprocess.DEVNULL, timeout=120)
        rows = grid(f) if r.returncode == 0 else []
        check("training view at snapshot %d: read after the first frame (v v v) it is cell for cell the view "
              "read before it (--snapshot --view training)" % step,
              r.returncode == 0 and rows == screen and any((HEAD % (20 if step == 12 else 0, step, 12)) in l
                                                           for l in rows),
              r.stderr, *diff(rows, screen))
        tmux("kill-session", "-t", "=same%d" % step)

    # ---- start-up reads no snapshot: one damaged after the first frame -------
    for lang in ("en", "ko"):
        model = copy_model("damaged-" + lang)
        t, err = pane("dmg-" + lang, [BIN, "--lang", lang, "--model", model])
        s = first_frame(t)
        check("%s: the first frame is drawn before the snapshots are touched" % lang, len(s) == H, *s[-3:])
        damage(model)
        keys(t, "v", "v", "v")
        s = wait(t, lambda s: any(("(snapshot 11 of 11)" in l or "11/11" in l) for l in s) and
                 "epoch-001" in message(s))
        msg = message(s)
        where = os.path.join(model, "snapshots", "epoch-001")
        check("%s: the training view shows the 11 snapshots left; the message line names the damaged one, "
              "its own location and that there is 1 more" % lang,
              any("11" in l for l in s[:3]) and where + ": " in msg and "w_q.csv:2:" in msg and "1" in msg
              and (hangul(msg) if lang == "ko" else "and 1 more" in msg), msg, *s[:3])
        keys(t, "q")
        status, errs = ended(t, err)
        lines = [l for l in errs.split("\n") if l]
        check("%s: once the screen ends stderr has both warnings, one line each, and the exit status is 0" % lang,
              status == "0" and len(lines) == 2 and all(l.startswith("attnstep: ") for l in lines) and
              any(where + ": " in l and "w_q.csv:2:" in l for l in lines) and
              any(os.path.join(model, "snapshots", "notes.txt: ") in l for l in lines), status, errs)
        tmux("kill-session", "-t", "=dmg-" + lang)

    # ---- snapshots/ unreadable after the first frame -----------------------
    drop = [] if os.geteuid() != 0 else ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    if drop and not shutil.which("setpriv"):
        check("an unreadable snapshots/ is said on the screen # SKIP root without setpriv reads any folder", True)
    else:
        model = copy_model("unreadable")
        t, err = pane("unreadable", [*drop, BIN, "--lang", "en", "--model", model])
        s = first_frame(t)
        os.chmod(os.path.join(model, "snapshots"), 0)
        keys(t, "v", "v", "v")
        s = wait(t, has("could not be read"))
        text = " ".join(l.strip() for l in s)
        check("snapshots/ unreadable after start: the training view says it could not be read, and where",
              "The training history could not be read: %s: cannot open" % os.path.join(model, "snapshots") in text,
              *s[:6])
        keys(t, "Right", "v")
        s = wait(t, lambda s: len(s) == H and not any("could not be read" in l for l in s))
        keys(t, "q")
        status, errs = ended(t, err)
        check("and the session goes on (keys, another view) and ends with 0", status == "0", status, errs, *s[-3:])
        os.chmod(os.path.join(model, "snapshots"), 0o755)
        tmux("kill-session", "-t", "=unreadable")

    # ---- a large model: the status line says the snapshots are being read --------
    big = os.path.join(TMP, "big")
    words = os.path.join(TMP, "words.csv")
    with open(words, "w") as f:
        f.write("token\n<unk>\n" + "".join("w%d\n" % i for i in range(100000)))
    r = subprocess.run([BIN, "--init-model", big, "--vocab", words, "--d-model", "16", "--heads", "2"],
                       capture_output=True, text=True, env=ENV, timeout=120)
    for e in ("000", "001"):  # two snapshots of 100001 tokens: about 10 MB each to read
        os.makedirs(os.path.join(big, "snapshots", "epoch-" + e))
        for name in os.listdir(big):
            if name.endswith(".csv"):
                shutil.copy(os.path.join(big, name), os.path.join(big, "snapshots", "epoch-" + e))
    t, err = pane("big", [BIN, "--lang", "en", "--model", big, "w1", "w2"])
    first_frame(t)
    keys(t, "v", "v", "v")
    seen = poll(t, lambda s: bool(s) and s[-1].startswith(" reading the training snapshots"))
    s = wait(t, has("(snapshot 2 of 2)"), timeout=60)
    check("a large model (2 snapshots of 100001 tokens): the status line says the snapshots are being read, "
          "then the training view shows them",
          r.returncode == 0 and seen and seen[-1].startswith(" reading the training snapshots…") and
          any("(snapshot 2 of 2)" in l for l in s), r.stderr, *(seen or [])[-2:], *s[:3])
    tmux("kill-session", "-t", "=big")
finally:
    tmux("kill-server")

# ---- --bench: the first frame, then the snapshots apart ----------------------
for model, snaps in ((TINY_EN, 12), (RANDOM_EN, 0)):
    r = subprocess.run([BIN, "--lang", "en", "--model", model, "--bench", "64x18"], capture_output=True, text=True,
                       env=ENV, stdin=subprocess.DEVNULL, timeout=300)
    first = re.search(r"^first frame (\d+\.\d) ms after start", r.stdout, re.M)
    read = re.search(r"^training snapshots: (\d+) read in (\d+\.\d) ms", r.stdout, re.M)
    check("--bench %s: the first frame's time after start%s" % (
        os.path.basename(model), ", and the %d snapshots read apart" % snaps if snaps else ", no snapshots"),
        r.returncode == 0 and first and float(first.group(1)) > 0 and
        (read and int(read.group(1)) == snaps if snaps else not read), r.stdout, r.stderr)

shutil.rmtree(TMP, ignore_errors=True)
finish()
