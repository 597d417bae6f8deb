"""`python -m archc` is the same as the `archc` command."""

from __future__ import annotations

import sys

from archc.cli import main

sys.exit(main())
