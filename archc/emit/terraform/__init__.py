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
from archc.emit.output import PREVIOUS_OUTPUTS, EmitResult, OutputFile
from archc.emit.terraform import context_types as ct
from archc.emit.terraform import hcl_data, moves
from archc.emit.terraform.common import TERRAFORM_CODES
from archc.emit.terraform.context import build_context
from archc.model import Architecture

OUT_DIR = "terraform"
ENV_DIR = "envs/_env/"
KIND_DIR = "kinds/"  # one template per catalog kind, rendered once per kind used
TEMPLATES = "terraform"

__all__ = ["TERRAFORM_CODES", "build_context", "emit", "render"]


MOVED_TEMPLATE = "modules/platform/moved.tf.j2"


def emit(arch: Architecture, graph: nx.MultiDiGraph[str]) -> EmitResult:
    context, diags = build_context(arch)
    texts = {f"{OUT_DIR}/{path}": text for path, text in render(context).items()}
    # the moves depend on what the rest declares, and on the previous build's record
    addresses = moves.declared(texts)
    previous = PREVIOUS_OUTPUTS.get()
    moved = moves.plan(previous.recorded_terraform() if previous else None, arch, addresses)
    if moved:
        context["moved"] = moves.context_moves(moved)
        texts |= {f"{OUT_DIR}/{path}": text
                  for path, text in render(context, (MOVED_TEMPLATE,)).items()}
    files = tuple(OutputFile(path, text) for path, text in sorted(texts.items()))
    return EmitResult(files, tuple(diags), moves.record(arch, addresses, moved))


def render(context: ct.Context, only: tuple[str, ...] = ()) -> dict[str, str]:
    """{path relative to terraform/: text} for every template (or those in `only`), sorted
    by path."""
    jinja = environment(TEMPLATES)
    jinja.globals["tf"] = hcl_data  # the HCL values the templates print, built in Python
    out: dict[str, str] = {}
    for name in only or template_names(TEMPLATES):
        if name.startswith(KIND_DIR):
            continue
        template = jinja.get_template(name)
        target = name.removesuffix(".j2")
        if name.startswith(ENV_DIR):
            for env in context["environments"]:
                path = f"envs/{env['name']}/{target.removeprefix(ENV_DIR)}"
                out[path] = template.render(context, env=env)
        else:
            out[target] = template.render(context)
    if not only:
        for kind_file in context["platform"]["kinds"]:
            template = jinja.get_template(kind_file["template"] + ".j2")
            out[f"modules/platform/{kind_file['kind']}.tf"] = template.render(
                context, items=kind_file["items"])
    return dict(sorted(out.items()))
