#!/usr/bin/env python3
"""Files and processes: how attnstep publishes a directory (stdlib only, TAP output).

Usage: test_files.py ATTNSTEP_BINARY SOURCE_ROOT

- Writers racing for the same new DIR (--export, --init-model, train --out):
  exactly one wins, the others exit 1 with one line, DIR is whole and is the
  winner's, and no DIR.tmp-* is left.
- --force replaces DIR while a reader keeps looking at it: DIR never vanishes.
- An output that is, contains or lies inside an input (the model read, the
  training data, the vocabulary) is refused, however the path is spelled, and
  the input is left untouched.
- What is published follows the umask (022: 755/644, 077: 700/600).
- SIGINT, SIGTERM, SIGHUP during `train` (and during the writing of an export):
  the staging directory goes, no DIR appears, and the program dies by that
  signal (a shell reports 128+signal); a signal ignored at start stays ignored.

No timing decides a result: signals are sent after the program has said (or
shown on disk) that it is in the phase under test.
"""
import filecmp
import glob
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from tap import check, finish

BIN, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TMP = tempfile.mkdtemp(prefix="attnstep-files-")
DATA = os.path.join(ROOT, "assets", "data", "sentiment-en-train.csv")
ENV = {k: v for k, v in os.environ.items() if k != "ATTNSTEP_MODEL"}


def path(*parts):
    return os.path.join(TMP, *parts)


def run(*args, umask=None, timeout=300):
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout, env=ENV, cwd=TMP,
                          umask=-1 if umask is None else umask)


def start(*args, **kw):
    return subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=TMP,
                            **kw)


def one_error(stderr, *needles):
    lines = stderr.decode(errors="replace").strip().split("\n")
    return len(lines) == 1 and lines[0].startswith("attnstep: ") and all(n in lines[0] for n in needles)


def leftovers():
    return [p for p in glob.glob(path("**", "*.tmp-*"), recursive=True)]


def same_tree(a, b):
    """Every file of a is in b with the same bytes, and the other way round."""
    fa = sorted(os.path.relpath(os.path.join(d, f), a) for d, _, fs in os.walk(a) for f in fs)
    fb = sorted(os.path.relpath(os.path.join(d, f), b) for d, _, fs in os.walk(b) for f in fs)
    return fa == fb and all(filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False) for f in fa)


def snapshot(d):
    """What a directory holds, with every file's bytes and mtime, to see that it was left alone."""
    out = {}
    for dirpath, _, files in os.walk(d):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, d)] = (fh.read(), os.stat(p).st_mtime_ns)
    return out


SENTENCE = ["the", "movie", "was", "not", "good"]
r = run("--init-model", "model", "--seed", "1")
check("setup: --init-model makes the model the tests read", r.returncode == 0, r.stderr)

# ---- races: exactly one of eight writers wins ------------------------------------------


def race(name, argv_for, reference_for):
    """Starts eight writers at once; checks one wins, seven lose with a message, DIR is the winner's."""
    procs = [start(*argv_for(i)) for i in range(8)]
    outs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    winners = [i for i, c in enumerate(codes) if c == 0]
    losers_ok = all(one_error(outs[i][1], "exists", "--force") for i, c in enumerate(codes) if c != 0)
    check("%s: 8 writers at once, exactly one exits 0, the others exit 1" % name,
          len(winners) == 1 and sorted(codes) == [0] + [1] * 7, codes)
    check("%s: each loser says DIR already exists, in one line" % name, losers_ok,
          *[o[1] for o in outs if o[1]][:3])
    ref = reference_for(winners[0]) if len(winners) == 1 else None
    check("%s: DIR is whole and is exactly the winner's output" % name, ref and same_tree(ref, path(name)),
          winners)
    check("%s: no DIR.tmp-* is left behind" % name, not leftovers(), leftovers())


def reference_init(i):
    d = path("ref-init", "race-init")  # the same base name: a model is named after its directory
    shutil.rmtree(d, ignore_errors=True)
    run("--init-model", d, "--seed", str(100 + i))
    return d


race("race-init", lambda i: ("--init-model", "race-init", "--seed", str(100 + i)), reference_init)


def reference_export(i):
    d = path("ref-export-%d" % i)
    if not os.path.isdir(d):
        run("--model", "model", "--export", d, "--", *SENTENCE[:2 + i % 4])
    return d


race("race-export", lambda i: ("--model", "model", "--export", "race-export", "--", *SENTENCE[:2 + i % 4]),
     reference_export)


def reference_train(i):
    d = path("ref-train", "race-train")
    shutil.rmtree(d, ignore_errors=True)
    run("train", DATA, "--out", d, "--epochs", "2", "--seed", str(i + 1))
    return d


race("race-train", lambda i: ("train", DATA, "--out", "race-train", "--epochs", "2", "--seed", str(i + 1)),
     reference_train)

# ---- --force replaces in one step -------------------------------------------------------

target = path("forced")
run("--init-model", target, "--seed", "1")
seen = {"looks": 0, "missing": 0}
done = threading.Event()


def reader():
    while not done.is_set():
        try:
            ok = stat.S_ISDIR(os.lstat(target).st_mode)
        except FileNotFoundError:
            ok = False
        seen["looks"] += 1
        seen["missing"] += not ok


t = threading.Thread(target=reader)
t.start()
codes = []
for round_ in range(5):
    procs = [start("--init-model", target, "--force", "--seed", str(10 * round_ + k)) for k in range(3)]
    codes += [p.wait(timeout=300) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
done.set()
t.join()
check("--force: 15 writers replacing one DIR all succeed", codes == [0] * 15, codes)
check("--force: a reader looking %d times never finds DIR missing" % seen["looks"],
      seen["looks"] > 0 and seen["missing"] == 0, seen)
r = run("--model", target, "--print")
check("--force: DIR is a whole model afterwards, and no DIR.tmp-* is left", r.returncode == 0 and not leftovers(),
      r.stderr, leftovers())

# The reader above cannot see a window of a few microseconds; the system calls can. Where strace works, the
# replacement must be one renameat2(RENAME_EXCHANGE), or (only where the filesystem refuses that with EINVAL)
# the rename-aside fallback.
strace = shutil.which("strace")
if strace:
    r = subprocess.run([strace, "-f", "-e", "trace=rename,renameat,renameat2", BIN, "--init-model", target, "--force"],
                       capture_output=True, cwd=TMP, timeout=300,  # LeakSanitizer cannot run under ptrace
                       env=dict(ENV, ASAN_OPTIONS=ENV.get("ASAN_OPTIONS", "") + ":detect_leaks=0"))
    calls = [line for line in r.stderr.decode(errors="replace").split("\n") if "rename" in line]
    exchange = [c for c in calls if "RENAME_EXCHANGE" in c]
    if r.returncode == 0 and calls:  # else ptrace is not allowed here: nothing to see
        check("--force: DIR is replaced by a single exchange of names (strace)",
              (len(calls) == 1 and exchange and exchange[0].endswith("= 0")) or
              (exchange and "EINVAL" in exchange[0]), *calls)

# ---- an output never replaces an input ---------------------------------------------------

os.symlink("model", path("model-link"))
os.makedirs(path("sub"))
os.makedirs(path("outer"))
run("--init-model", path("outer", "inner-model"), "--seed", "2")
before = snapshot(path("model"))
refusals = [
    ("the same path", ("--model", "model", "--export", "model", "--force"), "is the model being read"),
    ("the model given through a symlink", ("--model", "model-link", "--export", "model", "--force"),
     "is the model being read"),
    ("DIR given through a symlink", ("--model", "model", "--export", "model-link", "--force"),
     "is the model being read"),
    ("DIR given as sub/../model", ("--model", "model", "--export", "sub/../model", "--force"),
     "is the model being read"),
    ("DIR given as an absolute path", ("--model", "model", "--export", path("model"), "--force"),
     "is the model being read"),
    ("DIR inside the model", ("--model", "model", "--export", "model/inside"), "is inside the model being read"),
    ("DIR containing the model", ("--model", "outer/inner-model", "--export", "outer", "--force"),
     "contains the model being read"),
]
for what, args, needle in refusals:
    r = run(*args)
    check("--export over the model read (%s): exit 1, one line" % what,
          r.returncode == 1 and one_error(r.stderr, needle), r.returncode, r.stderr)
check("--export: the model read is left untouched, nothing is added inside it",
      snapshot(path("model")) == before and not os.path.exists(path("model", "inside")) and not leftovers())
check("--export: the model inside a refused DIR is still there", os.path.isfile(path("outer", "inner-model",
                                                                                        "config.csv")))

r = run("train", DATA, "--out", "trained", "--epochs", "1")
check("setup: a trained model to start from", r.returncode == 0, r.stderr)
before = snapshot(path("trained"))
for what, out in (("the same path", "trained"), ("another spelling", "sub/../trained/")):
    r = run("train", DATA, "--from", "trained", "--out", out, "--force", "--epochs", "1")
    check("train --out equal to --from (%s): exit 1, one line" % what,
          r.returncode == 1 and one_error(r.stderr, "is the model being read"), r.stderr)
check("train: the model started from is left untouched", snapshot(path("trained")) == before)
os.makedirs(path("holder"))
shutil.copy(DATA, path("holder", "data.csv"))
r = run("train", "holder/data.csv", "--out", "holder", "--force", "--epochs", "1")
check("train --out containing the training data: exit 1, the data is still there",
      r.returncode == 1 and one_error(r.stderr, "contains the training data") and
      os.path.isfile(path("holder", "data.csv")), r.stderr)
os.makedirs(path("vocab-holder"))
with open(path("vocab-holder", "vocab.csv"), "w") as f:
    f.write("token\nthe\ncat\n")
r = run("--init-model", "vocab-holder", "--vocab", "vocab-holder/vocab.csv", "--force")
check("--init-model DIR containing its --vocab: exit 1, the vocabulary is still there",
      r.returncode == 1 and one_error(r.stderr, "contains the vocabulary being read") and
      os.path.isfile(path("vocab-holder", "vocab.csv")), r.stderr)

# ---- the umask ---------------------------------------------------------------------------


def modes(d):
    """The set of (kind, permission bits) of d and of everything in it."""
    out = {("dir", stat.S_IMODE(os.stat(d).st_mode))}
    for dirpath, dirs, files in os.walk(d):
        out |= {("dir", stat.S_IMODE(os.stat(os.path.join(dirpath, x)).st_mode)) for x in dirs}
        out |= {("file", stat.S_IMODE(os.stat(os.path.join(dirpath, x)).st_mode)) for x in files}
    return out


for mask, want_dir, want_file in ((0o022, 0o755, 0o644), (0o077, 0o700, 0o600)):
    made = [
        ("--init-model", "um-init-%o" % mask, ("--init-model",)),
        ("--export", "um-export-%o" % mask, ("--model", "model", "--export")),
        ("train --out", "um-train-%o" % mask, ("train", DATA, "--epochs", "1", "--out")),
        ("--init-model --force over a 700 DIR", "um-force-%o" % mask, ("--force", "--init-model")),
    ]
    os.makedirs(path("um-force-%o" % mask), mode=0o700)
    open(path("um-force-%o" % mask, "old"), "w").close()
    for what, out, args in made:
        r = run(*args, out, umask=mask)
        got = modes(path(out)) if r.returncode == 0 else set()
        check("umask %03o: %s gives directories %o and files %o" % (mask, what, want_dir, want_file),
              got == {("dir", want_dir), ("file", want_file)}, r.stderr, sorted("%s %o" % m for m in got))

# ---- signals -----------------------------------------------------------------------------


def interrupted_train(sig):
    """A long train (many epochs), signalled once it has reported an epoch (so snapshots are on disk)."""
    out = "sig-%d" % sig
    p = start("train", DATA, "--out", out, "--epochs", "100000", "--d-model", "8", "--heads", "1", "--d-ff", "8")
    lines = []
    while True:
        line = p.stdout.readline().decode()
        lines.append(line)
        if not line or line.startswith("epoch 1/"):
            break
    staged = glob.glob(path(out + ".tmp-*", "snapshots", "epoch-001"))
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    name = signal.Signals(sig).name
    check("train, %s mid-run: a snapshot was being staged before the signal" % name, staged, lines)
    check("train, %s mid-run: dies by %s, saying so in one line" % (name, name),
          p.returncode == -sig and one_error(err, "interrupted by " + name, "nothing was written"),
          p.returncode, err)
    check("train, %s mid-run: no DIR and no DIR.tmp-* left" % name,
          not glob.glob(path(out + "*")), glob.glob(path(out + "*")))


for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    interrupted_train(sig)

# What a shell reports: 128 + the signal (a background job, so SIGTERM rather than SIGINT).
script = '"$0" train "$1" --out sh-sig --epochs 100000 --d-model 8 --heads 1 --d-ff 8 & ' \
         'echo "pid $!"; wait $!; echo "status $?"'
p = subprocess.Popen(["sh", "-c", script, BIN, DATA], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
                     cwd=TMP)
pid = int(p.stdout.readline().split()[1])
line = p.stdout.readline()  # "training on …", then the first epoch
while line and not line.startswith(b"epoch 1/"):
    line = p.stdout.readline()
os.kill(pid, signal.SIGTERM)
out, _ = p.communicate(timeout=120)
check("train under sh, SIGTERM: the shell sees status 143 (128+15)", b"status 143" in out, out)
check("train under sh, SIGTERM: nothing left", not glob.glob(path("sh-sig*")), glob.glob(path("sh-sig*")))

# A background job of a script inherits SIGINT ignored: it must stay ignored (nohup works the same way for SIGHUP).
p = subprocess.Popen([BIN, "train", DATA, "--out", "ignored", "--epochs", "3", "--d-model", "8", "--heads", "1",
                      "--d-ff", "8"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=TMP,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
line = p.stdout.readline()
while line and not line.startswith(b"epoch 1/"):
    line = p.stdout.readline()
p.send_signal(signal.SIGINT)
_, err = p.communicate(timeout=120)
check("train with SIGINT ignored from the start: the signal changes nothing, the model is written",
      p.returncode == 0 and os.path.isfile(path("ignored", "config.csv")) and not leftovers(), p.returncode, err)

# An export signalled while it writes: the staging directory is watched for, then the signal is sent. The
# export may still finish first; either way nothing half-written may remain.
r = run("--init-model", "wide", "--d-model", "128", "--heads", "4", "--seed", "5")
words = (SENTENCE * 20)[:100]
for sig in (signal.SIGTERM, signal.SIGINT):
    out = path("sig-export-%d" % sig)
    p = start("--model", "wide", "--export", out, "--", *words)
    while not glob.glob(out + ".tmp-*") and p.poll() is None:
        time.sleep(0.0005)
    p.send_signal(sig)
    _, err = p.communicate(timeout=300)
    name = signal.Signals(sig).name
    killed = p.returncode == -sig and one_error(err, "interrupted by " + name) and not os.path.exists(out)
    finished = p.returncode == 0 and os.path.isfile(os.path.join(out, "tokens.csv"))
    check("export, %s while writing: %s, and no DIR.tmp-* left" % (
          name, "stopped with no DIR" if killed else "finished first, DIR whole" if finished else "?"),
          (killed or finished) and not glob.glob(out + ".tmp-*"), p.returncode, err)

shutil.rmtree(TMP, ignore_errors=True)
finish(6)
