"""Unit tests for archc.emit._hcl: HCL string escaping, values and fmt-style alignment."""

from __future__ import annotations

import json
import math
import subprocess

import pytest

from archc.emit._hcl import (
    FILTERS,
    HclExpr,
    hcl_address,
    hcl_attrs,
    hcl_comment,
    hcl_expr,
    hcl_fragment,
    hcl_key,
    hcl_string,
    hcl_value,
)
from tests.conftest import assert_terraform_fmt_clean, terraform_argv

hcl2 = pytest.importorskip("hcl2")
from hcl2 import SerializationOptions  # noqa: E402

OPTS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)

INJECTIONS = [
    'plain label',
    'quote " inside',
    'back\\slash and \\" escaped quote',
    '${var.secret}',
    '$${already escaped}',
    '%{ if true }directive%{ endif }',
    '%%{x}',
    'line one\nline two\r\n\ttabbed',
    '"} resource "x" "y" {',
    '"\n}\nresource "aws_iam_user" "evil" {\n  name = "pwned"\n}\n#',
    'trailing backslash \\',
    'trailing dollar $',
    'bell \x07 and del \x7f and nul \x00',
    'unicode é 日本 \u2028 end',
    '',
]


def _parse(text: str) -> dict:
    return hcl2.loads(text, serialization_options=OPTS)


def _hcl2_view(value: str) -> str:
    """python-hcl2 decodes backslash escapes but keeps $${ / %%{ template escapes verbatim."""
    return value.replace("${", "$${").replace("%{", "%%{")


# --------------------------------------------------------------------------- hcl_string
def test_hcl_string_basic_escapes() -> None:
    assert hcl_string("abc") == '"abc"'
    assert hcl_string('a"b') == '"a\\"b"'
    assert hcl_string("a\\b") == '"a\\\\b"'
    assert hcl_string("a\nb\tc\rd") == '"a\\nb\\tc\\rd"'
    assert hcl_string("${x}") == '"$${x}"'
    assert hcl_string("%{x}") == '"%%{x}"'
    assert hcl_string("\x07") == '"\\u0007"'
    assert hcl_string("é") == '"é"'


def test_hcl_string_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        hcl_string(5)  # type: ignore[arg-type]


@pytest.mark.parametrize("label", INJECTIONS)
def test_hcl_string_is_one_literal(label: str) -> None:
    """The literal stays one attribute value: no extra block or attribute can be injected."""
    text = f'resource "aws_security_group" "x" {{\n  description = {hcl_string(label)}\n}}\n'
    doc = _parse(text)
    assert list(doc) == ["resource"]
    assert doc["resource"] == [{"aws_security_group": {"x": {"description": _hcl2_view(label)}}}]
    literal = hcl_string(label)
    assert "\n" not in literal and "\r" not in literal
    # no unescaped quote inside the literal
    inner = literal[1:-1].replace("\\\\", "").replace('\\"', "")
    assert '"' not in inner
    # no live interpolation or directive
    assert "${" not in inner.replace("$${", "") and "%{" not in inner.replace("%%{", "")


def test_hcl_string_round_trips_through_terraform(tmp_path) -> None:
    """terraform itself evaluates every literal back to the original string."""
    labels = [lab for lab in INJECTIONS if "\x00" not in lab]
    body = "\n".join(f"  v{i} = {hcl_string(lab)}" for i, lab in enumerate(labels))
    (tmp_path / "main.tf").write_text(f"locals {{\n{body}\n}}\n", encoding="utf-8")
    expr = "jsonencode([" + ", ".join(f"local.v{i}" for i in range(len(labels))) + "])"
    got = _console(tmp_path, expr)
    assert json.loads(json.loads(got)) == labels


def _console(cwd, expr: str) -> str:
    proc = subprocess.run(
        [*terraform_argv(), "console"], input=expr + "\n", cwd=cwd, capture_output=True, text=True,
        env={"TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


# --------------------------------------------------------------------------- hcl_fragment
def test_hcl_fragment_escapes_like_string_without_quotes() -> None:
    assert hcl_fragment("a-b") == "a-b"
    assert hcl_fragment('x"${y}') == 'x\\"$${y}'
    assert hcl_fragment("cost$") == 'cost${"$"}'
    assert hcl_fragment("a$$") == 'a${"$$"}'


def test_hcl_fragment_next_to_interpolation(tmp_path) -> None:
    cases = ["plain", "ends$", "ends$$", "${x}", '"q"', "%{ if }", "new\nline"]
    lines = [f'  a{i} = "${{local.p}}-{hcl_fragment(c)}"' for i, c in enumerate(cases)]
    lines += [f'  b{i} = "{hcl_fragment(c)}${{local.p}}"' for i, c in enumerate(cases)]
    (tmp_path / "main.tf").write_text('locals {\n  p = "P"\n' + "\n".join(lines) + "\n}\n",
                                      encoding="utf-8")
    n = len(cases)
    expr = "jsonencode([" + ", ".join([f"local.a{i}" for i in range(n)] +
                                      [f"local.b{i}" for i in range(n)]) + "])"
    got = json.loads(json.loads(_console(tmp_path, expr)))
    assert got == [f"P-{c}" for c in cases] + [f"{c}P" for c in cases]


# --------------------------------------------------------------------------- hcl_key / comment
def test_hcl_key() -> None:
    assert hcl_key("model-serving") == "model-serving"
    assert hcl_key("_x1") == "_x1"
    assert hcl_key("kubernetes.io/role/elb") == '"kubernetes.io/role/elb"'
    assert hcl_key("1abc") == '"1abc"'
    assert hcl_key("for") == '"for"'
    assert hcl_key("null") == '"null"'
    assert hcl_key('"} x {') == '"\\"} x {"'


def test_hcl_comment_is_single_line() -> None:
    assert hcl_comment("a\nb\r\n\tc") == "a b c"
    assert hcl_comment("  x  ") == "x"
    assert "\n" not in hcl_comment('*/ \n resource "x" "y" {')


# --------------------------------------------------------------------------- hcl_value
def test_hcl_value_scalars() -> None:
    assert hcl_value(True) == "true"
    assert hcl_value(False) == "false"
    assert hcl_value(None) == "null"
    assert hcl_value(3) == "3"
    assert hcl_value(2.0) == "2"
    assert hcl_value(0.5) == "0.5"
    assert hcl_value("x${y}") == '"x$${y}"'
    assert hcl_value(hcl_expr("var.x")) == "var.x"
    assert isinstance(hcl_expr("a"), HclExpr)


def test_hcl_value_rejects_unsupported() -> None:
    with pytest.raises(ValueError):
        hcl_value(math.nan)
    with pytest.raises(TypeError):
        hcl_value({1, 2})
    with pytest.raises(TypeError):
        hcl_value({1: "a"})


def test_hcl_value_lists() -> None:
    assert hcl_value([]) == "[]"
    assert hcl_value(["a", 1, True]) == '["a", 1, true]'
    assert hcl_value([{"a": 1}]) == "[\n  {\n    a = 1\n  },\n]"


def test_hcl_value_maps_sorted_and_aligned() -> None:
    assert hcl_value({}) == "{}"
    text = hcl_value({"zeta": 1, "a": "x", "kubernetes.io/role": "1", "nested": {"k": []}})
    assert text == (
        "{\n"
        '  a                    = "x"\n'
        '  "kubernetes.io/role" = "1"\n'
        "  nested = {\n"
        "    k = []\n"
        "  }\n"
        "  zeta = 1\n"
        "}"
    )


def test_hcl_value_injection_in_keys_and_values() -> None:
    evil = '"} resource "x" "y" {'
    doc = _parse("x = " + hcl_value({evil: evil, "ok": [evil]}) + "\n")
    assert doc == {"x": {evil: evil, "ok": [evil]}}


def test_hcl_attrs_alignment_rules() -> None:
    text = hcl_attrs([("a", 1), ("long_name", "x"), ("m", {"k": 1}), ("b", hcl_expr("var.b"))], 1)
    assert text == (
        "  a         = 1\n"
        '  long_name = "x"\n'
        "  m = {\n"
        "    k = 1\n"
        "  }\n"
        "  b = var.b\n"
    )
    assert hcl_attrs({"b": 1, "a": 2}) == "a = 2\nb = 1\n"
    assert hcl_attrs([]) == ""


def test_rendered_values_are_terraform_fmt_clean(tmp_path) -> None:
    value = {
        "labels": {"workload": "model-serving", "kubernetes.io/x": "1"},
        "taints": {"gpu": {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}},
        "rules": [{"id": "r1", "filter": {"prefix": ""}, "expiration": {"days": 30}}, "s"],
        "empty_list": [], "empty_map": {}, "n": 1.5, "evil": INJECTIONS[9],
        "é-key": 1, "日本": 2,
    }
    text = hcl_attrs([("short", 1), ("value", value), ("x", hcl_expr("var.x"))], 0)
    (tmp_path / "a.tf").write_text(text, encoding="utf-8")
    assert_terraform_fmt_clean(tmp_path)


def test_filters_registry() -> None:
    assert FILTERS["hcl"] is hcl_string
    assert set(FILTERS) == {"hcl", "hcl_address", "hcl_attrs", "hcl_comment", "hcl_expr",
                            "hcl_fragment", "hcl_key", "hcl_value"}


def test_bidi_and_c1_controls_are_escaped_in_strings_and_flattened_in_comments() -> None:
    """Trojan-source characters never reach a .tf file raw: escaped in literals (the value is
    the same), shown as their escape in comments."""
    import hcl2

    from archc.emit._hcl import hcl_comment, hcl_string

    text = "admin\u202e\u2066 user\u2069\x85"
    literal = hcl_string(text)
    assert literal == '"admin\\u202E\\u2066 user\\u2069\\u0085"'
    assert hcl2.loads(f"a = {literal}\n")["a"] == literal  # one plain string
    assert hcl_comment(text + "\nresource") == "admin\\u202e\\u2066 user\\u2069\\u0085 resource"


@pytest.mark.parametrize("text", ['aws_iam_role.x"\n}\nresource "x" "y" {', "module.x[0]",
                                  "data.aws_region.current.name", "a.b # c", "${a.b}", ""])
def test_hcl_address_refuses_anything_but_an_address(text: str) -> None:
    with pytest.raises(ValueError):
        hcl_address(text)


def test_hcl_address_passes_resource_and_module_addresses() -> None:
    assert hcl_address("aws_security_group.web") == "aws_security_group.web"
    assert hcl_address("module.ec2_web") == "module.ec2_web"
