"""A build killed at any moment leaves the output directory exactly the old tree or exactly the
new one, and the next build recovers and leaves nothing next to it.

Each victim is a real child process running `archc build` (forked from this warm interpreter,
so 50 kills stay fast). Its kill moment is an index into the file-system events of its write
phase: an audit hook counts every event that touches the folder holding the output directory
and, at the chosen one, the child sends itself SIGKILL (or SIGTERM). The indices are drawn
from a seeded generator over the number of such events a whole build makes, so the kills
land in the scan, the staging, the swap and the cleanup alike.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import stat
import sys
from pathlib import Path

import pytest

from archc.cli import main

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "tests" / "cases" / "minimal-three-tier" / "spec"
KILLS, TERMS, SEED = 50, 12, 20261203
# Graphviz is most of a small build's time and changes nothing in how files are written: the
# victims leave the diagram emitter out, so its files are carried (a partial build's path)
FAST = ("--only", "terraform,security,helm,mermaid")

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux",
                                reason="fork and the audit-hook counting are tested on Linux")


def snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry below root: kind, mode, and content hash or link target (lstat only)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                what = "link:" + os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                what = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                what = ""
            found[path.relative_to(root).as_posix()] = (stat.filemode(st.st_mode),
                                                        stat.S_IMODE(st.st_mode), what)
    return found


def _touches(args: tuple[object, ...], root: str) -> bool:
    for arg in args:
        if isinstance(arg, tuple) and _touches(arg, root):
            return True
        if isinstance(arg, (str, bytes, os.PathLike)):
            text = os.fsdecode(arg) if not isinstance(arg, str) else arg
            if text.startswith(root):
                return True
    return False


def _counting_hook(root: str, at: int, signum: int, counter: list[int]):  # type: ignore[no-untyped-def]
    def hook(event: str, args: tuple[object, ...]) -> None:
        # rmtree removes by name relative to an open folder: those count as well
        relative = event in ("os.remove", "os.rmdir") and len(args) > 1 and args[1] is not None
        if relative or _touches(args, root):
            counter[0] += 1
            if counter[0] == at:
                os.kill(os.getpid(), signum)
    return hook


def run_child(argv: list[str], root: Path, at: int, signum: int) -> tuple[int, int]:
    """Fork a child running `archc` that signals itself at write event `at`.

    Returns (the child's wait status, how many events it counted)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        counter = [0]
        try:
            os.close(read_end)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            sys.addaudithook(_counting_hook(str(root), at, signum, counter))
            code = main(argv)
        finally:
            os.write(write_end, str(counter[0]).encode())
            os._exit(code)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        counted = int(pipe.read() or b"0")
    return status, counted


@pytest.fixture
def specs(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "spec-a"
    shutil.copytree(SPEC, a)
    b = tmp_path / "spec-b"
    shutil.copytree(SPEC, b)
    mmd = b / "architecture.mmd"
    mmd.write_text(mmd.read_text().replace("API Traffic", "Requests"), encoding="utf-8")
    return a, b


def _argv(spec: Path, out: Path) -> list[str]:
    return ["build", str(spec), "-o", str(out), *FAST]


def _build(spec: Path, out: Path) -> int:
    return main(_argv(spec, out))


def _start(tmp_path: Path, specs: tuple[Path, Path]) -> tuple[Path, Path, dict, dict]:
    """An output directory with things archc did not write, and both trees it can hold."""
    root = tmp_path / "w"
    out = root / "out"
    a, b = specs
    assert main(["build", str(a), "-o", str(out)]) == 0  # the diagrams, once
    (out / "empty").mkdir()
    (out / "NOTES.md").write_text("mine\n")
    (out / "link").symlink_to("terraform")
    os.mkfifo(out / "pipe", 0o640)
    assert _build(b, out) == 0
    tree_b = snapshot(out)
    assert _build(a, out) == 0
    tree_a = snapshot(out)
    assert tree_a != tree_b and {"empty", "NOTES.md", "link", "pipe"} <= set(tree_a)
    return root, out, tree_a, tree_b


def _moments(rng: random.Random, events: int, count: int) -> list[int]:
    return [rng.randint(1, events) for _ in range(count)]


def test_sigkill_during_the_write_leaves_old_or_new_tree(
        tmp_path: Path, specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, out, tree_a, tree_b = _start(tmp_path, specs)
    trees = {specs[0]: tree_a, specs[1]: tree_b}
    status, events = run_child(_argv(specs[1], out), root, 0, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and events > 50
    assert _build(specs[0], out) == 0
    current, landed = specs[0], {"old": 0, "new": 0}
    for at in _moments(random.Random(SEED), events, KILLS):
        target = specs[1] if current == specs[0] else specs[0]
        status, _ = run_child(_argv(target, out), root, at, signal.SIGKILL)
        finished = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0  # fewer events
        assert finished or os.WTERMSIG(status) == signal.SIGKILL, (at, status)
        after = snapshot(out)
        assert after in (trees[current], trees[target]), f"kill at event {at}: a mixed tree"
        landed["old" if after == trees[current] else "new"] += 1
        assert _build(target, out) == 0, f"the build after the kill at event {at} failed"
        assert snapshot(out) == trees[target]
        assert sorted(os.listdir(root)) == ["out"], f"leftovers after the kill at event {at}"
        current = target
    capsys.readouterr()
    assert landed["old"] and landed["new"], landed  # the kills fell on both sides of the swap


def test_sigterm_during_the_write_cleans_up_at_once(
        tmp_path: Path, specs: tuple[Path, Path]) -> None:
    root, out, tree_a, tree_b = _start(tmp_path, specs)
    _, events = run_child(_argv(specs[1], out), root, 0, 0)
    assert _build(specs[0], out) == 0
    stopped = 0
    for at in _moments(random.Random(SEED + 1), events, TERMS):
        status, _ = run_child(_argv(specs[1], out), root, at, signal.SIGTERM)
        exited = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM
        assert exited == 128 + signal.SIGTERM or killed, (at, status)
        stopped += exited == 128 + signal.SIGTERM
        assert snapshot(out) in (tree_a, tree_b), at
        # no recovery needed: the stopped build removed its staging folder itself
        assert sorted(os.listdir(root)) == ["out"], at
        assert _build(specs[0], out) == 0 and snapshot(out) == tree_a
    assert stopped  # most moments are inside the write, where the signal waits its turn
