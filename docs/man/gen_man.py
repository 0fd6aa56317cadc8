#!/usr/bin/env python3
"""gen_man.py - gort's API reference: section 3 man pages generated from the
comments of the public headers.

One page per header (one function family): gort_runtime(3) from
<gort/runtime.h>, gort_chan(3) from <gort/chan.h>, ...; gort(3), the
overview, from <gort.h>, and gort_cpp(3) from the C++ API's <gort.hpp>. A
header's top comment is its page's DESCRIPTION; every comment that precedes
declarations documents them: functions (GORT_API) go to FUNCTIONS, types
and constants to TYPES AND CONSTANTS, with their code. Every exported
function also gets a page of its own name that sources its family's page
(`man go_spawn` opens gort_runtime(3)).

Usage:
  gen_man.py --out DIR INCLUDE_DIR      write the pages into DIR
  gen_man.py --list INCLUDE_DIR         print the file names it would write
  gen_man.py --check SYMBOLS INCLUDE_DIR
        list every symbol of SYMBOLS (tests/exported-symbols.txt) that no
        documentation comment covers or that no page carries; exit 1 if any

A declaration is documented when a comment comes right before it, or
before the run of declarations it belongs to (no blank line between), as
the headers group rwmutex_rlock ... rwmutex_unlock under one comment.
"""
import os
import re
import sys

VERSION_RE = re.compile(r'#define GORT_VERSION_STRING "([^"]+)"')
# The pages carry no build date unless SOURCE_DATE_EPOCH gives one (builds
# stay reproducible).
DATE = ""
if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
    import time
    DATE = time.strftime("%Y-%m-%d", time.gmtime(int(os.environ["SOURCE_DATE_EPOCH"])))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def headers(inc):
    """(page name, include line, path) for every header that gets a page."""
    out = [("gort", "gort.h", os.path.join(inc, "gort.h"))]
    sub = os.path.join(inc, "gort")
    for name in sorted(os.listdir(sub)):
        if name.endswith(".h"):
            out.append(("gort_" + name[:-2], "gort/" + name, os.path.join(sub, name)))
    cpp = os.path.join(inc, "gort.hpp")
    if os.path.exists(cpp):
        out.append(("gort_cpp", "gort.hpp", cpp))
    return out


def comment_text(raw):
    """The text of a /* ... */ comment, its leading ' * ' gutters removed."""
    body = raw[2:-2]
    lines = body.split("\n")
    out = []
    for i, line in enumerate(lines):
        s = line.rstrip()
        if i > 0:
            s = re.sub(r"^\s*\* ?", "", s, count=1) if re.match(r"^\s*\*", s) else s.strip()
        else:
            s = s.lstrip("*").strip() if s.strip().startswith("*") else s.strip()
        out.append(s)
    # a section divider: "---------------- RWMutex" -> "RWMutex"
    if out and re.match(r"^-{8,}\s*", out[0]):
        out[0] = re.sub(r"^-{8,}\s*", "", out[0])
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def tokens(src):
    """Split a header into ('comment', lines) and ('code', text) items,
    dropping the include guard, #include lines and the extern "C" wrapping.
    A comment that ends a line of code (a struct field's) stays in the code."""
    items = []
    pos = 0
    pat = re.compile(r"/\*.*?\*/", re.S)
    for m in pat.finditer(src):
        line_start = src.rfind("\n", 0, m.start()) + 1
        before_on_line = src[line_start:m.start()]
        if before_on_line.strip():  # a trailing comment: part of the code
            continue
        code = src[pos:line_start]
        items.append(("code", code))
        items.append(("comment", comment_text(m.group(0))))
        pos = m.end()
    items.append(("code", src[pos:]))
    cleaned = []
    for kind, val in items:
        if kind == "code":
            keep = []
            skip_cont = False
            for line in val.split("\n"):
                st = line.strip()
                if skip_cont:
                    skip_cont = st.endswith("\\")
                    continue
                if re.match(r"#\s*(ifndef|endif|include|ifdef __cplusplus|else|if |error)", st) or \
                        re.match(r"#\s*define\s+GORT_(\w+_)?H\b", st) or st in ('extern "C" {', "}", "#endif") or \
                        re.match(r"#\s*define\s+(GORT_API|GORT_NOEXCEPT|GORT_HPP)\b", st):
                    skip_cont = st.endswith("\\")
                    continue
                keep.append(line.rstrip())
            val = "\n".join(keep).strip("\n")
            if not val.strip():
                continue
        cleaned.append((kind, val))
    return cleaned


DECL_RE = re.compile(r"GORT_API\s+(.*?);", re.S)


def func_name(decl):
    """The declared name: a function's, or an exported variable's."""
    m = re.search(r"(\w+)\s*\(", decl)
    if m is None:
        m = re.search(r"(\w+)\s*$", decl.strip())
    return m.group(1) if m else None


def parse(path):
    """(top comment lines, [(comment lines, code text, [function names])])."""
    items = tokens(read(path))
    top = []
    if items and items[0][0] == "comment":
        top = items[0][1]
        items = items[1:]
    entries = []
    last_comment = None
    for kind, val in items:
        if kind == "comment":
            if last_comment is not None:
                entries.append((last_comment, "", []))  # a comment with nothing after it
            last_comment = val
            continue
        # a comment documents the declarations right after it, up to the
        # first blank line; declarations past it have no comment
        paras = [p for p in re.split(r"\n\s*\n", val) if p.strip()]
        for i, para in enumerate(paras):
            names = [func_name(d) for d in DECL_RE.findall(para)]
            entries.append(((last_comment or []) if i == 0 else [], para, [n for n in names if n]))
        last_comment = None
    if last_comment is not None:
        entries.append((last_comment, "", []))
    return top, entries


def summary_of(top, default):
    """The text after "name - " in a top comment's first paragraph, up to its
    first sentence's end."""
    para = []
    for line in top:
        if not line.strip():
            break
        para.append(line.strip())
    text = " ".join(para)
    if " - " not in text:
        return default
    text = text.split(" - ", 1)[1]
    m = re.search(r"\.(\s|$)", text)
    if m:
        text = text[:m.start()]
    return text.rstrip(".")


def esc(s):
    s = s.replace("\\", "\\e")
    s = s.replace("-", "\\-")
    s = s.replace("\u2014", "\\(em").replace("\u2013", "\\(en")
    s = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in s)
    if s.startswith(".") or s.startswith("'"):
        s = "\\&" + s
    return s


def render_text(lines):
    """Comment text as man source: paragraphs filled, indented or code-like
    lines kept as they are."""
    out = []
    verbatim = False
    for line in lines:
        if not line.strip():
            if verbatim:
                out.append(".fi")
                out.append(".in")
                verbatim = False
            out.append(".PP")
            continue
        indented = line.startswith("  ") or line.startswith("\t")
        if indented and not verbatim:
            out.append(".in +4n")
            out.append(".nf")
            verbatim = True
        elif not indented and verbatim:
            out.append(".fi")
            out.append(".in")
            verbatim = False
        out.append(esc(line))
    if verbatim:
        out.append(".fi")
        out.append(".in")
    return out


def code_block(code):
    out = [".PP", ".in +4n", ".nf"]
    for line in code.split("\n"):
        line = re.sub(r"\bGORT_API\s+", "", line)
        line = re.sub(r"\s*GORT_NOEXCEPT", "", line)
        out.append(esc(line))
    out += [".fi", ".in"]
    return out


def page(name, include, path, version, see_also, families=()):
    top, entries = parse(path)
    summary = summary_of(top, name)
    lines = ['.TH %s 3 "%s" "gort %s" "gort API reference"' % (name.upper(), DATE, version),
             ".SH NAME", "%s \\- %s" % (esc(name), esc(summary)),
             ".SH SYNOPSIS", ".nf", ".B #include <%s>" % include]
    funcs = [e for e in entries if e[2]]
    if funcs:
        lines.append("")
        for _, code, _ in funcs:
            for d in DECL_RE.findall(code):
                d = re.sub(r"\s*GORT_NOEXCEPT", "", " ".join(d.split()))
                lines.append(".BI \"%s;\"" % esc(d).replace('"', '\\(dq'))
    lines.append(".fi")
    if include == "gort.hpp" or name == "gort":
        pass
    # the description: the top comment after its "name - summary" sentence
    desc = list(top)
    if desc and " - " in desc[0]:
        first = []
        while desc and desc[0].strip():
            first.append(desc.pop(0).strip())
        rest = " ".join(first).split(" - ", 1)[1]
        m = re.search(r"\.(\s|$)", rest)
        rest = rest[m.end():].strip() if m else ""
        if rest:
            desc.insert(0, rest)
    lines.append(".SH DESCRIPTION")
    lines += render_text(desc)
    if funcs:
        lines.append(".SH FUNCTIONS")
        for comment, code, names in funcs:
            lines.append(".SS %s" % esc(", ".join(names)))
            lines += code_block("\n".join(l for l in code.split("\n")))
            if comment:
                lines.append(".PP")
                lines += render_text(comment)
    types = [e for e in entries if not e[2] and e[1].strip()]
    if types:
        lines.append(".SH TYPES AND CONSTANTS")
        for comment, code, _ in types:
            if comment:
                lines.append(".PP")
                lines += render_text(comment)
            lines += code_block(code)
    notes = [e for e in entries if not e[2] and not e[1].strip() and e[0]]
    if notes:
        lines.append(".SH NOTES")
        for comment, _, _ in notes:
            lines.append(".PP")
            lines += render_text(comment)
    if name == "gort":
        lines.append(".SH THE PAGES")
        lines.append("One page per header, each opened also by the name of any of its functions")
        lines.append("(\\fBman go_spawn\\fP opens")
        lines.append(".BR gort_runtime (3)):")
        for other, other_inc, other_path in families:
            if other == "gort":
                continue
            summ = summary_of(parse(other_path)[0], other)
            lines.append(".TP")
            lines.append(".BR %s (3)" % esc(other))
            lines.append("<%s>: %s" % (other_inc, esc(summ)))
    lines.append(".SH SEE ALSO")
    lines.append(",\n".join(".BR %s (3)" % s for s in see_also if s != name))
    return "\n".join(lines) + "\n", [n for e in funcs for n in e[2]]


def build(inc):
    version = VERSION_RE.search(read(os.path.join(inc, "gort", "version.h"))).group(1)
    hs = headers(inc)
    names = [h[0] for h in hs]
    pages = {}
    links = {}
    documented = {}
    for name, include, path in hs:
        text, funcs = page(name, include, path, version, names, hs)
        pages[name + ".3"] = text
        _, entries = parse(path)
        for comment, _, fnames in entries:
            for f in fnames:
                if comment:
                    documented[f] = name
                links[f + ".3"] = ".so man3/%s.3\n" % name
    return pages, links, documented


def main(argv):
    if len(argv) == 3 and argv[0] == "--out":
        out, inc = argv[1], argv[2]
        pages, links, _ = build(inc)
        os.makedirs(out, exist_ok=True)
        for fname, text in list(pages.items()) + list(links.items()):
            with open(os.path.join(out, fname), "w", encoding="utf-8") as f:
                f.write(text)
        return 0
    if len(argv) == 2 and argv[0] == "--list":
        pages, links, _ = build(argv[1])
        for fname in sorted(pages) + sorted(links):
            print(fname)
        return 0
    if len(argv) == 3 and argv[0] == "--check":
        symbols = [l.strip() for l in read(argv[1]).split("\n") if l.strip() and not l.startswith("#")]
        pages, links, documented = build(argv[2])
        bad = []
        for s in symbols:
            if s not in documented:
                bad.append("%s: no documentation comment before its declaration" % s)
            elif s + ".3" not in links:
                bad.append("%s: no man page" % s)
        for b in bad:
            print("UNDOCUMENTED " + b)
        # the pages themselves: groff (where installed) must take them
        # without a warning
        import shutil
        import subprocess
        import tempfile
        groff = shutil.which("groff")
        if groff:
            with tempfile.TemporaryDirectory() as tmp:
                for fname, text in pages.items():
                    path = os.path.join(tmp, fname)
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(text)
                    r = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", path],
                                       capture_output=True, text=True)
                    for w in (r.stderr.strip().split("\n") if r.stderr.strip() else []):
                        bad.append("%s: groff: %s" % (fname, w))
                        print("BAD PAGE %s: %s" % (fname, w))
        print("%d of %d exported functions documented, %d pages" %
              (len(symbols) - len(bad), len(symbols), len(pages)))
        return 1 if bad else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
