# tests/hostile/hostile.py -- the hostile harness's driver (run it through
# tests/hostile/run.sh, which documents the options).  Every attempt runs one winit
# command under `timeout -s KILL` and is classified:
#   clear    exit status 1 or 2 (or the documented status) and a message naming the
#            file, line, byte or argument
#   ok       exit 0 where success is allowed (the input may be valid), or a long
#            computation that SIGINT ended at once
#   vague    an error status whose message names no file, line, byte or argument
#   crash    a signal the harness did not send, a sanitizer report, "Segmentation fault"
#   hang     not ended within the time limit (SIGINT sent, then SIGKILL after a grace)
#   silent   exit 0 where an error was certain, or a file damaged or replaced that
#            should have been left alone, or a model loaded with other numbers
#   lost     a finished run missing after a kill and --resume
# Attempts not clear/ok keep their inputs and a repro.sh under OUT/findings/.
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

CLASSES = ["data", "lua", "results", "model", "paths", "kills", "plugins"]
VERDICTS = ["clear", "ok", "vague", "crash", "hang", "silent", "lost"]
CRASH_RE = re.compile(r"AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|"
                      r"runtime error:|Segmentation fault|munmap_chunk|double free|"
                      r"free\(\): invalid|malloc\(\): |stack smashing|core dumped")


class H:
    def __init__(self, a):
        self.a = a
        self.winit = a.winit
        self.build = a.build
        self.src = a.src
        self.out = a.out
        self.work = os.path.join(a.out, "work")
        self.findings = os.path.join(a.out, "findings")
        os.makedirs(self.work, exist_ok=True)
        os.makedirs(self.findings, exist_ok=True)
        self.rng = random.Random(a.seed)
        self.counts = {c: {v: 0 for v in VERDICTS} for c in CLASSES}
        self.log = open(os.path.join(a.out, "attempts.tsv"), "w")
        self.n = 0
        self.env = dict(os.environ, WINIT_NO_PROGRESS="1",
                        WINIT_CACHE_DIR=os.path.join(self.work, "cache"))
        self.env.pop("WINIT_JOURNAL", None)

    # -- running ---------------------------------------------------------------------
    def run(self, cmd, timeout, env=None, cwd=None, interrupt_ok=False):
        """run1, again (up to 5 times, 2 s apart) while the binary could not be started
        (126/127 from timeout: a build replacing it under the harness)."""
        for _ in range(5):
            r = self.run1(cmd, timeout, env, cwd)
            if not (r["rc"] in (126, 127) and r["text"].startswith("timeout: failed to run command")):
                return r
            time.sleep(2)
        return r

    def run1(self, cmd, timeout, env=None, cwd=None):
        """Runs CMD under timeout -s KILL; SIGINT at TIMEOUT, SIGKILL 3 s later.  Returns
        a dict: rc (negative: signal), text, seconds, interrupted, hung."""
        e = dict(self.env)
        if env:
            e.update(env)
        full = ["timeout", "-s", "KILL", str(timeout + 3)] + cmd
        t0 = time.monotonic()
        p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=e, cwd=cwd or self.work,
                             start_new_session=True)
        interrupted = False
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            interrupted = True
            for pid in children(p.pid)[1:]:  # winit, not timeout (it would forward a second SIGINT)
                try:
                    os.kill(pid, signal.SIGINT)
                except ProcessLookupError:
                    pass
            out, _ = p.communicate()
        dt = time.monotonic() - t0
        rc = p.returncode
        # timeout dies of the child's fatal signal (rc < 0); 137: its own SIGKILL
        hung = interrupted and rc in (-9, 137)
        return {"rc": rc, "text": out.decode("utf-8", "replace"), "seconds": dt,
                "interrupted": interrupted, "hung": hung, "cmd": cmd}

    def classify(self, r, expect, names=(), sent=None, interrupt_ok=False, ok_status=(0,),
                 err_status=(1, 2)):
        """expect: "error" (an error is certain), "either" (success allowed), "ok"."""
        t = r["text"]
        if CRASH_RE.search(t):
            return "crash", "sanitizer/crash text: " + CRASH_RE.search(t).group(0)
        if r["hung"]:
            return "hang", "did not end %.0f s after SIGINT" % 3
        if r["interrupted"]:
            if interrupt_ok and r["rc"] in (130, -2):
                return "ok", "long, ended by SIGINT"
            return "hang", "needed SIGINT after %.0f s (status %d)" % (r["seconds"], r["rc"])
        rc = r["rc"]
        if rc < 0 or rc > 128:
            sig = -rc if rc < 0 else rc - 128
            if sig != sent:
                return "crash", "killed by signal %d" % sig
        if rc in ok_status and expect != "error":
            return "ok", "exit %d" % rc
        if rc in ok_status:
            return "silent", "exit %d where an error was certain" % rc
        if rc in err_status:
            named = any(n and n in t for n in names) or re.search(
                r"byte \d+|line \d+|:\d+:|argument|bad argument|expected|#\d+", t)
            if named:
                return "clear", ""
            return "vague", "message names nothing: " + t.strip()[-200:]
        return "vague", "unexpected status %d" % rc

    def record(self, cls, verdict, why, r, inputs=(), repro=None):
        self.n += 1
        self.counts[cls][verdict] += 1
        line = "%s\t%d\t%s\t%s\t%s" % (cls, self.n, verdict, why.replace("\n", " ")[:300],
                                       " ".join(r["cmd"]) if r else "")
        self.log.write(line + "\n")
        self.log.flush()
        if verdict in ("clear", "ok"):
            return
        d = os.path.join(self.findings, "%s-%04d-%s" % (cls, self.n, verdict))
        os.makedirs(d, exist_ok=True)
        for p in inputs:
            try:
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.copytree(p, os.path.join(d, os.path.basename(p)), symlinks=True,
                                    ignore_dangling_symlinks=True,
                                    copy_function=safe_copy)
                else:
                    safe_copy(p, os.path.join(d, os.path.basename(p)))
            except Exception as ex:  # a FIFO, a device: described in repro.sh
                with open(os.path.join(d, "NOTE"), "a") as f:
                    f.write("not copied: %s (%s)\n" % (p, ex))
        with open(os.path.join(d, "repro.sh"), "w") as f:
            f.write("#!/bin/sh\n# %s: %s\n# %s\n" % (cls, verdict, why.replace("\n", " ")[:500]))
            f.write("# inputs copied here; paths below are the harness's work dir\n")
            f.write((repro or " ".join(shq(c) for c in r["cmd"])) + "\n")
        if r:
            with open(os.path.join(d, "output.txt"), "w") as f:
                f.write(r["text"][-20000:])
        print("  %s #%d %s: %s" % (cls, self.n, verdict, why[:160]), flush=True)

    def fresh(self, name):
        d = os.path.join(self.work, name)
        if os.path.lexists(d):
            subprocess.run(["rm", "-rf", d])
        os.makedirs(d)
        return d

    def lua(self, name, text):
        p = os.path.join(self.work, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    # -- the shared inputs -----------------------------------------------------------
    def setup(self):
        self.data = os.path.join(self.work, "data")
        os.makedirs(self.data, exist_ok=True)
        r = self.run([self.winit, "run", os.path.join(self.src, "tests/lua/make_data.lua"), self.data], 120)
        assert r["rc"] == 0, r["text"]
        self.good = {f: open(os.path.join(self.data, f), "rb").read() for f in gen.IDX_FILES}
        self.results = os.path.join(self.work, "good.json")
        r = self.run([self.winit, "run", "-j", "1", os.path.join(self.src, "tests/lua/small_study.lua"),
                      self.data, self.results, "4", "1"], 120)
        assert r["rc"] == 0, r["text"]
        self.results_text = open(self.results).read()
        self.results_parsed = json.loads(self.results_text)


def children(pid):
    """pid and its descendants (timeout's child is winit)."""
    out = [pid]
    try:
        kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    except OSError:
        kids = []
    for k in kids:
        out += children(int(k))
    return out


def safe_copy(a, b, *args, **kw):
    st = os.lstat(a)
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(a), b)
    elif stat.S_ISREG(st.st_mode):
        shutil.copyfile(a, b)
    else:
        with open(b + ".kind", "w") as f:
            f.write("%s: mode %o rdev %d\n" % (a, st.st_mode, st.st_rdev))


def shq(s):
    return "'" + s.replace("'", "'\\''") + "'" if re.search(r"[^\w./=:-]", s) else s


def snapshot(p):
    """What a path is: kind, and content for a regular file, target for a link."""
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return ("absent",)
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(p), snapshot_follow(p))
    return snapshot_follow(p)


def snapshot_follow(p):
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return ("absent",)
    if stat.S_ISREG(st.st_mode):
        with open(p, "rb") as f:
            return ("file", f.read())
    if stat.S_ISDIR(st.st_mode):
        return ("dir", tuple(sorted(os.listdir(p))))
    return ("node", stat.S_IFMT(st.st_mode), st.st_rdev)


# --- the classes ---------------------------------------------------------------------

def c_data(h, deadline):
    script = h.lua("load.lua", 'local winit = require "winit"\n'
                   'local tr, te = winit.datasets.fashion_mnist.load_data(arg[1])\n'
                   'print("loaded", tr, te)\n')
    i = 0
    while time.monotonic() < deadline:
        i += 1
        d = h.fresh("data_case")
        kind_file = h.rng.choice(["mut", "mut", "mut", "gzmut", "gzgood_mut", "node"])
        for f in gen.IDX_FILES:
            with open(os.path.join(d, f), "wb") as g:
                g.write(h.good[f])
        if kind_file == "node":
            f = h.rng.choice(gen.IDX_FILES)
            name = f + h.rng.choice(["", ".gz"])
            p = os.path.join(d, name)
            if os.path.exists(p):
                os.unlink(p)
            k = h.rng.choice(["fifo", "dir", "chr_zero", "chr_null", "chr_full", "link_zero",
                              "socket", "link_loop", "link_dir"])
            if k == "fifo":
                os.mkfifo(p)
            elif k == "dir":
                os.mkdir(p)
            elif k.startswith("chr_"):
                minor = {"chr_zero": 5, "chr_null": 3, "chr_full": 7}[k]
                os.mknod(p, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
            elif k == "link_zero":
                os.symlink("/dev/zero", p)
            elif k == "socket":
                s = socket.socket(socket.AF_UNIX)
                s.bind(p)
                s.close()
            elif k == "link_loop":
                os.symlink(name, p)
            else:
                os.symlink("/", p)
            kind = "%s %s" % (k, name)
            target = name
        else:
            k, f, b = gen.idx_mutations(h.rng, h.good)
            kind = "%s %s" % (k, f)
            target = f
            if kind_file == "gzmut":
                gk, b = gen.maybe_gzip(h.rng, b)
                os.unlink(os.path.join(d, f))
                f += ".gz"
                kind += " " + gk
                target = f
            elif kind_file == "gzgood_mut":
                gk, z = gen.maybe_gzip(h.rng, h.good[f])
                if gk == "gz":  # a good gz beside a bad plain file: gz wins, valid
                    kind += " (valid .gz beside)"
                    with open(os.path.join(d, f + ".gz"), "wb") as g:
                        g.write(z)
                    expect = "either"
                else:
                    b = z
                    f += ".gz"
                    kind += " " + gk
                    target = f
            with open(os.path.join(d, f), "wb") as g:
                g.write(b)
        expect = "either" if "valid .gz beside" in kind else "error"
        env = {"WINIT_NO_CACHE": "1"} if i % 2 else {}
        r = h.run([h.winit, "run", script, d], 20, env=env)
        v, why = h.classify(r, expect, names=[target])
        if v == "clear" and target not in r["text"]:
            v, why = "vague", "the message does not name %s: %s" % (target, r["text"].strip()[-200:])
        keep = os.path.join(h.findings, "_data_%d" % i)
        if v not in ("clear", "ok"):
            subprocess.run(["cp", "-a", d, keep])
        h.record("data", v, kind + (": " + why if why else ""), r, inputs=[],
                 repro=("%s%s run %s %s" % ("WINIT_NO_CACHE=1 " if i % 2 else "", h.winit, script, keep)))


def c_lua(h, deadline):
    i = 0
    while time.monotonic() < deadline:
        i += 1
        kind, text, expect = gen.lua_script(h.rng)
        name = "hostile_%d.lua" % i
        p = h.lua(name, text)
        d = h.fresh("lua_out")
        r = h.run([h.winit, "run", "-j", "1", "--plugin-timeout", "5", p, d], 15, interrupt_ok=True)
        v, why = h.classify(r, expect, names=[name + ":"], interrupt_ok=True)
        if v == "clear" and not re.search(re.escape(name) + r":\d+:", r["text"]):
            v, why = "vague", "no script:line in: " + r["text"].strip()[-200:]
        keep = []
        if v not in ("clear", "ok"):
            keep = [p]
        h.record("lua", v, "%s [%s] %s" % (kind, expect, why), r, inputs=keep)
        os.unlink(p) if not keep else None


def c_results(h, deadline):
    study = os.path.join(h.src, "tests/lua/small_study.lua")
    i = 0
    while time.monotonic() < deadline:
        i += 1
        kind, text = gen.results_mutation(h.rng, h.results_text)
        parsed = gen.strict_json(text)
        if parsed is None:
            expect, reason = "error", "not JSON or a key twice"
        elif parsed == "too deep":
            expect, reason = "either", ""
        elif not isinstance(parsed, dict):
            expect, reason = "error", "not an object"
        else:
            reason = gen.certainly_invalid(h.results_parsed, parsed, "")
            expect = "error" if reason else "either"
        d = h.fresh("res_case")
        p = os.path.join(d, "mut.json")
        with open(p, "w", encoding="latin-1", errors="replace") as f:
            f.write(text)
        before = snapshot(p)
        which = h.rng.choice(["report", "merge", "resume"])
        if which == "report":
            cmd = [h.winit, "report", p, "-o", os.path.join(d, "r.html"), "--csv", os.path.join(d, "csv")]
        elif which == "merge":
            cmd = [h.winit, "merge", os.path.join(d, "merged.json"), p]
        else:
            cmd = [h.winit, "run", "-j", "1", "--resume", study, h.data, p, "4", "1"]
        r = h.run(cmd, 30)
        v, why = h.classify(r, expect, names=["mut.json"])
        if v == "clear" and "mut.json" not in r["text"]:
            v, why = "vague", "the message does not name the file: " + r["text"].strip()[-200:]
        if r["rc"] != 0 and v in ("clear", "vague") and snapshot(p) != before:
            v, why = "silent", "refused, yet the file changed"
        h.record("results", v, "%s %s [%s%s] %s" % (which, kind, expect, ": " + reason if reason else "", why),
                 r, inputs=[p] if v not in ("clear", "ok") else [])


MODEL_SAVE = """local winit = require "winit"
local dir = arg[1]
local ds = winit.datasets.gaussian { n = 64, features = 6, classes = 3, seed = 4 }
winit.set_seed(2)
local m = winit.Sequential {
  winit.layers.Flatten { input_shape = { 6 } },
  winit.layers.Dense { 5, activation = "tanh", kernel_initializer = "he_normal" },
  winit.layers.Dense { 3, activation = "softmax" },
}
m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 } }
m:fit(ds, { epochs = 2, batch_size = 8, verbose = 0 })
m:save(dir .. "/good.winit")
"""

# Loads each mutant; prints per file "SAME", "DIFF what", or "ERR message".  The model's
# numbers: predictions, then one more epoch (optimizer state, shuffle state) and again.
MODEL_LOAD = """local winit = require "winit"
local ds = winit.datasets.gaussian { n = 64, features = 6, classes = 3, seed = 4 }
local function fp(m)
  local p = m:predict(ds, 1, 64)
  m:fit(ds, { epochs = 1, batch_size = 8, verbose = 0 })
  local q = m:predict(ds, 1, 64)
  local t = {}
  for i = 1, 64 do for j = 1, 3 do t[#t + 1] = string.format("%a %a", p[i][j], q[i][j]) end end
  return table.concat(t, " ")
end
local ref = fp(winit.models.load_model(arg[1]))
for i = 2, #arg do
  local ok, m = pcall(winit.models.load_model, arg[i])
  if not ok then print("ERR " .. arg[i] .. " " .. tostring(m):gsub("\\n", " "))
  else
    local ok2, f = pcall(fp, m)
    if not ok2 then print("DIFF " .. arg[i] .. " loaded, then: " .. tostring(f))
    elseif f == ref then print("SAME " .. arg[i]) else print("DIFF " .. arg[i] .. " other numbers") end
  end
  io.stdout:flush()
end
"""


def c_model(h, deadline):
    d = h.fresh("model")
    save = h.lua("model_save.lua", MODEL_SAVE)
    load = h.lua("model_load.lua", MODEL_LOAD)
    r = h.run([h.winit, "run", "-j", "1", save, d], 60)
    assert r["rc"] == 0, r["text"]
    good = os.path.join(d, "good.winit")
    b = open(good, "rb").read()
    batch = 0
    while time.monotonic() < deadline:
        batch += 1
        bd = h.fresh("model_batch")
        files, kinds = [], {}
        for j in range(40):
            k, mb = gen.model_mutation(h.rng, b)
            p = os.path.join(bd, "m%d.winit" % j)
            with open(p, "wb") as f:
                f.write(mb)
            files.append(p)
            kinds[p] = k
        r = h.run([h.winit, "run", "-j", "1", load, good] + files, 60)
        seen = {}
        for line in r["text"].splitlines():
            m = re.match(r"(ERR|SAME|DIFF) (\S+)(.*)", line)
            if m and m.group(2) in kinds:
                seen[m.group(2)] = (m.group(1), m.group(3))
        for p in files:
            if p in seen:
                st, msg = seen[p]
                one = {"rc": 0, "text": msg, "cmd": [h.winit, "run", load, good, p]}
                if st == "SAME":
                    v, why = "ok", "loads identically"
                elif st == "DIFF":
                    v, why = "silent", "loaded with other numbers:" + msg
                elif re.search(r"byte \d+", msg) and os.path.basename(p) in msg:
                    v, why = "clear", ""
                else:
                    v, why = "vague", "refused without a byte offset:" + msg[:200]
            else:  # the batch died at or before this one: alone
                r1 = h.run([h.winit, "run", "-j", "1", load, good, p], 20)
                one = r1
                mm = re.search(r"^(ERR|SAME|DIFF) \S+(.*)$", r1["text"], re.M)
                if r1["rc"] == 0 and mm and not CRASH_RE.search(r1["text"]):
                    st, msg = mm.group(1), mm.group(2)
                    v, why = {"SAME": ("ok", ""), "DIFF": ("silent", "other numbers" + msg),
                              "ERR": ("clear" if re.search(r"byte \d+", msg) else "vague", msg)}[st]
                else:
                    v, why = h.classify(r1, "error")
                    if v == "clear":
                        v, why = "vague", "status %d: %s" % (r1["rc"], r1["text"][-200:])
            h.record("model", v, "%s %s" % (kinds[p], why), one,
                     inputs=[p, good] if v not in ("clear", "ok") else [])


WRITER_TARGETS = ["chr_null", "chr_zero", "chr_full", "fifo", "dir", "socket", "link_foreign",
                  "script", "link_dev", "foreign_file", "link_dir", "link_fifo"]


def c_paths(h, deadline):
    writers = ["study", "save", "save_weights", "results_save", "report", "report_figures",
               "write_csv", "page", "cli_merge", "cli_report", "cli_csv", "cli_out"]
    wl = os.path.join(h.src, "tests/lua/writers.lua")
    own = os.path.join(h.work, "own.json")
    r = h.run([h.winit, "run", wl, "results_save", own], 60)
    assert r["rc"] == 0, r["text"]
    combos = [(w, t, f) for w in writers for t in WRITER_TARGETS for f in (False, True)]
    h.rng.shuffle(combos)
    for w, t, force in combos:
        if time.monotonic() > deadline:
            break
        d = h.fresh("paths_case")
        foreign = os.path.join(h.work, "foreign.txt")
        with open(foreign, "w") as f:
            f.write("root:x:0:0:not winit's\n")
        arg = os.path.join(d, "target")
        csv = w in ("write_csv", "cli_csv")
        node = os.path.join(arg, "runs.csv") if csv else arg
        if csv:
            os.makedirs(arg)
        if t.startswith("chr_"):
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, {"chr_null": 3, "chr_zero": 5, "chr_full": 7}[t]))
        elif t == "fifo":
            os.mkfifo(node)
        elif t == "dir":
            os.makedirs(node)
            open(os.path.join(node, "inside"), "w").close()
        elif t == "socket":
            s = socket.socket(socket.AF_UNIX)
            s.bind(node)
            s.close()
        elif t == "link_foreign":
            os.symlink(foreign, node)
        elif t == "script":
            with open(node, "w") as f:
                f.write("-- victim.lua\nprint('mine')\n")
        elif t == "link_dev":
            os.mknod(os.path.join(d, "dev"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            os.symlink(os.path.join(d, "dev"), node)
        elif t == "foreign_file":
            with open(node, "w") as f:
                f.write("x,y\n1,2\n" if csv else "not winit's\n")
        elif t == "link_dir":
            os.makedirs(os.path.join(d, "adir"))
            os.symlink(os.path.join(d, "adir"), node)
        elif t == "link_fifo":
            os.mkfifo(os.path.join(d, "afifo"))
            os.symlink(os.path.join(d, "afifo"), node)
        before = snapshot(node)
        fbefore = snapshot(foreign)
        fl = ["--force"] if force else []
        if w == "cli_merge":
            cmd = [h.winit, "merge"] + fl + [arg, own]
        elif w == "cli_report":
            cmd = [h.winit, "report"] + fl + [own, "-o", arg]
        elif w == "cli_csv":
            cmd = [h.winit, "report"] + fl + [own, "-o", os.path.join(d, "x.html"), "--csv", arg]
        elif w == "cli_out":
            cmd = [h.winit, "run"] + fl + ["-j", "1", os.path.join(h.src, "tests/lua/small_study.lua"),
                                           h.data, arg, "1", "1", "off"]
        else:
            cmd = [h.winit, "run"] + fl + [wl, w, arg]
        r = h.run(cmd, 20)
        # forced over a plain foreign file or script: replacing is what --force asks
        may_replace = force and t in ("script", "foreign_file", "link_foreign")
        expect = "either" if may_replace else "error"
        v, why = h.classify(r, expect, names=[arg, node, "target"])
        after = snapshot(node)
        if not may_replace and after != before and v != "crash":
            v, why = "silent", "the target changed: %s -> %s" % (str(before)[:60], str(after)[:60])
        if snapshot(foreign) != fbefore and not may_replace:
            v, why = "silent", "the foreign file changed"
        h.record("paths", v, "%s -> %s%s %s" % (w, t, " --force" if force else "", why), r,
                 inputs=[d] if v not in ("clear", "ok") else [])


def untimed(v):
    """V without timings (seconds), which differ from run to run."""
    if isinstance(v, dict):
        return {k: untimed(x) for k, x in v.items() if k != "seconds"}
    if isinstance(v, list):
        return [untimed(x) for x in v]
    return v


def runs_of(path, h):
    """{name: key numbers} of a results file (journal included) through winit merge."""
    tmp = os.path.join(h.work, "probe.json")
    if os.path.exists(tmp):
        os.unlink(tmp)
    r = h.run([h.winit, "merge", "--force", tmp, path], 30)
    if r["rc"] != 0:
        return None, r["text"]
    d = json.load(open(tmp))
    out = {}
    for x in d["runs"]:
        if x.get("status") == "ok":
            out[x["name"]] = json.dumps(untimed([x.get("test_accuracy"), x.get("test_loss"), x.get("history")]))
    return out, ""


def all_runs(out, h):
    """{(file, name): numbers} over OUT and the files kept aside beside it (OUT.1, ...)."""
    u = {}
    d = os.path.dirname(out)
    base = os.path.basename(out)
    for f in sorted(os.listdir(d)):
        if f == base or re.fullmatch(re.escape(base) + r"\.\d+", f):
            rs, _ = runs_of(os.path.join(d, f), h)
            for n, x in (rs or {}).items():
                u[(f, n)] = x
    return u


def c_kills(h, deadline):
    study = os.path.join(h.src, "tests/lua/small_study.lua")
    nruns, epochs = "8", "12"
    ref = os.path.join(h.work, "kill_ref.json")
    r = h.run([h.winit, "run", "-j", "1", study, h.data, ref, nruns, epochs, "off"], 120)
    assert r["rc"] == 0, r["text"]
    full = r["seconds"]
    refruns, _ = runs_of(ref, h)
    i = 0
    while time.monotonic() < deadline:
        i += 1
        d = h.fresh("kill_case")
        out = os.path.join(d, "r.json")
        sig = h.rng.choice([signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
        journal = h.rng.random() < 0.5
        phases = 2 if h.rng.random() < 0.3 else 1  # then a plain re-run (no --resume), killed too
        jenv = {"WINIT_JOURNAL": "always"} if journal else {}
        env = dict(h.env, **jenv)
        cmd = [h.winit, "run", "-j", "1", study, h.data, out, nruns, epochs, "off"]
        rcmd = cmd[:4] + ["--resume"] + cmd[4:]
        signame = signal.Signals(sig).name
        steps, v, why = [], None, ""
        seen = {}
        text = ""
        for phase in range(phases):
            at = h.rng.uniform(0.05, full * 0.9)
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=d)
            time.sleep(at)
            p.send_signal(sig)
            try:
                o, _ = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                o, _ = p.communicate()
                v, why = "hang", "%s did not end it within 10 s" % signame
            text += o.decode("utf-8", "replace")
            steps.append("%s %s at %.2fs -> %d" % ("run" if phase == 0 else "plain re-run", signame, at, p.returncode))
            printed = len(re.findall(r"test_accuracy: ", o.decode("utf-8", "replace")))
            now = all_runs(out, h)
            gone = [k for k in seen if k not in now and not any(k[1] == n2 and seen[k] == x for (f2, n2), x in now.items())]
            inout = sum(1 for (f, n) in now if f == "r.json")
            # 0: it finished first; -SIG: it died of the very signal sent (before or after its handler)
            rc_ok = (-sig, 0, {signal.SIGINT: 130, signal.SIGTERM: 143}.get(sig, -sig))
            if v:
                break
            if CRASH_RE.search(text):
                v, why = "crash", "crash text"
            elif p.returncode not in rc_ok:
                v, why = "crash", "status %d" % p.returncode
            elif gone:
                v, why = "lost", "finished runs dropped by the %s: %s" % ("re-run" if phase else "run", gone)
            elif inout < printed - (1 if sig == signal.SIGKILL else 0):
                v, why = "lost", "%d runs printed finished, %d in the file" % (printed, inout)
            if v:
                break
            seen = now
        res = None
        if not v:
            res = h.run(rcmd, 120, env=jenv)
            after, err = runs_of(out, h)
            kept = {n: x for (f, n), x in seen.items() if f == "r.json"}
            if CRASH_RE.search(res["text"]) or res["rc"] < 0:
                v, why = "crash", "resume: status %d" % res["rc"]
            elif res["rc"] != 0 or after is None:
                v, why = "lost", "resume failed (%d): %s %s" % (res["rc"], res["text"][-300:], err)
            else:
                missing = [n for n in kept if after.get(n) != kept[n]]
                wrong = [n for n in refruns if after.get(n) != refruns[n]]
                m = re.search(r"resume: (\d+) of", res["text"])
                if missing or wrong:
                    v, why = "lost", "missing/changed after resume: %s; differing from the uninterrupted run: %s" % (missing, wrong)
                elif kept and m and int(m.group(1)) < len(kept):
                    v, why = "lost", "resume took over %s of %d finished runs" % (m.group(1), len(kept))
                else:
                    v, why = "ok", "%d finished in the file; all %s identical to the uninterrupted run after resume" % (len(kept), nruns)
        desc = "; ".join(steps) + (" WINIT_JOURNAL=always" if journal else "")
        h.record("kills", v, desc + ": " + why, res or {"cmd": cmd, "text": text, "rc": 0},
                 inputs=[d] if v not in ("clear", "ok") else [],
                 repro="# kill %s at the moment above, then:\n%s%s" % (" ".join(shq(c) for c in cmd),
                                                                  "WINIT_JOURNAL=always " if journal else "",
                                                                  " ".join(shq(c) for c in rcmd)))


PLUGIN_STUDY = """-- DATA OUT KIND NAME: he_normal, then the plugin's NAME (an initializer or activation)
local winit = require "winit"
local train, test = winit.datasets.fashion_mnist.load_data(arg[1])
local s = winit.Study { name = "plugin_study", seed = 1 }
for i, use in ipairs { "he_normal", arg[4] } do
  local act = (i == 2 and arg[3] == "activation") and use or "relu"
  local init = (i == 2 and arg[3] == "activation") and "he_normal" or use
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 8, activation = act, kernel_initializer = init },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = "adam", loss = "categorical_crossentropy" }
  s:add { name = "run" .. i, model = m, train = train, test = test, epochs = 1, batch_size = 64 }
end
s:run { save = arg[2] }:print_table()
"""


def c_plugins(h, deadline):
    lib = os.path.join(h.build, "tests/plugins")
    sos = []
    for root, _, files in os.walk(lib):
        if root.endswith(".libs"):
            sos += [os.path.join(root, f) for f in files if f.endswith(".so")]
    sos.sort()
    study = h.lua("plugin_study.lua", PLUGIN_STUDY)
    # loadable and conforming (check-plugin may pass them); segv_act crashes only on the
    # theory pass's shape, which check-plugin does not try (noted in the report)
    good = {"good_two", "dup_zeros", "small_struct", "segv_act"}
    for so in sos:
        if time.monotonic() > deadline:
            break
        name = os.path.basename(so)[:-3]
        if "/abi/" in so:
            continue
        r = h.run([h.winit, "check-plugin", so], 90)
        v, why = h.classify(r, "either" if name in good else "error", names=[name])
        h.record("plugins", v, "check-plugin %s %s" % (name, why), r, inputs=[so] if v not in ("clear", "ok") else [])
        pd = h.fresh("plugin_dir")
        shutil.copy(so, pd)
        lr = h.run([h.winit, "list", "--json"], 30, env={"WINIT_PLUGIN_PATH": pd})
        items = []
        try:
            items = [(p["kind"], p["name"]) for p in json.loads(lr["text"])["plugins"] if p.get("file", "").startswith(pd)]
        except (ValueError, KeyError):
            pass
        items = items or [("initializer", name)]
        for kind, item in items:
            out = os.path.join(pd, "r.json")
            if os.path.exists(out):
                os.unlink(out)
            r = h.run([h.winit, "run", "-j", "1", "--plugin-timeout", "3", study, h.data, out, kind, item], 60,
                      env={"WINIT_PLUGIN_PATH": pd})
            v, why = h.classify(r, "either", names=[name, item], err_status=(1, 2, 3))
            # the plugin's own fatal signal, named by winit as documented; under ASan its
            # report, whose summary is in the plugin's own source, ends the process (1)
            named = re.search(r"fatal signal SIG\w+ in plugin '[^']*%s" % re.escape(item), r["text"])
            in_plugin = re.search(r"SUMMARY: AddressSanitizer: SEGV \S*tests/plugins/", r["text"])
            if named and (r["rc"] in (-11, 139, -7, 135) or (in_plugin and r["rc"] == 1)):
                v, why = "clear", "(the plugin's own fatal signal, named as documented)"
            if "[run1] test_loss" in r["text"]:  # run1 finished before the plugin's run
                ok_runs, _ = runs_of(out, h) if os.path.exists(out) else (None, "")
                if not ok_runs or "run1" not in ok_runs:
                    v, why = "lost", "the he_normal run (run1) finished but is not in the file"
            h.record("plugins", v, "run %s (%s %s) %s" % (name, kind, item, why), r,
                     inputs=[so] if v not in ("clear", "ok") else [])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--winit", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--budget", type=float, default=900)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--classes", default=",".join(CLASSES))
    a = ap.parse_args()
    h = H(a)
    h.setup()
    classes = a.classes.split(",")
    weights = {"data": 1.0, "lua": 2.0, "results": 2.0, "model": 1.0, "paths": 1.0, "kills": 2.0, "plugins": 1.0}
    total = sum(weights[c] for c in classes)
    start = time.monotonic()
    spent_share = 0.0
    for c in classes:
        spent_share += weights[c] / total
        deadline = start + a.budget * spent_share
        print("%s (until +%.0f s)" % (c, deadline - start), flush=True)
        globals()["c_" + c](h, deadline)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write("| class | tried | clear error | ok | vague | crash | hang | silent-wrong | lost |\n")
        f.write("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
        tot = {v: 0 for v in VERDICTS}
        for c in classes:
            n = sum(h.counts[c].values())
            for v in VERDICTS:
                tot[v] += h.counts[c][v]
            f.write("| %s | %d | %s |\n" % (c, n, " | ".join(str(h.counts[c][v]) for v in VERDICTS)))
        f.write("| all | %d | %s |\n" % (sum(tot.values()), " | ".join(str(tot[v]) for v in VERDICTS)))
    print(open(os.path.join(a.out, "table.md")).read())
    bad = sum(h.counts[c][v] for c in classes for v in ("vague", "crash", "hang", "silent", "lost"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
