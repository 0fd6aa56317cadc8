#!/usr/bin/env python3
"""run_diff.py - the defer/panic/recover differential tests: a Go program and
its C twin must print the same thing and end the same way.

usage:
  run_diff.py check --expected CASE.json [--timeout S] -- CBIN
      run the C twin alone and compare it with the expected result (made
      from the Go program); no go needed.
  run_diff.py differential --expected CASE.json --go-src CASE.go
              --go-out DIR [--timeout S] -- CBIN
      build the Go program (`go build` into DIR; skipped with exit 77 when
      go is not installed), run it and the C twin, and compare: the Go
      program with CASE.json (stale expected files fail), the C twin with
      the Go program.
  run_diff.py generate --go-src CASE.go --go-out DIR --expected CASE.json
      build and run the Go program and write CASE.json.

What is compared:
  - stdout, byte for byte;
  - the exit status;
  - stderr up to the first line that starts with "goroutine " (Go's
    "goroutine N [running]:"), keeping only the prefix "goroutine ": the
    goroutine number and the trace after it differ between the languages.
    On a "[signal SIG...: ... code=..." line only the text up to "code=" is
    compared (the pc differs). When the expected stderr has no goroutine line
    (Go's "fatal error: no goroutines (main called runtime.Goexit) -
    deadlock!" prints no trace: there is no goroutine left), the C side must
    print the same text and may follow it with a blank line and a goroutine
    section.
The expected file is JSON: {"status": N, "stdout": "...", "stderr": "..."}
(stderr normalized as above). Go's exit status is that of the built binary
(`go run` would turn it into 1).
"""
import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys


def normalize_stderr(text):
    """(normalized text, whether it reached a goroutine line)"""
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith("goroutine "):
            out.append("goroutine ")
            return "".join(out), True
        if line.startswith("[signal ") and "code=" in line:
            line = line[:line.index("code=") + len("code=")] + "...\n"
        out.append(line)
    return "".join(out), False


def run(cmd, timeout):
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return {"timeout": True, "cmd": cmd, "stdout": (e.stdout or b"").decode(errors="replace"),
                "stderr_raw": (e.stderr or b"").decode(errors="replace")}
    err = proc.stderr.decode(errors="replace")
    norm, _ = normalize_stderr(err)
    return {"timeout": False, "cmd": cmd, "status": proc.returncode,
            "stdout": proc.stdout.decode(errors="replace"), "stderr": norm, "stderr_raw": err}


def diff_text(a, b, aname, bname):
    return "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                        fromfile=aname, tofile=bname))


def compare(want, got, want_name, got_name):
    """List of differences between an expected/reference result and got."""
    problems = []
    if got.get("timeout"):
        return [f"{' '.join(got['cmd'])} ran past the timeout; stdout so far:\n{got['stdout']}"
                f"stderr so far:\n{got['stderr_raw']}"]
    if got["status"] != want["status"]:
        problems.append(f"exit status: {want_name} {want['status']}, {got_name} {got['status']}")
    if got["stdout"] != want["stdout"]:
        problems.append("stdout differs:\n" + diff_text(want["stdout"], got["stdout"],
                                                        want_name, got_name))
    ws, gs = want["stderr"], got["stderr"]
    ok = gs == ws
    if not ok and not ws.endswith("goroutine ") and gs.endswith("goroutine "):
        # the expected text has no trace: allow one after a blank line
        head = gs[:-len("goroutine ")]
        ok = head.endswith("\n\n") and head.rstrip("\n") == ws.rstrip("\n")
    if not ok:
        problems.append("stderr (normalized) differs:\n" + diff_text(ws, gs, want_name, got_name)
                        + f"\n--- {got_name} raw stderr:\n{got['stderr_raw']}")
    return problems


def go_build(src, outdir, timeout):
    go = shutil.which("go")
    os.makedirs(outdir, exist_ok=True)
    binary = os.path.join(outdir, os.path.splitext(os.path.basename(src))[0])
    env = dict(os.environ)
    env.setdefault("GOFLAGS", "")
    env.setdefault("GOPROXY", "off")
    env.setdefault("GOTOOLCHAIN", "local")
    for var, sub in (("GOCACHE", "go-cache"), ("GOPATH", "go-path"), ("HOME", "go-home")):
        env.setdefault(var, os.path.join(outdir, sub))
    proc = subprocess.run([go, "build", "-o", binary, src], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, timeout=timeout)
    if proc.returncode != 0:
        print(f"FAIL: go build {src}:\n{proc.stdout.decode(errors='replace')}")
        return None
    return binary


def main():
    argv = sys.argv[1:]
    cmd = []
    if "--" in argv:
        cut = argv.index("--")
        argv, cmd = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["check", "differential", "generate"])
    ap.add_argument("--expected", required=True)
    ap.add_argument("--go-src")
    ap.add_argument("--go-out")
    ap.add_argument("--timeout", type=float, default=30)
    opts = ap.parse_args(argv)

    if opts.mode in ("differential", "generate"):
        if not opts.go_src or not opts.go_out:
            ap.error("--go-src and --go-out are needed")
        if shutil.which("go") is None:
            print("skipped: go not found")
            return 77
        binary = go_build(opts.go_src, opts.go_out, 170)
        if binary is None:
            return 1
        go_res = run([binary], opts.timeout)
        if go_res["timeout"]:
            print(f"FAIL: the Go program ran past {opts.timeout} s")
            return 1
        if opts.mode == "generate":
            with open(opts.expected, "w") as f:
                json.dump({"status": go_res["status"], "stdout": go_res["stdout"],
                           "stderr": go_res["stderr"]}, f, indent=1)
                f.write("\n")
            print(f"wrote {opts.expected}")
            return 0

    if not cmd:
        ap.error("the C twin's command line is missing (after --)")
    with open(opts.expected) as f:
        expected = json.load(f)
    c_res = run(cmd, opts.timeout)

    problems = []
    if opts.mode == "differential":
        stale = compare(expected, go_res, opts.expected, "Go")
        if stale:
            problems += [f"the Go program no longer matches {opts.expected} "
                         f"(regenerate it with run_diff.py generate):\n" + p for p in stale]
        problems += compare(go_res, c_res, "Go", "C")
    else:
        problems += compare(expected, c_res, opts.expected, "C")
    if problems:
        for p in problems:
            print("FAIL: " + p)
        return 1
    print(f"ok: status {c_res['status']}, {len(c_res['stdout'])} bytes of stdout, "
          f"{len(c_res['stderr'])} bytes of normalized stderr, as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
