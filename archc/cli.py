"""The `archc` command: argv in, exit code out. Thin: it calls the pipeline and renders.

Exit codes (documented in the README):
    0  success, nothing to report (or only notes/warnings)
    1  findings: invalid input, failed checks, stale outputs (`build --check`, `fmt --check`),
       an overlay `init` will not replace (ARC014)
    2  usage error (unknown command, bad option)
    3  changes found (`diff --exit-code`)
    4  I/O error (cannot read or write a file)
    128+N  stopped by signal N (SIGINT anywhere; SIGTERM/SIGHUP too during a write, which
           first leaves the output directory whole)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from archc import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_IO = 0, 1, 2, 4
EXIT_CHANGES = 3  # `archc diff --exit-code` found changes (as `git diff --exit-code`)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except OSError as exc:
        _say(f"archc: error: {exc}")
        return EXIT_IO
    except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM/SIGHUP during a write (_write)
        return 128 + getattr(exc, "signum", 2)


class Subcommands(Protocol):
    """What a command's `_add_*` needs of `add_subparsers()`'s result (argparse's own type
    for it is private)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archc", description="Compile a Mermaid architecture diagram plus a YAML overlay "
                                  "into Terraform, security rules and diagrams.")
    parser.add_argument("--version", action="version", version=f"archc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_parse(sub)
    _add_fmt(sub)
    _add_check(sub)
    _add_build(sub)
    _add_diagram(sub)
    _add_explain(sub)
    _add_init(sub)
    _add_diff(sub)
    _add_schema(sub)
    return parser


# The emitter registry's names (`archc.emit`), literal so that --help imports no emitter; a
# test keeps the two equal.
EMITTER_NAMES = ("terraform", "security", "helm", "addons", "mermaid", "diagram")


def _spec_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec_dir", type=Path, nargs="?", default=Path("spec"), metavar="SPEC_DIR",
                   help="directory with architecture.mmd and archc.yaml (default: spec/)")


def _quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress lines (they are shown only when stderr is a terminal "
                        "and CI is not set)")


def _add_parse(sub: Subcommands) -> None:
    p = sub.add_parser("parse", help="print what archc understood of a Mermaid flowchart",
                       description="Parse a flowchart (.mmd, .md with a ```mermaid fence, or - "
                                   "for stdin) and print what archc understood.")
    p.add_argument("file", help="flowchart file, or - for standard input")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: an outline for people (default); json: the Mermaid oracle's "
                        "schema-1 JSON")
    p.set_defaults(run=cmd_parse)


def _add_fmt(sub: Subcommands) -> None:
    p = sub.add_parser("fmt", help="print or rewrite flowcharts in canonical form",
                       description="Print the flowchart in archc's canonical Mermaid form, "
                                   "keeping its %% comments and blank lines; with --check or "
                                   "--write, any number of files and directories (every "
                                   ".mmd file below a directory).")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="flowchart file (.mmd, or .md with a ```mermaid fence), directory, "
                        "or - for standard input")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="exit 1 and name the files not in canonical form; write nothing")
    mode.add_argument("--write", action="store_true",
                      help="rewrite the files in place (standard input is printed)")
    p.add_argument("--fix", action="store_true",
                   help="instead of the canonical form, only quote the labels Mermaid "
                        "rejects unquoted (A[ALB (a)], -->|HTTPS (via VNet)|, subgraph GCP VPC "
                        "(us-central1)); the rest of the file is kept byte for byte")
    p.set_defaults(run=cmd_fmt)


def _add_check(sub: Subcommands) -> None:
    p = sub.add_parser("check", help="validate a spec directory",
                       description="Validate placement, flows, reachability and CIDRs.")
    _spec_dir(p)
    p.add_argument("--env", metavar="NAME", help="check only this environment's addressing")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                   help="text: file:line:col diagnostics for people (default); json: "
                        "versioned, for tools; sarif: SARIF 2.1.0, for code scanning")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print notes (every assumption archc made)")
    _quiet(p)
    p.set_defaults(run=cmd_check)


def _add_build(sub: Subcommands) -> None:
    p = sub.add_parser("build", help="check a spec, then generate its outputs",
                       description="Check the spec; on success write every generated file.")
    _spec_dir(p)
    p.add_argument("-o", "--out", type=_output_dir, default=Path("outputs"),
                   help="output directory (default: outputs/)")
    p.add_argument("--env", metavar="NAME", help="check only this environment")
    p.add_argument("--only", metavar="EMITTER[,EMITTER...]",
                   help="run only these emitters, comma-separated: "
                        + ", ".join(EMITTER_NAMES) + " (files of the others are kept)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 and list stale files if outputs are out of date")
    _quiet(p)
    p.set_defaults(run=cmd_build)


def _add_diagram(sub: Subcommands) -> None:
    p = sub.add_parser("diagram", help="check a spec, then regenerate only its diagrams",
                       description="The diagram emitters of `archc build` alone: canonical "
                                   "Mermaid, the diagrams script, DOT, PNG and SVG. Other "
                                   "outputs in the directory are kept as they are.")
    _spec_dir(p)
    p.add_argument("-o", "--out", type=_output_dir, default=Path("outputs"),
                   help="output directory (default: outputs/)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 and list stale files if diagrams are out of date")
    _quiet(p)
    p.set_defaults(run=cmd_diagram, env=None, only="mermaid,diagram")


def _output_dir(text: str) -> Path:
    """-o: Path('') would silently mean the working directory."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no directory; e.g. -o outputs")
    return Path(text)


def _slash(folder: Path) -> str:
    return folder.as_posix().rstrip("/") + "/"


def _add_explain(sub: Subcommands) -> None:
    p = sub.add_parser("explain", help="show what archc decided for a component or edge, and why",
                       description="NODE_OR_EDGE is a node id, a subgraph id or title, an edge "
                                   "id, or an edge written `A -> B` / `A <-> B`.")
    _spec_dir(p)
    p.add_argument("target", metavar="NODE_OR_EDGE",
                   help="a node id, a subgraph id or title, an edge id, or `A -> B`")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: for people, values as YAML (default); json: for tools")
    p.set_defaults(run=cmd_explain)


def _add_init(sub: Subcommands) -> None:
    p = sub.add_parser("init", help="write the overlay archc inferred from the diagram",
                       description="Write SPEC_DIR/archc.yaml: what archc decided for every "
                                   "zone, component and flow (each inferred value with its "
                                   "reason as a comment), the environments with their subnet "
                                   "CIDRs and the settings it assumed; what it could not decide "
                                   "is written as null with a `# TODO(archc): ...` comment, "
                                   "which `archc check` reports at its line until it is filled "
                                   "in. The file is written atomically; an existing overlay is "
                                   "never replaced without --force (exit 1).")
    _spec_dir(p)
    p.add_argument("--force", action="store_true",
                   help="replace an existing overlay: its values are kept and what archc "
                        "inferred is added; its comments are not kept")
    p.set_defaults(run=cmd_init)


def _add_diff(sub: Subcommands) -> None:
    p = sub.add_parser("diff", help="show what an architecture change does (for pull requests)",
                       description="Compile BASE and HEAD in memory and report what changes: "
                                   "components, zones, flows, security-group rules, IAM "
                                   "permissions, environments, with RISK flags and the "
                                   "unified diffs of the generated text files. Nothing is "
                                   "written.")
    base = p.add_mutually_exclusive_group()
    # default None, not "HEAD": argparse would not see `--base HEAD --base-dir X` as a clash
    base.add_argument("--base", metavar="REV",
                      help="a git revision whose copy of the HEAD spec directory is compared "
                           "(origin/main, HEAD~1; REV:path names another directory, relative "
                           "to the repository root); always a revision, never a directory; "
                           "default: HEAD, the last commit")
    base.add_argument("--base-dir", type=Path, metavar="DIR",
                      help="compare with the spec directory DIR instead of a git revision")
    p.add_argument("--head", type=Path, default=Path("spec"), metavar="HEAD",
                   help="the spec directory with the change (default: spec/)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="text for a terminal, markdown for a pull-request comment, json "
                        "(versioned) for tools")
    p.add_argument("--exit-code", action="store_true",
                   help="exit 3 when the architecture changes (as git diff --exit-code)")
    p.add_argument("--no-files", action="store_true",
                   help="leave out the unified diffs of the generated files")
    p.set_defaults(run=cmd_diff)


def _add_schema(sub: Subcommands) -> None:
    p = sub.add_parser("schema", help="print the overlay's JSON Schema",
                       description="Print the JSON Schema (Draft 2020-12) of archc.yaml.")
    p.set_defaults(run=cmd_schema)


# -- commands -----------------------------------------------------------------------------


def cmd_parse(args: argparse.Namespace) -> int:
    from archc.spec.mermaid.oracle_json import dumps_oracle_json, to_oracle_json

    chart, sources, diags = _read_flowchart(args.file)
    _report(diags, sources)
    if chart is None:
        return EXIT_FINDINGS
    if args.format == "json":
        sys.stdout.write(dumps_oracle_json(to_oracle_json(chart)))
    else:
        from archc.spec.describe import describe_flowchart
        from archc.terminal import escape_lines

        sys.stdout.write(escape_lines(describe_flowchart(chart)))
    return EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    names = _fmt_targets(args.files)
    if names is None:
        return EXIT_USAGE
    if len(names) > 1 and not (args.check or args.write):
        _say("archc fmt: several files: add --check or --write (or name one file to print it)")
        return EXIT_USAGE
    results = [_fmt_one(name, args) for name in names]
    return max(results, default=EXIT_OK)


def _fmt_targets(arguments: list[str]) -> list[str] | None:
    """The files named, with every .mmd file below a named directory (sorted, links not
    followed: a link in a pull request could point anywhere); None after a usage error."""
    if arguments.count("-") > 1:
        _say("archc fmt: standard input (-) can be read once")
        return None
    names: list[str] = []
    for name in arguments:
        path = Path(name)
        if name != "-" and path.is_dir() and not path.is_symlink():
            names += sorted(str(x) for x in _mermaid_files(path))
        else:
            names.append(name)
    return names


def _mermaid_files(directory: Path) -> list[Path]:
    import os

    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        found += [Path(root) / f for f in files
                  if f.endswith((".mmd", ".mermaid")) and not (Path(root) / f).is_symlink()]
    return found


def _fmt_one(name: str, args: argparse.Namespace) -> int:
    from archc.spec.mermaid.fmt import format_flowchart, keep_comments, reformat_file_text

    if args.fix:
        return _fix_one(name, args)
    chart, sources, diags = _read_flowchart(name)
    _report(diags, sources)
    if chart is None:
        return EXIT_FINDINGS
    # the text already read and checked (bounded; a regular file), in text mode's newlines
    label = "<stdin>" if name == "-" else name
    current = sources.get(label).text.replace("\r\n", "\n").replace("\r", "\n")
    canonical = format_flowchart(chart)
    text = reformat_file_text(current, label, canonical)
    if args.check:
        if current != text:
            fix = "archc fmt -` to print it" if name == "-" else f"archc fmt --write {name}`"
            _say(f"{label}: not in canonical form (run `{fix})")
            return EXIT_FINDINGS
        return EXIT_OK
    if args.write and name != "-":
        from archc._write import rewrite_file

        refused = rewrite_file(Path(name), text)
        _report([refused] if refused else [], sources)
        return EXIT_FINDINGS if refused else EXIT_OK
    # printed: the flowchart alone, also of a Markdown file
    sys.stdout.write(text if name == "-" else keep_comments(_body(current, label), canonical))
    return EXIT_OK


def _fix_one(name: str, args: argparse.Namespace) -> int:
    """`fmt --fix`: the file with its rejected labels quoted (`spec.mermaid.fix`), printed,
    checked or written; what the fix cannot repair stays reported with its position."""
    from archc.source import SourceRegistry
    from archc.spec.mermaid.fix import fix_file

    _, sources, diags = _read_flowchart(name)
    source = next(iter(sources), None)
    if source is None:  # unreadable: nothing to fix
        _report(diags, sources)
        return EXIT_FINDINGS
    label = source.path
    fixed = fix_file(source.text, label)
    if args.check:
        _report(fixed.diagnostics, fixed.sources())
        fix = "archc fmt --fix -` to print it" if name == "-" else \
            f"archc fmt --fix --write {name}`"
        for line, repair in fixed.repairs:
            _say(f"{label}:{line}:{repair.start + 1}: {repair.kind} needs quotes (run `{fix})")
        return EXIT_FINDINGS if fixed.repairs or fixed.diagnostics else EXIT_OK
    for line, repair in fixed.repairs:
        _say(f"{label}:{line}:{repair.start + 1}: quoted the {repair.kind}")
    _report(fixed.diagnostics, fixed.sources())
    if args.write and name != "-":
        from archc._write import rewrite_file

        refused = rewrite_file(Path(name), fixed.text) if fixed.repairs else None
        _report([refused] if refused else [], SourceRegistry())
        return EXIT_FINDINGS if refused or fixed.diagnostics else EXIT_OK
    if fixed.found:  # printed: the flowchart alone, also of a Markdown file
        sys.stdout.write(fixed.text if name == "-" else _body(fixed.text, label))
    return EXIT_FINDINGS if fixed.diagnostics else EXIT_OK


def _body(text: str, name: str) -> str:
    from archc.spec.mermaid import extract_flowchart

    found = extract_flowchart(text, name)
    return found[0] if isinstance(found, tuple) else text


def cmd_check(args: argparse.Namespace) -> int:
    from archc import pipeline

    outcome = pipeline.check(args.spec_dir, args.env, _progress(args))
    if args.format == "json":
        from archc.render import diagnostics_json

        sys.stdout.write(diagnostics_json(outcome.diagnostics))
    elif args.format == "sarif":
        from archc.sarif import to_sarif

        shown = [x for x in outcome.diagnostics if args.verbose or x.severity.value != "note"]
        sys.stdout.write(json.dumps(to_sarif(shown, outcome.loaded.sources, __version__),
                                    indent=2, sort_keys=True) + "\n")
    else:
        _report(outcome.diagnostics, outcome.loaded.sources, verbose=args.verbose)
        _summary(args.spec_dir, outcome.diagnostics)
    return EXIT_OK if outcome.ok else EXIT_FINDINGS


def cmd_build(args: argparse.Namespace) -> int:
    from archc import pipeline

    name = f"archc {args.command}"  # `archc diagram` runs this too and says so
    only = tuple(x.strip() for x in args.only.split(",")) if args.only else None
    unknown = [x for x in only or () if x not in EMITTER_NAMES]
    if unknown:
        _say(f"{name}: unknown emitter(s) {', '.join(unknown)}; "
             f"known: {', '.join(EMITTER_NAMES)}")
        return EXIT_USAGE
    try:
        outcome = pipeline.build(args.spec_dir, args.out, args.env, only, dry_run=args.check,
                                 on_stage=_progress(args))
    except OSError as exc:  # the write is staged beside the directory and swapped whole
        _say(f"{name}: cannot write {_slash(args.out)}: {exc} (nothing in "
             f"{_slash(args.out)} was replaced)")
        return EXIT_IO
    _report(outcome.check.diagnostics, outcome.check.loaded.sources)
    if not outcome.ok:
        _summary(args.spec_dir, outcome.check.diagnostics)
        _say(f"{name}: nothing written to {_slash(args.out)}")
        return EXIT_FINDINGS
    if args.check:
        return _report_stale(name, args.out, outcome)
    _say(f"{name}: {len(outcome.files)} files in {args.out}/ "
         f"({len(outcome.written)} written, {len(outcome.unchanged)} unchanged, "
         f"{len(outcome.removed)} stale removed)", sys.stdout)
    for path in outcome.removed:
        _say(f"  removed {args.out}/{path}", sys.stdout)
    return EXIT_OK


def cmd_diagram(args: argparse.Namespace) -> int:
    return cmd_build(args)


def cmd_explain(args: argparse.Namespace) -> int:
    from archc import pipeline
    from archc.explain import explain

    outcome = pipeline.check(args.spec_dir)
    arch = outcome.loaded.arch
    if arch is None:
        _report(outcome.diagnostics, outcome.loaded.sources)
        return EXIT_FINDINGS
    found = explain(arch, args.target)
    if found is None:
        _say(f"archc explain: {args.target!r} is not a node, zone or edge of {args.spec_dir}")
        return EXIT_FINDINGS
    if args.format == "json":
        sys.stdout.write(json.dumps(found.to_json(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(found.to_text())
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from archc.init_overlay import InitRefused, init

    try:
        written = init(args.spec_dir, force=args.force)
    except InitRefused as refused:
        _report(refused.diagnostics, refused.sources)
        _say(f"archc init: nothing written to {_slash(args.spec_dir)}")
        return EXIT_FINDINGS
    except OSError as exc:
        _say(f"archc init: cannot write {_slash(args.spec_dir)}: {exc}")
        return EXIT_IO
    fill = (f"; {written.to_fill} marked TODO(archc) to fill in, then run "
            f"`archc check {args.spec_dir}`" if written.to_fill else "")
    _say(f"archc init: wrote {_slash(args.spec_dir)}{written.name}: {written.decided} "
         f"value(s) decided{fill}", sys.stdout)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from archc import diff

    try:
        base = args.base_dir or (args.base if args.base is not None else "HEAD")
        outcome = diff.run(base, args.head, files=not args.no_files)
    except diff.InputError as exc:
        _say(f"archc diff: {exc}")
        return EXIT_IO
    for side in outcome.failed:
        _say(f"archc diff: {side.label} has errors:")
        _report(side.diagnostics, side.sources)
    if outcome.report is None:
        return EXIT_FINDINGS
    sys.stdout.write(diff.render(outcome.report, args.format))
    return EXIT_CHANGES if args.exit_code and outcome.report.changed else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from archc.spec.schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


# -- helpers ------------------------------------------------------------------------------


def _read_stdin(limit: int) -> bytes | None:
    """Standard input as bytes up to the input size limit; None when it is longer. Bytes,
    decoded strictly later: the text layer's surrogateescape would let invalid UTF-8 through
    as lone surrogates."""
    stdin = getattr(sys.stdin, "buffer", None)
    data = stdin.read(limit + 1) if stdin is not None else \
        sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape")
    return data if len(data) <= limit else None


def _read_flowchart(name: str):  # type: ignore[no-untyped-def]
    from archc.source import SourceRegistry, display_path, tree_of
    from archc.spec.mermaid import flowchart_from_bytes, load_flowchart

    sources = SourceRegistry()
    if name == "-":
        from archc import source as inputs

        data = _read_stdin(inputs.MAX_INPUT_BYTES)
        if data is None:
            from archc.diagnostics import input_refused as refused

            return None, sources, [refused("<stdin>", inputs.too_large(inputs.MAX_INPUT_BYTES))]
        chart, source, diags = flowchart_from_bytes(data, "<stdin>")
    else:
        # A named file may be a link, but only to a file in the tree it is named in (its
        # repository): the same bound `fmt --write` writes within.
        path = Path(os.path.abspath(name))
        chart, source, diags = load_flowchart(Path(name), display_path(name), tree_of(path))
    if source is not None:
        sources.add(source)
    return chart, sources, diags


def _report(diags, sources, verbose: bool = False) -> None:  # type: ignore[no-untyped-def]
    from archc.diagnostics import Severity
    from archc.render import write_text

    shown = [x for x in diags if verbose or x.severity is not Severity.NOTE]
    write_text(shown, sources)


def _say(text: str, stream: TextIO | None = None) -> None:
    """One line for people, input-derived parts (paths, targets, git's words) escaped so the
    terminal shows them rather than obeys them (`archc.terminal`)."""
    from archc.terminal import escape

    (stream or sys.stderr).write(escape(text) + "\n")


def _progress(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """What the pipeline reports after each stage, as a line on stderr with the stage's time
    (`archc: load     15 components, 21 flows   0.21 s`); nothing with -q, when stderr is no
    terminal (a pipe, a log) or in CI, where the lines would only clutter the log."""
    import os
    import time

    from archc.pipeline import no_progress

    if getattr(args, "quiet", False) or os.environ.get("CI") or not sys.stderr.isatty():
        return no_progress
    last = [time.perf_counter()]

    def on_stage(stage: str, detail: str) -> None:
        now = time.perf_counter()
        _say(f"archc: {stage:<13} {detail:<32} {now - last[0]:6.2f} s")
        last[0] = now

    return on_stage


def _summary(spec_dir: Path, diags) -> None:  # type: ignore[no-untyped-def]
    from archc.render import summary_line

    notes = sum(1 for x in diags if x.severity.value == "note")
    tail = " (run with -v to see the notes)" if notes else ""
    _say(f"{spec_dir}: {summary_line(diags)}{tail}")


def _report_stale(name: str, out: Path, outcome) -> int:  # type: ignore[no-untyped-def]
    stale = [*outcome.written, *outcome.removed]
    if not stale:
        _say(f"{name} --check: {out}/ is up to date ({len(outcome.files)} files)",
             sys.stdout)
        return EXIT_OK
    _say(f"{name} --check: {len(stale)} stale file(s) in {out}/ "
         "(run `archc build` and commit the result):")
    for path in outcome.written:
        _say(f"  changed {out}/{path}")
    for path in outcome.removed:
        _say(f"  no longer generated {out}/{path}")
    return EXIT_FINDINGS
