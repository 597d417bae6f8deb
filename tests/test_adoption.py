"""A team adopts archc: a repository outside archc's tree that holds only spec/ and a
.pre-commit-config.yaml, two commits, and archc installed from the wheel `python -m build`
makes. The pre-commit hooks' entries and the action's steps run there with the exit codes a
team would see.

Offline, so two stand-ins, said here: the hooks run as `pre-commit run --all-files` runs them
(entry + args + the tracked files their `files` pattern matches, in the hook's order; a hook
that modifies a file fails), since pre-commit itself would install archc and its dependencies
from the network; and the fresh venv's dependencies come from this test's own environment (a
.pth), while archc itself is the built wheel's, installed with pip.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from archc import __version__

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "tests" / "cases" / "minimal-three-tier" / "spec"
PRE_COMMIT_CONFIG = f"""\
repos:
  - repo: https://github.com/example/archc
    rev: v{__version__}
    hooks:
      - id: archc-fmt
      - id: archc-check
      - id: archc-build-check
"""
_EXPRESSION = re.compile(r"\$\{\{\s*(inputs|runner|github)\.([\w-]+)\s*\}\}")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv outside the tree holding archc from the built wheel."""
    root = tmp_path_factory.mktemp("install")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                    str(root / "dist"), str(REPO)], check=True, capture_output=True)
    wheel = next((root / "dist").glob(f"archc_cli-{__version__}-*.whl"))
    assert next((root / "dist").glob(f"archc_cli-{__version__}.tar.gz"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")],
                   check=True)
    python = root / "venv" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "archc_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run([str(python), "-c", "import archc; print(archc.__file__)"],
                           cwd=root, check=True, capture_output=True, text=True).stdout
    assert where.startswith(site), where  # the wheel's archc, not this checkout's
    version = subprocess.run([str(root / "venv" / "bin" / "archc"), "--version"], check=True,
                             capture_output=True, text=True).stdout
    assert version == f"archc {__version__}\n"
    return root / "venv" / "bin"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """The team's repository: spec/ and .pre-commit-config.yaml, then a second commit that
    renames a component."""
    repo = tmp_path / "team"
    shutil.copytree(SPEC, repo / "spec")
    (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "team@example.com")
    git(repo, "config", "user.name", "Team")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "architecture")
    mmd = repo / "spec" / "architecture.mmd"
    mmd.write_text(mmd.read_text(encoding="utf-8").replace('"API Service"', '"Orders API"'),
                   encoding="utf-8")
    git(repo, "commit", "-q", "-am", "rename the API")
    assert git(repo, "ls-files").split() == [".pre-commit-config.yaml", "spec/archc.yaml",
                                             "spec/architecture.mmd"]
    return repo


def tool_env(venv: Path, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{venv}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}


def run_hook(repo: Path, hook: dict[str, object], env: dict[str, str]) -> int | None:
    """`pre-commit run --all-files` for one hook: None when no file matches (skipped); 1 when
    the hook modified a file, as pre-commit fails it."""
    tracked = git(repo, "ls-files").split()
    files = [f for f in tracked if re.search(str(hook.get("files", "")), f)]
    if not files:
        return None
    argv = [*shlex.split(str(hook["entry"])), *hook.get("args", [])]  # type: ignore[misc]
    if hook.get("pass_filenames", True):
        argv += files
    before = git(repo, "diff")
    code = subprocess.run(argv, cwd=repo, env=env, capture_output=True, check=False).returncode
    return code or (1 if git(repo, "diff") != before else 0)


def hooks_of_config(repo: Path) -> list[dict[str, object]]:
    published = {h["id"]: h for h in yaml.safe_load(
        (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [published[h["id"]] for r in config["repos"] for h in r["hooks"]]


def test_hooks_run_from_the_installed_wheel(venv: Path, team: Path, tmp_path: Path) -> None:
    env = tool_env(venv, tmp_path)
    codes = {h["id"]: run_hook(team, h, env) for h in hooks_of_config(team)}
    # outputs/ not generated yet: the build check says so
    assert codes == {"archc-fmt": 0, "archc-check": 0, "archc-build-check": 1}

    assert subprocess.run(["archc", "build", "spec"], cwd=team, env=env,
                          capture_output=True, check=False).returncode == 0
    git(team, "add", "outputs")
    codes = {h["id"]: run_hook(team, h, env) for h in hooks_of_config(team)}
    assert codes == {"archc-fmt": 0, "archc-check": 0, "archc-build-check": 0}

    mmd = team / "spec" / "architecture.mmd"
    mmd.write_text(mmd.read_text(encoding="utf-8").replace("\n    ", "\n  \t  ", 3),
                   encoding="utf-8")
    mmd.write_text(mmd.read_text(encoding="utf-8") + "    API --> Ghost\n", encoding="utf-8")
    codes = {h["id"]: run_hook(team, h, env) for h in hooks_of_config(team)}
    # fmt rewrote the file (pre-commit fails the hook); the new edge breaks check and build
    assert codes == {"archc-fmt": 1, "archc-check": 1, "archc-build-check": 1}
    assert "\n  \t  " not in mmd.read_text(encoding="utf-8")


def action_steps() -> tuple[dict[str, str], dict[str, dict[str, object]]]:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    steps = {s["id"]: s for s in action["runs"]["steps"] if "id" in s}
    return defaults, steps


def run_step(step: dict[str, object], repo: Path, env: dict[str, str],
             context: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """A `run:` step as the runner runs it (bash -e -o pipefail): its env's expressions
    resolved from `context`; returns the exit code, $GITHUB_OUTPUT and the summary."""
    def value(text: object) -> str:
        def one(m: re.Match[str]) -> str:
            return context[f"{m.group(1)}.{m.group(2)}"]
        resolved = _EXPRESSION.sub(one, str(text))
        assert "${{" not in resolved, f"unsupported expression in {text!r}"
        return resolved

    temp = Path(context["runner.temp"])
    output, summary = temp / "output", temp / "summary"
    output.write_text(""), summary.write_text("")
    step_env = {**env, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                **{k: value(v) for k, v in dict(step.get("env", {})).items()}}  # type: ignore
    assert "${{" not in str(step["run"]), "values reach scripts through env: only"
    code = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           str(step["run"])], cwd=repo, env=step_env, capture_output=True,
                          check=False).returncode
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return code, outputs, summary.read_text()


def test_action_steps_run_from_the_installed_wheel(venv: Path, team: Path,
                                                   tmp_path: Path) -> None:
    env = tool_env(venv, tmp_path)
    defaults, steps = action_steps()
    temp = tmp_path / "runner"
    temp.mkdir()
    context = {**{f"inputs.{k}": v for k, v in defaults.items()}, "runner.temp": str(temp),
               "github.base_ref": "", "inputs.base": "HEAD~1"}

    assert run_step(steps["check"], team, env, context)[0] == 0
    assert f'"version": "{__version__}"' in (temp / "archc.sarif").read_text()
    assert run_step(steps["build-check"], team, env, context)[0] == 1  # nothing generated yet
    code, outputs, summary = run_step(steps["diff"], team, env, context)
    assert (code, outputs) == (0, {"changed": "true"})
    assert "Orders API" in summary and "Orders API" in (temp / "archc-diff.md").read_text()

    assert subprocess.run(["archc", "build", "spec"], cwd=team, env=env,
                          capture_output=True, check=False).returncode == 0
    assert run_step(steps["build-check"], team, env, context)[0] == 0
    code, outputs, summary = run_step(steps["diff"], team, env,
                                      {**context, "inputs.base": "HEAD"})
    assert (code, outputs, summary) == (0, {"changed": "false"}, "")  # no comment then

    (team / "spec" / "archc.yaml").write_text("components: [", encoding="utf-8")
    assert run_step(steps["check"], team, env, context)[0] == 1
    assert run_step(steps["diff"], team, env, context)[0] == 1  # HEAD has errors


def test_action_installs_the_version_it_is_tagged_with() -> None:
    defaults, steps = action_steps()
    assert defaults["version"] == __version__
    assert "archc-cli==$ARCHC_VERSION" in str(steps["install"]["run"])


def test_adoption_docs_name_this_version_and_every_input() -> None:
    """The three steps of the README and ACTION.md install the version this is, and the
    action's README documents every input the action has."""
    defaults, _ = action_steps()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    guide = (REPO / "ACTION.md").read_text(encoding="utf-8")
    for text in (readme, guide):
        assert f"archc-cli=={__version__}" in text and f"/archc@v{__version__}" in text
    for name in defaults:
        assert f"| `{name}` |" in guide, name
    workflow = yaml.safe_load(guide.split("```yaml\n")[1].split("```")[0])
    assert [s.get("uses") for s in workflow["jobs"]["archc"]["steps"]] == [
        "actions/checkout@v4", f"<owner>/archc@v{__version__}"]


def test_workflow_uses_the_action_with_the_least_permissions() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "archc.yml").read_text(
        encoding="utf-8"))
    assert "pull_request" in workflow.get("on", workflow.get(True))  # YAML 1.1: `on` is true
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write",
                                       "security-events": "write"}
    steps = workflow["jobs"]["archc"]["steps"]
    assert [s["uses"] for s in steps] == ["actions/checkout@v4", "./"]
    assert steps[1]["with"] == {"package": "."}


def test_action_runs_the_pull_request_checks_with_pinned_actions() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    uses = [s["uses"].split("@") for s in steps if "uses" in s]
    assert {u[0] for u in uses} == {"actions/setup-python", "github/codeql-action/upload-sarif",
                                    "marocchino/sticky-pull-request-comment"}
    assert all(version.startswith("v") and version[1:].isdigit() for _, version in uses)
    runs = "\n".join(s.get("run", "") for s in steps)
    for command in ('archc check "$SPEC" --format sarif > "$SARIF"',
                    'archc build "$SPEC" -o "$OUT" --check',
                    'archc diff --base "$BASE" --head "$SPEC" --format markdown --exit-code'):
        assert command in runs, command
    forks = "github.event.pull_request.head.repo.full_name == github.repository"
    writers = [s for s in steps if s.get("uses", "").split("@")[0] in (
        "github/codeql-action/upload-sarif", "marocchino/sticky-pull-request-comment")]
    assert len(writers) == 3 and all(forks in s["if"] for s in writers)
