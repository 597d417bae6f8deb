"""Terraform: one shared platform module, a root per environment, and the state bootstrap.

The context the templates read (templates/terraform/CONTEXT.md) is computed from the IR by
`context.build_context`, the HCL values they print by `hcl_data` (the global ``tf``);
this module only renders every template with them:

* ``X.j2`` -> ``terraform/X``; partials (``_*``) are not rendered;
* ``envs/_env/*.j2`` -> ``terraform/envs/<env>/*`` once per environment (``env`` bound).

Diagnostics ARC510-ARC529 (`TERRAFORM_CODES`) say what the IR asks for that Terraform cannot
express, or what archc had to assume; they are returned, never raised.

The package may import `archc.aws` (names, security-group rows, IAM principals), the IR
modules, `archc.emit.output` and the shared `archc.emit._jinja`/`_hcl`; no other emitter.
"""

from __future__ import annotations

import networkx as nx

from archc.emit._jinja import environment, template_names
from archc.emit.output import EmitResult, OutputFile
from archc.emit.terraform import context_types as ct
from archc.emit.terraform import hcl_data
from archc.emit.terraform.common import TERRAFORM_CODES
from archc.emit.terraform.context import build_context
from archc.model import Architecture

OUT_DIR = "terraform"
ENV_DIR = "envs/_env/"
TEMPLATES = "terraform"

__all__ = ["TERRAFORM_CODES", "build_context", "emit", "render"]


def emit(arch: Architecture, graph: nx.MultiDiGraph[str]) -> EmitResult:
    context, diags = build_context(arch)
    files = tuple(OutputFile(f"{OUT_DIR}/{path}", text) for path, text in render(context).items())
    return EmitResult(files, tuple(diags))


def render(context: ct.Context) -> dict[str, str]:
    """{path relative to terraform/: text} for every template, sorted by path."""
    jinja = environment(TEMPLATES)
    jinja.globals["tf"] = hcl_data  # the HCL values the templates print, built in Python
    out: dict[str, str] = {}
    for name in template_names(TEMPLATES):
        template = jinja.get_template(name)
        target = name.removesuffix(".j2")
        if name.startswith(ENV_DIR):
            for env in context["environments"]:
                path = f"envs/{env['name']}/{target.removeprefix(ENV_DIR)}"
                out[path] = template.render(context, env=env)
        else:
            out[target] = template.render(context)
    return dict(sorted(out.items()))
