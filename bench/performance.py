#!/usr/bin/python3
"""Issue 14's performance table in one run: attnstep beside its peer, row by row, as Markdown.

Run from the source tree after building (the table goes to stdout, progress to stderr):
    /usr/bin/python3 bench/performance.py > performance.md
Options: --repeat N (alternating runs of each side, default 5; the 400k vocabulary runs --repeat-large
times, default 1), --quick (small sizes, seconds, for a smoke test), --rows 1,2,6 (some rows only),
--attnstep PATH (default build/attnstep), --tmp DIR (where the generated vocabularies go: 1.3 GB).

The rows:
1. First frame, tiny-en (trained, 12 snapshots, which the training view reads when it opens) beside
   random-en (no snapshots), medians of alternating runs, two ways: as a person sees it, from the command
   to the first frame (a shell loop of `--snapshot` runs, each drawing the first frame and exiting: process
   start and exit included; the goal is judged on this one, as the issue's 3.5 ms for random-en was), and
   from the start of main() to the first frame drawn, as `attnstep --model M --bench 120x40` prints it.
2. `--export` with a 100k x 300 vocabulary (GloVe-sized): a model directory generated in a temporary folder
   (config.csv, vocab.csv, w_q/w_k/w_v/w_o), its numbers like GloVe's text files (3 to 6 significant digits)
   with one in twenty at 17 significant digits, as a trained model writes them. `attnstep --model DIR
   --export OUT` beside numpy.loadtxt of the same vocab.csv's numbers (in its own python process, so each
   peak RSS is its own): wall time and peak RSS (wait4's ru_maxrss), medians of alternating runs.
3. A 400k x 300 vocabulary (GloVe 6B's size, over 1 GB): attnstep's time, peak RSS and exit status until it
   loads or refuses (the first line of what it says when it refuses).
4. and 5. Training d_model 64 (4 heads, d_ff 128) and 200-token sentences at d_model 16, sentences per second:
   bench/torch_compare.py --summary FILE (its CSV: case,attnstep_per_s,torch_per_s; cases d64 and
   long200), PyTorch 1.13 with padded batches of 16 on one thread, run twice: on OpenBLAS (as its users
   would run it; the goal is judged against it) and on Debian's default reference BLAS (--torch-blas system,
   the peer of the issue's first figures). "not available" when torch_compare.py has no --summary or
   PyTorch is missing.
6. `train --out`: tiny-en's recorded training command (assets/models/tiny-en/config.csv) without
   --recurrent (the RNN and LSTM, which train --bench does not train), 20 epochs. The share of the run spent
   writing files, two ways: from perf's samples (perf record --call-graph dwarf; the samples with
   bundle_save, csvout_*, bpe_write ... on their stack, over all the samples), and from outside as
   (time with --out - time with --bench) / time with --out, best of --repeat alternating runs each, which
   is an upper bound: --bench also skips the evaluation after every epoch that --out logs.
Needs numpy (Debian: python3-numpy, run with /usr/bin/python3); exits 77 without it.
"""
import argparse
import csv
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import numpy  # noqa: F401  (the peer of rows 2 and 3 runs in a child process)
except ImportError:
    print("performance: skipped: numpy is not installed for %s (Debian: apt-get install python3-numpy, then "
          "run it with /usr/bin/python3)" % sys.executable)
    sys.exit(77)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {k: v for k, v in os.environ.items()
       if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LC_CTYPE", "ATTNSTEP_MODEL")}
ENV["LANG"] = "C.UTF-8"
WRITING = re.compile(r"^(bundle_save|bundle_write_\w+|bpe_write|csvout_\w+|write_grid\S*|write_vocab|"
                     r"fsutil_commit|fsutil_make_staging|write_all)$")


def say(msg):
    sys.stderr.write("performance: %s\n" % msg)
    sys.stderr.flush()


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(argv, cwd=None):
    """Runs argv; returns (exit status, wall seconds, peak RSS in bytes, stdout, stderr). The peak RSS is
    GNU time's %M when /usr/bin/time is there: a child forked from this python process would count the
    parent's pages it shared until exec (getrusage and wait4 both would). Without it, wait4's ru_maxrss,
    at least this process's size."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as rss:
        cmd = [TIME, "-q", "-f", "%M", "-o", rss.name, *argv] if TIME else argv
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        peak = usage.ru_maxrss * 1024  # kilobytes on Linux
        if TIME:
            found = re.findall(r"^(\d+)$", rss.read(), re.M)
            peak = int(found[-1]) * 1024 if found else peak
        out.seek(0)
        err.seek(0)
        return (p.returncode, seconds, peak, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"))


def ms(s):
    return "%.1f ms" % (s * 1e3)


def secs(s):
    return "%.2f s" % s if s < 10 else "%.1f s" % s


def mb(b):
    return "%.0f MB" % (b / 1e6) if b < 1e10 else "%.1f GB" % (b / 1e9)


def ratio(x, y):
    return x / y if y else float("inf")


# ---- row 1: the first frame --------------------------------------------------------------------

def first_frame(a, repeat):
    models = [os.path.join(ROOT, "assets", "models", m) for m in ("tiny-en", "random-en")]
    times = {m: [] for m in models}
    for i in range(repeat):
        for m in models:
            rc, _, _, out, err = run([a.attnstep, "--lang", "en", "--model", m, "--bench", "120x40"])
            found = re.search(r"^first frame ([0-9.]+) ms after start", out, re.M)
            if rc != 0 or not found:
                return None, "not available (%s)" % (err.strip().split("\n")[-1][:80] or "no first-frame line")
            times[m].append(float(found.group(1)) / 1e3)
        say("first frame, run %d/%d: tiny-en %s, random-en %s" % (i + 1, repeat, ms(times[models[0]][-1]),
                                                                  ms(times[models[1]][-1])))
    tiny, rnd = statistics.median(times[models[0]]), statistics.median(times[models[1]])
    r = ratio(tiny, rnd)
    # As a person sees it: from the command to the first frame, process start and exit included. A shell
    # loop of `--snapshot` runs (each draws the first frame into an SVG file and exits), so python's own
    # process start is not in the figure; the loop's fork and exec are, on both sides alike.
    loops = 10 if a.quick else 50
    whole = {m: [] for m in models}
    with tempfile.TemporaryDirectory(prefix="attnstep-perf-") as tmp:
        svg = os.path.join(tmp, "first.svg")
        loop = 'i=0; while [ $i -lt %d ]; do "$0" --lang en --model "$1" --size 120x40 --snapshot "$2" ' \
               '>/dev/null || exit 1; i=$((i+1)); done' % loops
        for i in range(repeat):
            for m in models:
                rc, t, _, _, err = run(["/bin/sh", "-c", loop, a.attnstep, m, svg])
                if rc != 0:
                    return None, "not available (%s)" % (err.strip().split("\n")[-1][:80] or "--snapshot failed")
                whole[m].append(t / loops)
    wt, wr = statistics.median(whole[models[0]]), statistics.median(whole[models[1]])
    w = ratio(wt, wr)
    return ["first frame, tiny-en, 120×40",
            "%s from the command (--snapshot run, process start to exit); %s after main() starts" % (ms(wt),
                                                                                                 ms(tiny)),
            "random-en (no snapshots): %s; %s" % (ms(wr), ms(rnd)), "within 1.5× of random-en",
            "%s (%.2f× from the command; %.2f× after main() starts)" % ("yes" if w <= 1.5 else "no", w, r)], None


# ---- rows 2 and 3: a large vocabulary ----------------------------------------------------------

def number(rng):
    """A number as a vocabulary file holds it: mostly GloVe's few digits, one in twenty at 17 (GloVe 6B 300d
    is 1.04 GB for 400k words: 8.6 bytes a number)."""
    x = rng.uniform(-1.0, 1.0)
    digits = 17 if rng.random() < 1 / 20 else rng.randint(3, 6)
    return "%.*g" % (digits, x)


def make_model(d, rows, dim, rng):
    """A model directory with a rows × dim vocabulary (distinct tokens; 4096 distinct rows of numbers, so
    making it takes seconds; every number is parsed all the same); returns vocab.csv's size."""
    os.makedirs(d, exist_ok=True)
    heads = 4 if dim % 4 == 0 else 1
    with open(os.path.join(d, "config.csv"), "w") as f:
        f.write("key,value\nname,%s\ndescription,generated by bench/performance.py\nd_model,%d\nn_heads,%d\n"
                % (os.path.basename(d), dim, heads))
    for w in ("w_q", "w_k", "w_v", "w_o"):
        with open(os.path.join(d, w + ".csv"), "w") as f:
            for _ in range(dim):
                f.write(",".join(number(rng) for _ in range(dim)) + "\n")
    pool = [",".join(number(rng) for _ in range(dim)) for _ in range(min(rows, 4096))]
    with open(os.path.join(d, "vocab.csv"), "w", buffering=1 << 20) as f:
        f.write("token," + ",".join("e%d" % i for i in range(dim)) + "\n")
        f.write("<unk>," + pool[0] + "\n")
        for r in range(1, rows):
            f.write("w%d,%s\n" % (r, pool[r % len(pool)]))
    return os.path.getsize(os.path.join(d, "vocab.csv"))


LOADTXT = ("import sys, numpy as np\n"
           "d = int(sys.argv[2])\n"
           "a = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1, usecols=range(1, d + 1), dtype=np.float64)\n"
           "assert a.shape[1] == d\n")


def export(a, model, out):
    shutil.rmtree(out, ignore_errors=True)
    return run([a.attnstep, "--lang", "en", "--model", model, "--export", out, "--force", "--", "w1", "w2", "w3"])


def vocabulary(a, tmp, rows, dim, repeat, rng):
    d = os.path.join(tmp, "vocab-%dk" % (rows // 1000))
    say("generating a %d × %d vocabulary in %s ..." % (rows, dim, d))
    size = make_model(d, rows, dim, rng)
    say("vocab.csv: %s" % mb(size))
    ours, peer = [], []
    for i in range(repeat):
        rc, t, rss, _, err = export(a, d, os.path.join(tmp, "export"))
        if rc != 0:
            return None, "not available (--export: %s)" % err.strip().split("\n")[-1][:100]
        ours.append((t, rss))
        rc, t2, rss2, _, err2 = run([sys.executable, "-c", LOADTXT, os.path.join(d, "vocab.csv"), str(dim)])
        if rc != 0:
            return None, "not available (numpy.loadtxt: %s)" % err2.strip().split("\n")[-1][:100]
        peer.append((t2, rss2))
        say("export %d/%d: attnstep %s %s, numpy.loadtxt %s %s" % (i + 1, repeat, secs(t), mb(rss), secs(t2),
                                                                     mb(rss2)))
    t, rss = statistics.median(x[0] for x in ours), statistics.median(x[1] for x in ours)
    t2, rss2 = statistics.median(x[0] for x in peer), statistics.median(x[1] for x in peer)
    met = t2 / t >= 2 and rss <= 1.5 * rss2
    row = ["`--export` with a %dk × %d vocabulary (%s)" % (rows // 1000, dim, mb(size)),
           "%s, %s peak RSS" % (secs(t), mb(rss)), "numpy.loadtxt %s, %s" % (secs(t2), mb(rss2)),
           "2× faster than numpy.loadtxt; RSS ≤ 1.5× numpy's",
           "%s (%.2f× faster, RSS %.2f×)" % ("yes" if met else "no", t2 / t, rss / rss2)]
    shutil.rmtree(d, ignore_errors=True)
    return row, None, (size, t)


def oversized(a, tmp, rows, dim, repeat, rng, per_byte):
    d = os.path.join(tmp, "vocab-%dk" % (rows // 1000))
    say("generating a %d × %d vocabulary in %s ..." % (rows, dim, d))
    size = make_model(d, rows, dim, rng)
    say("vocab.csv: %s" % mb(size))
    runs = []
    for i in range(repeat):
        rc, t, rss, _, err = export(a, d, os.path.join(tmp, "export"))
        runs.append((t, rss, rc, err.strip().split("\n")[0] if rc else ""))
        say("%dk vocabulary %d/%d: exit %d after %s, %s peak RSS" % (rows // 1000, i + 1, repeat, rc, secs(t),
                                                                      mb(rss)))
    t, rss = statistics.median(x[0] for x in runs), statistics.median(x[1] for x in runs)
    rc, said = runs[-1][2], runs[-1][3]
    what = "loaded and exported" if rc == 0 else "refused (exit %d: %s)" % (rc, said.replace(d, "DIR")[:90])
    # In proportion: seconds per byte within 1.5× of the 100k vocabulary's, and never 4 GB.
    prop = per_byte and t / size <= 1.5 * per_byte
    shutil.rmtree(d, ignore_errors=True)
    label = "a vocabulary over the old 200,000-token limit" if rows > 200000 else "a larger vocabulary"
    return ["%s (%dk × %d, %s)" % (label, rows // 1000, dim, mb(size)),
            "%s: %s, %s peak RSS" % (what, secs(t), mb(rss)), "—",
            "refused (or loaded) in proportion to its size, never 4 GB",
            "%s (%.1f s per GB%s, RSS %.2f× the file)" % (
                "yes" if rss < 4e9 and prop else "no", t / size * 1e9,
                ", %.1f at 100k" % (per_byte * 1e9) if per_byte else "", rss / size)], None


# ---- rows 4 and 5: training against PyTorch ----------------------------------------------------

def torch_rows(a):
    script = os.path.join(ROOT, "bench", "torch_compare.py")
    labels = {"d64": ("training d_model 64, 4 heads, d_ff 128", "≥ 6× torch", 6.0),
              "long200": ("training 200-token sentences, d16", "≥ 3× torch", 3.0)}
    peer = "torch, padded batches of 16, 1 thread: %s"

    def unavailable(why):
        return [[labels[c][0], "not available", why, labels[c][1], "—"] for c in ("d64", "long200")]

    helps = subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True, env=ENV,
                           cwd=ROOT)
    if helps.returncode == 77:
        return unavailable("(no PyTorch)")
    if "--summary" not in helps.stdout:
        return unavailable("(bench/torch_compare.py has no --summary)")
    # PyTorch twice: on OpenBLAS, as its users would run it (the goal is judged against this one), and
    # on Debian's default reference BLAS, the peer of the figures.
    found = {}
    for blas in ("openblas", "system"):
        with tempfile.TemporaryDirectory(prefix="attnstep-perf-") as tmp:
            summary = os.path.join(tmp, "summary.csv")
            argv = [sys.executable, script, "--attnstep", a.attnstep, "--summary", summary, "--torch-blas", blas,
                    "--repeat", str(1 if a.quick else a.repeat_torch)]
            if a.quick:
                argv += ["--epochs", "2"]
            say("training: %s (minutes)" % " ".join(argv[1:]))
            r = subprocess.run(argv, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
            if r.returncode == 77:
                return unavailable("(no PyTorch)")
            if r.returncode != 0 or not os.path.exists(summary):
                return unavailable("(torch_compare.py exited %d)" % r.returncode)
            with open(summary, newline="") as f:
                found[blas] = {row["case"]: row for row in csv.DictReader(f)}
    rows = []
    for case in ("d64", "long200"):
        label, goal, times = labels[case]
        if case not in found["openblas"] or case not in found["system"]:
            rows.append([label, "not available", "(no %s row in the summary)" % case, goal, "—"])
            continue
        ours = float(found["openblas"][case]["attnstep_per_s"])
        theirs = float(found["openblas"][case]["torch_per_s"])
        ref_ours = float(found["system"][case]["attnstep_per_s"])
        ref = float(found["system"][case]["torch_per_s"])
        rows.append([label, "%.0f sentences/s" % ours,
                     peer % ("OpenBLAS %.0f/s; reference BLAS %.0f/s (%.1f× with attnstep's %.0f/s of that run)"
                             % (theirs, ref, ratio(ref_ours, ref), ref_ours)),
                     goal, "%s (%.1f× OpenBLAS torch)" % ("yes" if ours >= times * theirs else "no",
                                                           ratio(ours, theirs))])
    return rows


# ---- row 6: train --out -------------------------------------------------------------------------

def recorded_command():
    with open(os.path.join(ROOT, "assets", "models", "tiny-en", "config.csv"), newline="") as f:
        desc = {row[0]: row[1] for row in csv.reader(f) if len(row) == 2}["description"]
    words = desc.split(": ", 1)[1].split()[2:]  # after "trained: attnstep train"
    out, i = [], 0
    while i < len(words):  # without --recurrent and its --d-hidden N
        if words[i] == "--recurrent":
            i += 1
        elif words[i] == "--d-hidden":
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


def perf_share(a, argv, tmp):
    """The share of perf's samples of `train --out` with a writing function on their stack, or None."""
    if not shutil.which("perf"):
        return None, "perf is not installed"
    data = os.path.join(tmp, "perf.data")
    out = os.path.join(tmp, "perf-out")
    shutil.rmtree(out, ignore_errors=True)
    r = subprocess.run(["perf", "record", "-F", "1000", "--call-graph", "dwarf,16384", "-o", data, "--",
                        a.attnstep, "train", *argv, "--out", out], cwd=ROOT, env=ENV, capture_output=True)
    if r.returncode != 0:
        return None, "perf record failed: %s" % r.stderr.decode(errors="replace").strip().split("\n")[-1][:80]
    s = subprocess.run(["perf", "script", "-i", data, "-F", "comm,ip,sym"], capture_output=True, text=True,
                       errors="replace")
    total = writing = 0
    current = None
    for line in s.stdout.split("\n") + [""]:
        if not line.strip():
            if current is not None:
                total += 1
                writing += current
            current = None
        elif not line.startswith((" ", "\t")):
            current = 0  # a sample's first line: the command
        elif current is not None:
            parts = line.split()
            if len(parts) >= 2 and WRITING.match(parts[1]):
                current = 1
    if total < 100:
        return None, "perf gave %d samples" % total
    return writing / total, None


def train_out(a, repeat, tmp):
    argv = recorded_command()
    if a.quick:
        argv = [w if argv[i - 1] != "--epochs" else "2" for i, w in enumerate(argv)]
    say("train: attnstep train %s --out DIR, and --bench" % " ".join(argv))
    with_out, bench = [], []
    for i in range(repeat):
        out = os.path.join(tmp, "trained")
        shutil.rmtree(out, ignore_errors=True)
        rc, t, _, _, err = run([a.attnstep, "--lang", "en", "train", *argv, "--out", out], cwd=ROOT)
        rc2, t2, _, _, err2 = run([a.attnstep, "--lang", "en", "train", *argv, "--bench"], cwd=ROOT)
        if rc or rc2:
            return ["`train --out`", "not available", (err or err2).strip().split("\n")[-1][:80], "≤ 10%", "—"]
        with_out.append(t)
        bench.append(t2)
        say("train %d/%d: --out %s, --bench %s" % (i + 1, repeat, secs(t), secs(t2)))
    t, t2 = min(with_out), min(bench)
    outside = (t - t2) / t
    share, why = perf_share(a, argv, tmp)
    figure = ("%.0f%% of the run writes files (perf samples); " % (100 * share) if share is not None
              else "perf: %s; " % why)
    figure += "(with − without --out) / with: %.0f%% (%s vs --bench %s, an upper bound)" % (100 * outside,
                                                                                           secs(t), secs(t2))
    met = share <= 0.10 if share is not None else outside <= 0.10
    return ["`train --out` (tiny-en's command, %s epochs)" % argv[argv.index("--epochs") + 1], figure, "—",
            "≤ 10%", "yes" if met else "no"]


# ---- the table ------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--attnstep", default=os.path.join(ROOT, "build", "attnstep"))
    ap.add_argument("--repeat", type=int, default=5, help="alternating runs of each side (default 5)")
    ap.add_argument("--repeat-large", type=int, default=1, help="runs of the 400k vocabulary (default 1)")
    ap.add_argument("--repeat-torch", type=int, default=3, help="torch_compare.py's --repeat (default 3)")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--rows", default="1,2,3,4,5,6", help="which rows (default all: 1,2,3,4,5,6)")
    ap.add_argument("--tmp", default=None, help="where the generated models go (default: a temporary folder)")
    a = ap.parse_args()
    a.attnstep = os.path.abspath(a.attnstep)
    if not os.access(a.attnstep, os.X_OK):
        print("performance: %s is not built (meson compile -C build)" % a.attnstep, file=sys.stderr)
        return 77
    wanted = {int(x) for x in a.rows.split(",") if x.strip()}
    repeat = 1 if a.quick else a.repeat
    rng = random.Random(14)
    tmp = tempfile.mkdtemp(prefix="attnstep-perf-", dir=a.tmp)
    rows = []
    try:
        if 1 in wanted:
            row, why = first_frame(a, repeat)
            rows.append(row or ["first frame, tiny-en, 120×40", why, "—", "within 1.5× of random-en", "—"])
        per_byte = None
        if 2 in wanted:
            got = vocabulary(a, tmp, 2000 if a.quick else 100000, 30 if a.quick else 300, repeat, rng)
            if got[0]:
                rows.append(got[0])
                per_byte = got[2][1] / got[2][0]
            else:
                rows.append(["`--export` with a 100k × 300 vocabulary", got[1], "—",
                             "2× faster than numpy.loadtxt; RSS ≤ 1.5× numpy's", "—"])
        if 3 in wanted:
            rows.append(oversized(a, tmp, 8000 if a.quick else 400000, 30 if a.quick else 300,
                                  1 if a.quick else a.repeat_large, rng, per_byte)[0])
        if 4 in wanted or 5 in wanted:
            got = torch_rows(a)
            rows += [r for r, n in zip(got, (4, 5)) if n in wanted]
        if 6 in wanted:
            rows.append(train_out(a, repeat, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cmd = "/usr/bin/python3 bench/performance.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "")
    print("| what | attnstep | peer in the same run | goal | met |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    print()
    print("Measured with `%s` (%s, %d cores, %s, %s); %s." % (
        cmd, cpu_name(), os.cpu_count() or 0, platform.python_implementation() + " " + platform.python_version(),
        time.strftime("%Y-%m-%d"),
        "first frame and export: medians of %d alternating runs; the 400k vocabulary: %d run%s; training: "
        "the best of %d runs of each side (torch_compare.py); train --out: the best of %d runs of each"
        % (repeat, a.repeat_large, "" if a.repeat_large == 1 else "s", 1 if a.quick else a.repeat_torch, repeat)))
    return 0


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


if __name__ == "__main__":
    sys.exit(main())
