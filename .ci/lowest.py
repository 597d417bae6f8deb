"""Print the pins of the lowest-versions test run: every runtime dependency of pyproject.toml
at its lower bound (`name>=X` becomes `name==X`), and pytest at the dev extra's pin.

The lower bounds are read from pyproject.toml, never copied, so the versions the test run
proves are the versions a user's `pip install` may pick.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_LOWER = re.compile(r">=\s*([^,;\s]+)")


def lowest_pins(project: dict[str, object]) -> list[str]:
    """`name==lower` per runtime dependency; a dependency without `>=` is an error."""
    pins = []
    for requirement in project["dependencies"]:  # type: ignore[union-attr]
        name, lower = _NAME.match(requirement), _LOWER.search(requirement)
        if name is None or lower is None:
            raise SystemExit(f"lowest.py: {requirement!r} has no lower bound (name>=X)")
        pins.append(f"{name.group(1)}=={lower.group(1)}")
    return pins


def dev_pin(project: dict[str, object], name: str) -> str:
    for requirement in project["optional-dependencies"]["dev"]:  # type: ignore[index]
        if requirement.split("==")[0].strip().lower() == name:
            return requirement
    raise SystemExit(f"lowest.py: no {name} pin in the dev extra")


def main() -> int:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    sys.stdout.write("\n".join([*lowest_pins(project), dev_pin(project, "pytest")]) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
