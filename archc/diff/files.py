"""Unified diffs of the generated text files a reviewer reads: Terraform, security reports,
Helm charts and the canonical Mermaid. Binaries, icons, PNG, SVG and DOT are left out (not
reviewable as text, and DOT needs Graphviz's layout to mean anything)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from archc.emit import OutputFile

# The emitters whose outputs are diffed: no Graphviz needed, everything text.
TEXT_EMITTERS = ("terraform", "security", "helm", "addons", "mermaid")
CONTEXT_LINES = 3
# Comment lines, by file type: generated Terraform cites the diagram and overlay lines behind a
# resource in the comment above it, so a line inserted in the spec renumbers comments only. A
# hunk that changes nothing but comments is summarised as such; any other hunk (an attribute,
# a report row) is shown, whatever it changes.
COMMENT = {".tf": re.compile(r"^\s*(?:#|//)"), ".mmd": re.compile(r"^\s*%%")}


@dataclass(frozen=True, slots=True)
class FileDiff:
    path: str
    status: str  # added | removed | modified
    added: int  # lines
    removed: int
    diff: str  # unified diff text, `a/` and `b/` headers as git writes them
    review: str = ""  # the same without the hunks that change only comments
    comment_hunks: int = 0  # how many hunks were left out of `review`

    @property
    def comments_only(self) -> bool:
        """Every hunk changes only comment lines (e.g. the spec lines a resource cites)."""
        return self.comment_hunks > 0 and "\n@@" not in "\n" + self.review


def reviewable(path: str) -> bool:
    if path.startswith(("terraform/", "security/")):
        return True
    return path.startswith("diagrams/") and path.endswith(".mmd")


def file_diffs(base: tuple[OutputFile, ...], head: tuple[OutputFile, ...]) -> tuple[FileDiff, ...]:
    old = _texts(base)
    new = _texts(head)
    out = []
    for path in sorted(old.keys() | new.keys()):
        if old.get(path) != new.get(path):
            out.append(_diff(path, old.get(path), new.get(path)))
    return tuple(out)


def _texts(files: tuple[OutputFile, ...]) -> dict[str, str]:
    return {f.path: f.content for f in files
            if isinstance(f.content, str) and reviewable(f.path)}


def _diff(path: str, old: str | None, new: str | None) -> FileDiff:
    status = "added" if old is None else "removed" if new is None else "modified"
    lines = list(difflib.unified_diff(
        (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True),
        "/dev/null" if old is None else f"a/{path}", "/dev/null" if new is None else f"b/{path}",
        n=CONTEXT_LINES))
    body = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)
    added = sum(1 for x in lines[2:] if x.startswith("+"))
    removed = sum(1 for x in lines[2:] if x.startswith("-"))
    header, hunks = _hunks(body)
    comment = next((c for ext, c in COMMENT.items() if path.endswith(ext)), None)
    kept = [h for h in hunks if comment is None or not _comments_only(h, comment)]
    return FileDiff(path, status, added, removed, body, header + "".join(kept),
                    len(hunks) - len(kept))


def _hunks(body: str) -> tuple[str, list[str]]:
    """The `---`/`+++` header and each `@@` hunk of a unified diff."""
    parts = re.split(r"(?m)^(?=@@ )", body)
    return parts[0], parts[1:]


def _comments_only(hunk: str, comment: re.Pattern[str]) -> bool:
    changed = [x[1:] for x in hunk.splitlines()[1:] if x.startswith(("-", "+"))]
    return all(comment.match(x) for x in changed)
