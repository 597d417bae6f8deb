"""Issue 11: facts written in component labels (a database engine and version, an instance
size). Used when the overlay is silent; the overlay wins when both speak (a contradiction is
ARC209), and what archc cannot build is ARC219, never a silent wrong build."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from archc import pipeline
from archc.cli import main
from archc.diagnostics import Severity
from archc.emit.terraform.data import _major
from archc.kinds import ENGINE_VERSIONS, LABEL_ENGINES, Kind
from archc.spec import label_facts
from tests.unit.rules.minispec import BASE, OVERLAY, check, codes


def drawn(db: str, api: str = 'API["API Service"]') -> str:
    return BASE.replace('DB["Amazon RDS"]', db).replace('API["API Service"]', api)


def props(outcome: pipeline.CheckOutcome, comp: str) -> dict[str, object]:
    arch = outcome.loaded.arch
    assert arch is not None
    return dict(next(c for c in arch.components if c.id == comp).props)


def decision(outcome: pipeline.CheckOutcome, comp: str,
             attribute: str) -> tuple[str, str, str]:
    arch = outcome.loaded.arch
    assert arch is not None
    found = [(x.value, x.source, x.reason) for c in arch.components if c.id == comp
             for x in c.decisions if x.attribute == attribute]
    assert len(found) == 1, found
    return found[0]


def test_engines_versions_and_sizes_are_read_with_no_overlay_key(tmp_path: Path) -> None:
    # an Aurora label on a component the overlay makes an RDS database
    outcome = check(tmp_path, drawn('DB[("Aurora PostgreSQL 15<br/>db.r6g.large")]',
                                    'API["API Service t3.large"]'),
                    OVERLAY.replace("environments:", "components:\n"
                                    "  DB: {kind: database, engine: postgres}\nenvironments:"))
    assert outcome.ok
    assert props(outcome, "DB") == {"engine": "postgres", "engine_version": "15.8",
                                    "instance_class": "db.r6g.large"}
    assert props(outcome, "API") == {"instance_type": "t3.large"}
    assert decision(outcome, "DB", "engine_version") == (
        "15.8", "inferred",
        "label 'Aurora PostgreSQL 15<br/>db.r6g.large' writes 'Aurora PostgreSQL 15' (15.8: "
        "the 15 archc builds); archc builds it on RDS")
    assert decision(outcome, "API", "instance_type") == (
        "t3.large", "inferred", "label 'API Service t3.large' writes 't3.large'")
    assert "ARC209" not in codes(outcome, Severity.WARNING)


def test_an_aurora_label_is_an_aurora_cluster_that_reads_only_its_engine(
        tmp_path: Path) -> None:
    outcome = check(tmp_path, drawn('DB[("Aurora MySQL 8.0<br/>db.r6g.large")]'))
    assert outcome.ok
    assert props(outcome, "DB") == {"engine": "mysql", "instance_class": "db.r6g.large"}
    assert decision(outcome, "DB", "engine") == (
        "mysql", "inferred", "label 'Aurora MySQL 8.0<br/>db.r6g.large' writes 'MySQL'")
    arch = outcome.loaded.arch
    assert arch is not None  # the flow to it uses the engine's port
    assert [f.ports for f in arch.flows if f.target == "DB"] == [((3306, 3306),)]


def test_a_full_version_and_other_engines_are_kept_as_written(tmp_path: Path) -> None:
    outcome = check(tmp_path, drawn('DB[("Amazon RDS MySQL 8.0.36")]'))
    assert props(outcome, "DB") == {"engine": "mysql", "engine_version": "8.0.36"}
    arch = outcome.loaded.arch
    assert arch is not None  # the flow to it uses the engine's port
    assert [f.ports for f in arch.flows if f.target == "DB"] == [((3306, 3306),)]
    outcome = check(tmp_path, drawn('DB[(PostgreSQL 15.4)]'))
    assert props(outcome, "DB") == {"engine": "postgres", "engine_version": "15.4"}


def test_every_version_archc_builds_from_a_label_makes_a_valid_family() -> None:
    # SQL Server and Oracle labels name an edition, never a version (RDS names theirs by build)
    versioned = {engine for pattern, engine in LABEL_ENGINES if pattern.groups}
    for engine, majors in ENGINE_VERSIONS.items():
        for major, full in majors.items():
            assert _major(engine, full)[0] == major
            if engine not in versioned:
                continue
            facts, problems = label_facts.read(Kind.DATABASE, f"{engine} {major}")
            assert not problems
            assert [(f.key, f.value) for f in facts] == [("engine", engine),
                                                         ("engine_version", full)]


def test_the_overlay_wins_and_a_contradiction_is_a_warning(tmp_path: Path) -> None:
    overlay = OVERLAY + ("components:\n  DB: {engine: postgres, engine_version: \"16.2\", "
                         "instance_class: db.t4g.large}\n  API: {instance_type: m6i.large}\n")
    outcome = check(tmp_path, drawn('DB[("PostgreSQL 16<br/>db.r6g.large")]',
                                    'API["API Service t3.large"]'), overlay)
    assert props(outcome, "DB") == {"engine": "postgres", "engine_version": "16.2",
                                    "instance_class": "db.t4g.large"}
    assert props(outcome, "API") == {"instance_type": "m6i.large"}
    messages = sorted(x.message for x in outcome.diagnostics if x.code == "ARC209")
    assert messages == [
        "overlay components.API.instance_type (m6i.large) contradicts the diagram (API's label "
        "writes 't3.large'); the overlay wins",
        "overlay components.DB.instance_class (db.t4g.large) contradicts the diagram (DB's "
        "label writes 'db.r6g.large'); the overlay wins"]  # 16.2 is a 16: no contradiction


def test_an_overlay_engine_drops_the_label_version_of_another(tmp_path: Path) -> None:
    overlay = OVERLAY + "components:\n  DB: {engine: mysql}\n"
    outcome = check(tmp_path, drawn('DB[("PostgreSQL 15")]'), overlay)
    assert props(outcome, "DB") == {"engine": "mysql"}
    assert [x.code for x in outcome.diagnostics if x.code == "ARC209"] == ["ARC209"]


def test_what_archc_cannot_build_is_a_warning_with_the_line_to_write(tmp_path: Path) -> None:
    outcome = check(tmp_path, drawn('DB[("PostgreSQL 9.6 t3.large")]',
                                    'API["API Service t3.huge"]'))
    assert props(outcome, "DB") == {"engine": "postgres"}
    assert props(outcome, "API") == {}
    found = sorted((x.message, x.hint) for x in outcome.diagnostics if x.code == "ARC219")
    assert found == [
        ("API's label ('API Service t3.huge') writes 't3.huge', which is no instance size "
         "archc knows; archc uses its default",
         "say what to build with `components: {API: {instance_type: t3.medium}}` in the "
         "overlay, or fix the label"),
        ("DB's label ('PostgreSQL 9.6 t3.large') writes 'PostgreSQL 9.6', a postgres version "
         "archc cannot build (it builds 13, 14, 15, 16, 17); archc uses its default",
         "say what to build with `components: {DB: {engine_version: \"17.2\"}}` in the "
         "overlay, or fix the label"),
        ("DB's label ('PostgreSQL 9.6 t3.large') writes 't3.large', an EC2 instance type, "
         "where instance_class is an RDS class such as db.t4g.medium; archc uses its default",
         "say what to build with `components: {DB: {instance_class: db.t3.large}}` in the "
         "overlay, or fix the label")]
    assert all(x.severity is Severity.WARNING for x in outcome.diagnostics
               if x.code == "ARC219")


def test_a_major_only_mysql_version_is_not_guessed() -> None:
    facts, problems = label_facts.read(Kind.DATABASE, "MySQL 8")
    assert [(f.key, f.value) for f in facts] == [("engine", "mysql")]
    assert [p.key for p in problems] == ["engine_version"]


def test_a_node_group_size_is_a_list_and_kinds_without_size_read_none() -> None:
    facts, _ = label_facts.read(Kind.EKS_NODE_GROUP, "Worker nodes m6i.xlarge")
    assert [(f.key, f.value) for f in facts] == [("instance_types", ["m6i.xlarge"])]
    assert label_facts.read(Kind.OBJECT_STORAGE, "S3 t3.large") == ([], [])
    assert label_facts.read(Kind.DATABASE, "Amazon RDS") == ([], [])


def test_a_class_the_engine_runs_without_performance_insights_is_not_built(
        tmp_path: Path) -> None:
    outcome = check(tmp_path, drawn('DB[("RDS MySQL 8.0<br/>db.t3.micro")]'))
    assert props(outcome, "DB") == {"engine": "mysql", "engine_version": "8.0.39"}
    assert [(x.message, x.hint) for x in outcome.diagnostics if x.code == "ARC219"] == [(
        "DB's label ('RDS MySQL 8.0<br/>db.t3.micro') writes 'db.t3.micro', on which RDS for "
        "mysql runs no Performance Insights (archc turns them on); archc uses its default",
        "say what to build with `components: {DB: {instance_class: db.t4g.medium}}` in the "
        "overlay, or fix the label")]
    outcome = check(tmp_path, drawn('DB[("RDS PostgreSQL<br/>db.t3.micro")]'))
    assert props(outcome, "DB") == {"engine": "postgres", "instance_class": "db.t3.micro"}


def test_init_writes_what_the_label_writes_and_the_overlay_then_agrees(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "architecture.mmd").write_text(
        drawn('DB[("RDS MySQL 8.0<br/>db.r6g.large")]', 'API["API Service t3.large"]'),
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["init", "spec"]) == 0
    written = yaml.safe_load((spec / "archc.yaml").read_text(encoding="utf-8"))
    assert written["components"]["DB"] == {"kind": "database", "engine": "mysql",
                                           "engine_version": "8.0.39",
                                           "instance_class": "db.r6g.large"}
    assert written["components"]["API"] == {"kind": "backend_service",
                                            "instance_type": "t3.large"}
    outcome = pipeline.check(spec, None)
    assert "ARC209" not in codes(outcome, Severity.WARNING)
