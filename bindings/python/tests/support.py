"""What the tests share: running Python code in a child process.

Used where the outcome is the process's end (an unrecovered panic exits
with status 2) or where a bug would hang (a blocking call that kept the
GIL): the child's timeout turns the hang into a failure.
"""

import os
import subprocess
import sys
import textwrap
from collections import namedtuple

Child = namedtuple("Child", "status stdout stderr")


def run_python(code, timeout=60, env=None):
    """Run code (dedented) with this interpreter and this sys.path."""
    child_env = dict(os.environ)
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    if env:
        child_env.update(env)
    try:
        p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                           text=True, timeout=timeout, env=child_env)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("child timed out after %ss; stdout %r, stderr %r" % (timeout, e.stdout, e.stderr))
    return Child(p.returncode, p.stdout, p.stderr)
