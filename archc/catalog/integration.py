"""Application integration: EventBridge buses and their rules, EventBridge Scheduler
schedules, Step Functions state machines.

An arrow from a bus is a rule that delivers matching events to its target; an arrow from a
schedule starts its target on a cron or rate; the arrows from a state machine are its Task
states, in the order the diagram draws them. One `KindSpec` per kind, in the order label
inference tries them (first match wins).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from archc.catalog.spec import Built, Iam, KindSpec, KindView, Module, Peer, Risk, Scope, Terraform

EVENTBRIDGE = Module("eventbridge", "terraform-aws-modules/eventbridge/aws", "4.3.2",
                     "terraform-aws-modules/terraform-aws-eventbridge",
                     "f9934726324c988f823682884b4fa003586a7b6f")

# The targets a rule, a schedule or a Task state can deliver to: the target's ARN (HCL with
# `{id}`), by kind. Lambda functions are the serverless family's kind.
TARGET_ARNS: dict[str, str] = {
    "lambda_function": "module.lambda_{id}.lambda_function_arn",
    "sns_topic": "module.sns_{id}.topic_arn",
    "sqs_queue": "module.sqs_{id}.queue_arn",
    "state_machine": "aws_sfn_state_machine.{id}.arn",
}
# An archive keeps a production bus's events this many days, for replay.
ARCHIVE_DAYS = 30


def _sid(prefix: str, ident: str) -> str:
    return prefix + "".join(part.capitalize() for part in ident.split("_"))


def _unsupported(view: KindView, peer: Peer, what: str, code: str) -> tuple[str, str, str]:
    return (code, f"{what} {view.component} cannot deliver to {peer.component} ({peer.kind}): "
                  "nothing is written for that arrow",
            "its targets are " + ", ".join(sorted(TARGET_ARNS)))


# -- EventBridge buses --------------------------------------------------------------------
def _event_pattern(peer: Peer) -> dict[str, Any]:
    """A rule's pattern: the arrow's label names the detail-type it routes; an unlabelled
    arrow routes every event of the bus."""
    label = " ".join(peer.label.split())
    if label:
        return {"detail-type": [label]}
    return {"source": [{"prefix": ""}]}


def _bus(view: KindView) -> Built:
    rules: list[dict[str, Any]] = []
    warnings: list[tuple[str, str, str]] = []
    for peer in view.outbound:
        if peer.kind not in TARGET_ARNS:
            warnings.append(_unsupported(view, peer, "event bus", "ARC555"))
            continue
        rules.append({"key": peer.id, "component": peer.component, "kind": peer.kind,
                      "description": f"{view.component} to {peer.component}"[:512],
                      "event_pattern": json.dumps(_event_pattern(peer), sort_keys=True),
                      "arn": TARGET_ARNS[peer.kind].format(id=peer.id)})
    settings = {env: {"archive": env in view.production} for env in view.env_props}
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": view.id.replace("_", "-"), "rules": rules,
              "archive_days": ARCHIVE_DAYS,
              "state_machines": [r["arn"] for r in rules if r["kind"] == "state_machine"],
              "lambdas": [r for r in rules if r["kind"] == "lambda_function"],
              "producers": sorted(p.component for p in view.inbound if p.verb == "publish")},
        settings=settings, warnings=tuple(warnings))


# -- EventBridge Scheduler ----------------------------------------------------------------
_EVERY = re.compile(r"\bevery\s+(\d+)\s+(minute|hour|day)s?\b")
_EVERY_ONE = re.compile(r"\b(?:every|each)\s+(minute|hour|day)\b|\b(hourly|daily)\b")
# the label's own expression, its case kept (cron day and month names: MON, JAN)
_EXPRESSION = re.compile(r"\b(cron\([^()]{1,200}\)|rate\(\d{1,6} (?:minute|hour|day)s?\))",
                         re.IGNORECASE)
DEFAULT_SCHEDULE = "rate(1 hour)"


def schedule_of(title: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """The schedule expression and where it came from: the overlay's `schedule:`, else the
    label's cron(...) / rate(...) / "every 5 minutes" / "hourly", else hourly."""
    if "schedule" in props:
        return str(props["schedule"]), "overlay"
    text = title.lower()
    found = _EXPRESSION.search(title)
    if found:
        expression = found.group(1)
        if expression.lower().startswith("rate"):
            return expression.lower(), "label"
        return "cron" + expression[4:], "label"
    every = _EVERY.search(text)
    if every:
        count, unit = int(every.group(1)), every.group(2)
        return f"rate({count} {unit}{'s' if count != 1 else ''})", "label"
    one = _EVERY_ONE.search(text)
    if one:
        unit = one.group(1) or {"hourly": "hour", "daily": "day"}[one.group(2)]
        return f"rate(1 {unit})", "label"
    return DEFAULT_SCHEDULE, "default"


def _schedule(view: KindView) -> Built:
    expression, source = schedule_of(view.title, view.props)
    warnings: list[tuple[str, str, str]] = []
    if source == "default":
        warnings.append(("ARC556", f"schedule {view.component} says no time: it runs "
                                   f"{DEFAULT_SCHEDULE}",
                         f"write `schedule: cron(0 3 * * ? *)` (or rate(5 minutes)) under "
                         f"components.{view.component}, or say it in the label"))
    targets = []
    for peer in view.outbound:
        if peer.kind not in TARGET_ARNS:
            warnings.append(_unsupported(view, peer, "schedule", "ARC555"))
            continue
        targets.append({"key": peer.id, "component": peer.component,
                        "arn": TARGET_ARNS[peer.kind].format(id=peer.id)})
    if not targets:
        warnings.append(("ARC557", f"schedule {view.component} starts nothing",
                         f"draw what it starts: `{view.component} --> Workflow`"))
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": view.id.replace("_", "-"), "expression": expression,
              "timezone": str(view.props.get("timezone", "UTC")), "targets": targets},
        warnings=tuple(warnings))


# -- Step Functions -----------------------------------------------------------------------
# A Task state per target kind: its service integration, the parameter naming the target
# (HCL with `{id}`) and the one passing the state's input on.
TASKS: dict[str, tuple[str, str, str, str, str]] = {
    # kind: (verb in the state name, integration, target parameter, target, input parameter)
    "lambda_function": ("Invoke", "lambda:invoke", "FunctionName",
                        "module.lambda_{id}.lambda_function_arn", "Payload.$"),
    "sqs_queue": ("Send to", "sqs:sendMessage", "QueueUrl", "module.sqs_{id}.queue_url",
                  "MessageBody.$"),
    "sns_topic": ("Publish to", "sns:publish", "TopicArn", "module.sns_{id}.topic_arn",
                  "Message.$"),
    "state_machine": ("Start", "states:startExecution", "StateMachineArn",
                      "aws_sfn_state_machine.{id}.arn", "Input.$"),
}
# A failed task is retried: 3 attempts, 2 s apart, doubling.
RETRY = ({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3,
          "BackoffRate": 2},)


def _expr(text: str) -> dict[str, str]:
    """An HCL expression inside the definition (`tf.expressions` prints it unquoted)."""
    return {"$hcl": text}


def definition(view: KindView) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The state machine's Amazon States Language definition: one Task state per outbound
    arrow to a kind it can call, chained in the order the diagram draws the arrows."""
    warnings: list[tuple[str, str, str]] = []
    tasks: list[tuple[str, dict[str, Any]]] = []
    for peer in sorted(view.outbound, key=lambda p: p.order):
        if peer.kind not in TASKS:
            warnings.append(_unsupported(view, peer, "state machine", "ARC555"))
            continue
        verb, integration, param, target, payload = TASKS[peer.kind]
        name = f"{verb} {peer.component}"[:80]
        tasks.append((name, {
            "Type": "Task",
            "Resource": _expr(f'"arn:${{local.partition}}:states:::{integration}"'),
            "Parameters": {param: _expr(target.format(id=peer.id)), payload: "$"},
            "Retry": [dict(r) for r in RETRY]}))
    states: dict[str, Any] = {}
    if not tasks:
        warnings.append(("ARC558", f"state machine {view.component} calls nothing: it is one "
                                   "Pass state",
                         f"draw its steps: `{view.component} -->|invoke| Function`"))
        tasks.append(("Start", {"Type": "Pass"}))
    for n, (name, state) in enumerate(tasks):
        if n + 1 < len(tasks):
            state["Next"] = tasks[n + 1][0]
        else:
            state["End"] = True
        states[name] = state
    return {"Comment": f"{view.title} ({view.component}), generated by archc from its arrows",
            "StartAt": tasks[0][0], "States": states}, warnings


def _state_machine(view: KindView) -> Built:
    asl, warnings = definition(view)
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": view.id.replace("_", "-"), "definition": asl,
              "type": str(view.props.get("type", "STANDARD")),
              "log_retention_days": view.log_retention_days,
              "retention_skips": [] if view.log_retention_days >= 365 else [{
                  "id": "CKV_AWS_338",
                  "reason": "Retention is an architecture decision: "
                            f"observability.log_retention_days = {view.log_retention_days} in "
                            "the overlay; the one-year retention baseline of this check is not "
                            "a requirement of this architecture"}],
              "callers": sorted(p.component for p in view.inbound if p.verb == "invoke")},
        warnings=tuple(warnings))


# The diagnostic codes its kinds report (ARC555-ARC559).
CODES: dict[str, str] = {
    "ARC555": "an event bus, schedule or state machine points at a kind it cannot deliver to",
    "ARC556": "a schedule says no time: it runs hourly",
    "ARC557": "a schedule starts nothing",
    "ARC558": "a state machine calls nothing: it is one Pass state",
}

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "state_machine", "Step Functions state machine", Scope.GLOBAL, 5,
        # "workflow" alone: CI labels ("CI workflow", "build workflow") stay CI servers, whose
        # words come first in the catalog
        recognise=r"step ?functions?|state ?machine|\bsfn\b|"
                  r"^(?!.*(?:jenkins|\bci\b|ci/cd|\bbuild|github|gitlab|pipeline)).*"
                  r"\bworkflows?\b",
        icons=("aws:step-functions", "aws:stepfunctions"),
        triggered_by=frozenset({"event_bus"}),
        iam=Iam(actions=MappingProxyType({"invoke": ("states:StartExecution",)}),
                resources=("aws_sfn_state_machine.{id}.arn",), default_verb="invoke"),
        role="aws_iam_role.sfn_{id}.name",
        diagram_icon=("diagrams.aws.integration", "StepFunctions"),
        mermaid_class="integration",
        risks=(Risk("removed", "high", "removing it stops its running executions"),
               Risk("type", "high", "changing type replaces the state machine")),
        properties=MappingProxyType({
            "type": {"enum": ["STANDARD", "EXPRESS"],
                     "description": "STANDARD (long-running, exactly-once; the default) or "
                                    "EXPRESS (short, high-volume)."},
        }),
        terraform=Terraform("state_machine.tf", _state_machine,
                            outputs=MappingProxyType({
                                "state_machine_arn": ("aws_sfn_state_machine.{id}.arn",
                                                      "state machine ARN")})),
    ),
    KindSpec(
        "event_bus", "EventBridge event bus", Scope.GLOBAL, 10,
        recognise=r"eventbridge|event ?bus|cloudwatch events",
        icons=("aws:eventbridge", "aws:event-bridge"),
        iam=Iam(actions=MappingProxyType({"publish": ("events:PutEvents",)}),
                resources=("module.eventbridge_{id}.eventbridge_bus_arn",),
                default_verb="publish"),
        diagram_icon=("diagrams.aws.integration", "Eventbridge"),
        mermaid_class="integration",
        risks=(Risk("removed", "high", "removing it deletes its rules and archive: published "
                                       "events reach no target"),),
        terraform=Terraform("event_bus.tf", _bus, modules=(EVENTBRIDGE,),
                            outputs=MappingProxyType({
                                "event_bus_arn": ("module.eventbridge_{id}.eventbridge_bus_arn",
                                                  "event bus ARN")})),
    ),
    KindSpec(
        "schedule", "EventBridge schedule", Scope.GLOBAL, 5,
        # a host that runs cron jobs ("EC2 cron box", "Scheduler Service") is that host
        recognise=r"^(?!.*\b(?:ec2|instance|server|box|host|vm|service|worker)s?\b)"
                  r".*(?:\bschedul(?:e|es|er|ed)\b|\bcron\b|\bevery \d+ (?:minute|hour|day)s?\b)",
        icons=("aws:eventbridge-scheduler",),
        role="aws_iam_role.scheduler_{id}.name",
        diagram_icon=("diagrams.aws.integration", "EventbridgeScheduler"),
        mermaid_class="integration",
        properties=MappingProxyType({
            "schedule": {"type": "string", "maxLength": 256,
                         "pattern": r"^(cron\([^()]+\)|rate\([1-9][0-9]* "
                                    r"(minute|minutes|hour|hours|day|days)\)|"
                                    r"at\([0-9T:-]+\))$",
                         "description": "When it runs: cron(0 3 * * ? *), rate(5 minutes) or "
                                        "at(2030-01-01T00:00:00)."},
            "timezone": {"type": "string", "pattern": r"^[A-Za-z_]+(/[A-Za-z_+-]+)*$",
                         "maxLength": 64,
                         "description": "The IANA time zone of a cron schedule (default "
                                        "UTC)."},
        }),
        terraform=Terraform("schedule.tf", _schedule),
    ),
)
