"""Invariants of the whole kind catalog (archc/catalog): every test iterates over the catalog,
so a kind added to any family is checked by the same rules.

The Terraform references are checked on a spec that uses every kind, generated from the
catalog itself (bench/gen_catalog.py: each kind labelled by its title, placed where its scope
says, wired to compatible kinds).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import jsonschema
import pytest

import archc.spec
from archc.catalog import (
    CATALOG,
    CATALOG_CODES,
    FAMILIES,
    containers,
    data,
    edge,
    integration,
    messaging,
    operations,
    serverless,
)
from archc.catalog.spec import VERBS, KindSpec
from archc.emit.mermaid import CLASS_STYLES
from archc.emit.terraform.hcl_data import OUTPUT_ORDER
from archc.emit.terraform.pins import MODULES
from bench.gen_catalog import generate, mixable
from tests.unit.emit.test_terraform_emit import emit, load

KINDS = sorted(CATALOG.values(), key=lambda s: s.name)
IDS = [s.name for s in KINDS]
CODE_FAMILIES = (containers, serverless, data, messaging, integration, edge, operations)
# The overlay keys every component has (`count`, `instance_class`, ...)
COMPONENT_FIELDS = set(json.loads((Path(archc.spec.__file__).parent / "overlay.schema.json")
                                  .read_text(encoding="utf-8"))
                       ["$defs"]["component_fields"]["properties"])
# The catalog's diagnostic range (ARC540-ARC589); each family has a part of it.
FIRST_CODE, LAST_CODE = 540, 589
# Terraform addresses an HCL expression refers to: module.<name>, <type>.<name>, data.<type>.<name>
REFERENCE = re.compile(r"\b(module\.[a-z0-9_]+|data\.aws_[a-z0-9_]+\.[a-z0-9_]+|"
                       r"aws_[a-z0-9_]+\.[a-z0-9_]+)")
DECLARED = re.compile(r'^(module|resource|data) "([^"]+)"(?: "([^"]+)")? \{', re.M)
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")
REGISTRY = re.compile(r"^terraform-aws-modules/([a-z0-9-]+)/aws(//modules/[a-z0-9-]+)?$")


def test_the_catalog_has_one_entry_per_name() -> None:
    names = [spec.name for family in FAMILIES for spec in family]
    assert len(names) == len(set(names)) == len(CATALOG)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)


@pytest.mark.parametrize("spec", [s for s in KINDS if s.recognise], ids=lambda s: s.name)
def test_the_recognition_pattern_compiles_and_reads_the_kinds_own_title(spec: KindSpec) -> None:
    pattern = re.compile(spec.recognise)
    assert pattern.search(spec.title.lower()), (spec.name, spec.title)


@pytest.mark.parametrize("spec", KINDS, ids=IDS)
def test_the_diagram_icon_is_a_class_of_the_diagrams_package(spec: KindSpec) -> None:
    module, name = spec.diagram_icon
    assert module.startswith("diagrams.")
    assert isinstance(getattr(importlib.import_module(module), name), type)


@pytest.mark.parametrize("spec", KINDS, ids=IDS)
def test_the_mermaid_class_is_a_styled_class(spec: KindSpec) -> None:
    assert spec.mermaid_class in CLASS_STYLES


@pytest.mark.parametrize("spec", KINDS, ids=IDS)
def test_the_properties_are_valid_json_schema(spec: KindSpec) -> None:
    schema = {"type": "object", "properties": dict(spec.properties)}
    jsonschema.Draft202012Validator.check_schema(schema)
    assert all("description" in prop for prop in spec.properties.values()), spec.name
    # an environment may only override keys the kind reads (its own, or every component's)
    assert set(spec.per_environment) <= set(spec.properties) | COMPONENT_FIELDS, spec.name
    if spec.size_key is not None:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", spec.size_key)


@pytest.mark.parametrize("spec", KINDS, ids=IDS)
def test_risks_name_a_change_diff_can_see(spec: KindSpec) -> None:
    aspects = [r.aspect for r in spec.risks]
    assert len(aspects) == len(set(aspects)), spec.name
    for risk in spec.risks:
        assert risk.severity in ("high", "medium")
        assert risk.aspect == "removed" or risk.aspect in spec.properties, risk
        assert risk.text and not risk.text.endswith("."), risk  # diff prints it mid-sentence
    # a kind that holds data says what removing it costs (`archc diff` reads only the risks);
    # a kind without data may still name it (a topic's subscribers stop hearing)
    if spec.holds_data:
        assert "removed" in aspects, spec.name


@pytest.mark.parametrize("spec", [s for s in KINDS if s.iam], ids=lambda s: s.name)
def test_iam_verbs_are_known(spec: KindSpec) -> None:
    assert spec.iam is not None
    assert set(spec.iam.actions) <= set(VERBS) and spec.iam.default_verb in spec.iam.actions
    assert set(spec.iam.extra) <= set(spec.iam.actions)
    if not spec.iam.resources:  # an AWS API: the overlay names its actions and resources
        assert not any(spec.iam.actions.values()), spec.name
        return
    for actions in spec.iam.actions.values():
        assert actions and all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z*]+", a) for a in actions)
    assert all("{id}" in r for r in spec.iam.resources)


def _pins() -> list[tuple[str, object]]:
    return [(spec.name, mod) for spec in KINDS for mod in
            (spec.terraform.modules if spec.terraform else ())]


@pytest.mark.parametrize(("kind", "module"), _pins(), ids=lambda x: getattr(x, "key", x))
def test_module_pins_are_exact_registry_releases(kind: str, module: object) -> None:
    from archc.catalog.spec import Module
    assert isinstance(module, Module)
    found = REGISTRY.match(module.source)
    assert found, module.source
    assert module.repo == f"terraform-aws-modules/terraform-aws-{found.group(1)}"
    assert SEMVER.match(module.version) and COMMIT.match(module.commit), module
    # one key is one release: a catalog pin never shadows another one silently
    if module.key in MODULES:
        assert MODULES[module.key] == (module.source, module.version, module.repo,
                                       module.commit), kind
    same_key = {m for _, m in _pins() if getattr(m, "key", None) == module.key}
    assert len(same_key) == 1, module.key


def test_diagnostic_codes_are_in_the_catalog_range_and_apart_per_family() -> None:
    seen: dict[str, str] = {}
    for family in CODE_FAMILIES:
        for code, meaning in family.CODES.items():
            assert re.fullmatch(r"ARC\d{3}", code) and meaning
            assert FIRST_CODE <= int(code[3:]) <= LAST_CODE, code
            assert code not in seen, (code, family.__name__, seen.get(code))
            seen[code] = family.__name__
    assert seen.keys() == CATALOG_CODES.keys()


def test_no_kind_output_can_shadow_a_platform_output() -> None:
    for spec in KINDS:
        for name in spec.terraform.outputs if spec.terraform else {}:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
            assert not any(fixed.endswith(f"_{name}") or fixed == name
                           for fixed in OUTPUT_ORDER), (spec.name, name)


# ------------------------------------------------------------------ a spec using every kind
@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], list]:
    spec = tmp_path_factory.mktemp("every-kind") / "spec"
    spec.mkdir()
    diagram, overlay = generate(len(mixable()))
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return emit(load(spec))


def _declared(files: dict[str, str]) -> set[str]:
    out = set()
    for rel, text in files.items():
        if rel.startswith("terraform/modules/platform/") and rel.endswith(".tf"):
            for block, first, second in DECLARED.findall(text):
                out.add({"module": f"module.{first}", "resource": f"{first}.{second}",
                         "data": f"data.{first}.{second}"}[block])
    return out


def _expressions(spec: KindSpec) -> list[str]:
    exprs = list(spec.iam.resources) if spec.iam else []
    exprs += [r for extra in (spec.iam.extra.values() if spec.iam else ())
              for _, resources in extra for r in resources]
    exprs += [spec.role] if spec.role else []
    if spec.terraform:
        exprs += [expr for expr, _ in spec.terraform.outputs.values()]
        exprs += [spec.terraform.attachment] if spec.terraform.attachment else []
    return exprs


def test_the_generated_spec_uses_every_kind(every_kind: tuple[dict[str, str], list]) -> None:
    files, diags = every_kind
    assert not [d.message for d in diags if d.severity.name == "ERROR"]
    for spec in KINDS:
        if spec.terraform:
            assert f"terraform/modules/platform/{spec.name}.tf" in files, spec.name
    # the diagnostics a kind's build reports are declared
    assert {d.code for d in diags if FIRST_CODE <= int(d.code[3:]) <= LAST_CODE} \
        <= CATALOG_CODES.keys()


@pytest.mark.parametrize("spec", [s for s in KINDS if _expressions(s)], ids=lambda s: s.name)
def test_every_expression_a_kind_names_is_declared_by_its_terraform(
        spec: KindSpec, every_kind: tuple[dict[str, str], list]) -> None:
    files, _ = every_kind
    declared = _declared(files)
    ident = next(f"{spec.name}_{i}" for i, s in enumerate(mixable()) if s is spec)
    for expr in _expressions(spec):
        if "{caller}" in expr:  # one resource per caller (whichever this spec drew)
            prefix = expr.split("{id}")[0].split("${")[-1]
            own = files.get(f"terraform/modules/platform/{spec.name}.tf", "")
            # declared exactly when its file draws one (no caller in this spec: none)
            assert any(d.startswith(prefix) for d in declared) == \
                (f'module "{prefix.removeprefix("module.")}' in own), (spec.name, expr)
            continue
        if expr == '"*"':  # an action with no resource level (ecr:GetAuthorizationToken)
            continue
        refs = REFERENCE.findall(expr.replace("{id}", ident))
        assert refs, expr
        assert set(refs) <= declared, (spec.name, expr, set(refs) - declared)


def _spec_with(tmp_path: Path, diagram: str, overlay: str) -> Path:
    spec = tmp_path / "spec"
    spec.mkdir(parents=True)
    (spec / "architecture.mmd").write_text(diagram, encoding="utf-8")
    (spec / "archc.yaml").write_text(overlay, encoding="utf-8")
    return spec


def test_a_kinds_outputs_are_platform_and_environment_outputs(tmp_path: Path) -> None:
    from tests.unit.catalog.test_messaging import DIAGRAM, OVERLAY
    files, _ = emit(load(_spec_with(tmp_path, DIAGRAM.replace("{send}", "send"), OVERLAY)))
    platform = files["terraform/modules/platform/outputs.tf"]
    names = re.findall(r'^output "([^"]+)"', platform, re.M)
    # after the platform's own outputs, sorted by name
    assert names[-2:] == ["jobs_queue_arn", "jobs_queue_url"]
    assert ('output "jobs_queue_url" {\n  description = "SQS queue jobs: queue URL."\n'
            "  value       = module.sqs_jobs.queue_url\n}") in platform
    for env in ("dev", "prod"):
        root = files[f"terraform/envs/{env}/outputs.tf"]
        assert re.findall(r'^output "([^"]+)"', root, re.M) == names
        assert "value       = module.platform.jobs_queue_arn" in root

