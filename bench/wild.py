"""How much of a folder of real-world diagrams `archc check` reads with no overlay (issue 11).

    python bench/wild.py DIR [--oracle DIR] [--build]

Each `*.mmd` in DIR is copied alone into a scratch spec directory as `architecture.mmd` and
checked. A diagram Mermaid rejects (the real parser when `--oracle` names the Mermaid oracle
with its node_modules, else archc's own parser, which agrees) is left out of the figure. The
cloud is archc's own verdict when it reports another cloud (ARC220), else AWS.

Per file: the cloud, Mermaid's verdict and the error codes. The figure counts, among the AWS
diagrams Mermaid accepts, those with no error other than a genuine architecture finding
(placement ARC21x, flow policy / NAT direction / reachability ARC303-309, CIDR ARC40x);
the failures whose only other errors are "unknown kind" (ARC202) are counted apart, since a
service archc has no kind for yet is another issue's work. With `--build`, each diagram that
checks with no error at all is also built into a scratch directory.

Kind coverage: among the components of those AWS diagrams (zones are not components, nor are
the nodes archc reads as a description, ARC291: security groups, notes), the share that get a
kind with no overlay, and the labels that get none, grouped by the word that would name their
kind (the node's `aws:` icon when it has one, else the label's first word that is not "AWS",
"Amazon" or a filler): what the catalog still lacks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archc import diagnostics as d  # noqa: E402
from archc import pipeline  # noqa: E402
from archc.model import Component, one_line  # noqa: E402

GENUINE = re.compile(r"^ARC(21\d|30[3-9]|40\d)$")
UNKNOWN_KIND = "ARC202"
OTHER_CLOUD = "ARC220"
# `Node@{ icon: "aws:lambda", ... }`: the icon a node names.
ICON = re.compile(r'\b([A-Za-z_][\w-]*)@\{[^}]*?\bicon\s*:\s*["\']([^"\']+)["\']')
FILLERS = frozenset({"aws", "amazon", "the", "a", "an", "my", "our", "new", "main", "primary",
                     "and", "or", "for", "of", "to", "with", "via", "on", "in", "br", "app",
                     "application", "function", "task", "table", "cluster", "custom"})


@dataclass
class Verdict:
    name: str
    cloud: str
    mermaid_ok: bool
    errors: tuple[str, ...]
    built: bool | None = None
    components: int = 0  # components archc reads (not zones, not described nodes)
    unknown: tuple[tuple[str, str], ...] = ()  # (icon or "", label) of those with no kind

    @property
    def other(self) -> tuple[str, ...]:
        """Error codes that are not genuine architecture findings."""
        return tuple(c for c in self.errors if not GENUINE.match(c))

    @property
    def status(self) -> str:
        if not self.mermaid_ok:
            return "rejected by Mermaid"
        if self.cloud != "aws":
            return "other cloud"
        if not self.other:
            return "clean" if not self.errors else "clean (genuine findings only)"
        if set(self.other) == {UNKNOWN_KIND}:
            return "only unknown kinds"
        return "fails"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir", type=Path)
    p.add_argument("--oracle", default=os.environ.get("ARCHC_MERMAID_ORACLE"),
                   help="the Mermaid oracle directory (parse.mjs + node_modules)")
    p.add_argument("--build", action="store_true", help="build each diagram with no error")
    args = p.parse_args(argv)
    oracle = Path(args.oracle) if args.oracle else None
    verdicts = [_one(path, oracle, args.build) for path in sorted(args.dir.glob("*.mmd"))]
    for v in verdicts:
        counts = Counter(v.errors)
        codes = " ".join(f"{c}x{n}" if n > 1 else c for c, n in sorted(counts.items()))
        built = "" if v.built is None else f"  build: {'ok' if v.built else 'FAILED'}"
        print(f"{v.name:70.70}  {v.cloud:5}  {v.status:30}  {codes or '-'}{built}")
    _totals(verdicts)
    return 0


def _one(path: Path, oracle: Path | None, build: bool) -> Verdict:
    with tempfile.TemporaryDirectory() as scratch:
        spec = Path(scratch) / "spec"
        spec.mkdir()
        shutil.copyfile(path, spec / "architecture.mmd")
        outcome = pipeline.check(spec)
        errors = tuple(x.code for x in outcome.diagnostics if x.severity is d.Severity.ERROR)
        mermaid_ok = (_oracle_accepts(oracle, path) if oracle is not None
                      else not any(c.startswith("ARC1") for c in errors))
        cloud = "other" if OTHER_CLOUD in errors else "aws"
        arch = outcome.loaded.arch
        comps = arch.components if arch is not None else ()
        icons = dict(ICON.findall(path.read_text(encoding="utf-8")))
        unknown = tuple((icons.get(c.id, ""), one_line(c.label)) for c in comps if _kindless(c))
        verdict = Verdict(path.name, cloud, mermaid_ok, errors, None, len(comps), unknown)
        if build and mermaid_ok and not errors:
            result = pipeline.build(spec, Path(scratch) / "out")
            verdict.built = not d.has_errors(list(result.check.diagnostics))
        return verdict


def _kindless(comp: Component) -> bool:
    """No kind without an overlay: linking left it unknown (ARC202/ARC203)."""
    return any(x.attribute == "kind" and x.value == "unknown" for x in comp.decisions)


def label_words(label: str) -> list[str]:
    """The words of a label's first line, fillers and parenthesised asides left out, in order
    ("SES<br/>(Email)" is named by "ses")."""
    first = re.split(r"<\s*/?\s*br\s*/?\s*>|\\n|\n", label, maxsplit=1)[0]
    first = re.sub(r"\([^)]*\)", " ", first)
    return [w for w in re.findall(r"[a-z][a-z0-9-]*", first.lower()) if w not in FILLERS]


def naming_word(label: str, icon: str | None, common: Counter[str] | None = None) -> str:
    """The word that would name a component's kind: its `aws:` icon, else the label's word
    that most unknown labels share (`common`; "Booking Lambda" is a Lambda), else its first."""
    if icon:
        return icon.split(":", 1)[-1].lower()
    words = label_words(label)
    if not words:
        return "(no word)"
    return max(words, key=lambda w: (common or Counter())[w])  # max keeps the first of a tie


def _oracle_accepts(oracle: Path, path: Path) -> bool:
    done = subprocess.run(["node", str(oracle / "parse.mjs"), str(path)], capture_output=True,
                          text=True, check=False, timeout=120)
    if done.returncode != 0:
        return False
    try:
        return bool(json.loads(done.stdout).get("ok", True))
    except json.JSONDecodeError:
        return False


def _totals(verdicts: list[Verdict]) -> None:
    aws = [v for v in verdicts if v.mermaid_ok and v.cloud == "aws"]
    clean = [v for v in aws if not v.other]
    kinds_only = [v for v in aws if v.status == "only unknown kinds"]
    share = f"{100 * len(clean) / len(aws):.0f}%" if aws else "n/a"
    print(f"\n{len(verdicts)} diagrams; Mermaid rejects "
          f"{sum(not v.mermaid_ok for v in verdicts)}; other clouds "
          f"{sum(v.mermaid_ok and v.cloud != 'aws' for v in verdicts)}")
    print(f"AWS diagrams Mermaid accepts: {len(aws)}; clean (no error but genuine findings): "
          f"{len(clean)} ({share}); failing only on unknown kinds: {len(kinds_only)}; "
          f"failing otherwise: {len(aws) - len(clean) - len(kinds_only)}")
    blocking = Counter(c for v in aws for c in set(v.other))
    print("codes in failing AWS diagrams (diagrams each): "
          + (", ".join(f"{c} {n}" for c, n in sorted(blocking.items())) or "none"))
    _coverage(aws)


def _coverage(aws: list[Verdict]) -> None:
    """The kind-coverage figure, and the unknown labels grouped by their naming word."""
    total = sum(v.components for v in aws)
    unknown = [u for v in aws for u in v.unknown]
    share = f"{100 * (total - len(unknown)) / total:.0f}%" if total else "n/a"
    print(f"kind coverage (AWS diagrams Mermaid accepts, no overlay): {total - len(unknown)} of "
          f"{total} components get a kind ({share}); {len(unknown)} unknown")
    common = Counter(w for _, label in unknown for w in set(label_words(label)))
    groups: dict[str, list[str]] = {}
    for icon, label in unknown:
        groups.setdefault(naming_word(label, icon, common), []).append(label)
    for word, labels in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        shown = "; ".join(sorted(set(labels)))
        print(f"  {word} ({len(labels)}): {shown[:160]}")


if __name__ == "__main__":
    sys.exit(main())
