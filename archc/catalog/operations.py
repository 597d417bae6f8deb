"""Security and operations: KMS keys, CloudWatch (log groups and alarms), IAM-only AWS APIs
(Bedrock, Textract, X-Ray, …). VPC interface endpoints are derived, not drawn: a kind's
`endpoint_service` names its API, and the network gets an endpoint for each one that
components in the VPC call with a role (archc/aws/security_groups.py `interface_endpoints`,
archc/emit/terraform/network.py); a node drawn "VPC Endpoint" is described (archc/kinds.py).

One `KindSpec` per kind, in the order label inference tries them (first match wins).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from archc.catalog.spec import Built, Iam, KindSpec, KindView, Module, Risk, Scope, Terraform

KMS = Module("kms", "terraform-aws-modules/kms/aws", "4.2.0",
             "terraform-aws-modules/terraform-aws-kms", "407e3db34a65b384c20ef718f55d9ceacb97a846")
LOG_GROUP = Module("cloudwatch_log_group",
                   "terraform-aws-modules/cloudwatch/aws//modules/log-group", "5.7.2",
                   "terraform-aws-modules/terraform-aws-cloudwatch",
                   "a2a5f9d15e30d0d24b667933599e5e1bef24a8b8")
METRIC_ALARM = Module("cloudwatch_metric_alarm",
                      "terraform-aws-modules/cloudwatch/aws//modules/metric-alarm", "5.7.2",
                      "terraform-aws-modules/terraform-aws-cloudwatch",
                      "a2a5f9d15e30d0d24b667933599e5e1bef24a8b8")

# --------------------------------------------------------------------------- KMS key
# A key scheduled for deletion waits this long (the AWS maximum) before it is gone, and with it
# everything it encrypted; an environment may shorten it (7 days at least).
DELETION_WINDOW_DAYS = 30
# The key's uses, by the verb of the flow to it: `read` decrypts, `write` encrypts (envelope
# encryption: a data key to encrypt with), `read_write` both. A flow whose label says neither
# is `read_write`: a component drawn with its key both encrypts and decrypts its own data.
KMS_ACTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "read": ("kms:Decrypt", "kms:DescribeKey"),
    "write": ("kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"),
    "read_write": ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
                   "kms:ReEncrypt*"),
})


def _kms_key(view: KindView) -> Built:
    users = sorted({p.role_arn for p in view.inbound if p.role_arn})
    by_verb: dict[str, set[str]] = {}
    for peer in view.inbound:
        if peer.role_arn and peer.verb in KMS_ACTIONS:
            by_verb.setdefault(peer.verb, set()).add(peer.role_arn)
    statements = [{"sid": "".join(w.title() for w in verb.split("_")) + "Key",
                   "actions": sorted(KMS_ACTIONS[verb]), "principals": sorted(roles)}
                  for verb, roles in sorted(by_verb.items())]
    settings = {env: {"deletion_window_in_days": int(props.get("deletion_window_in_days",
                                                                DELETION_WINDOW_DAYS))}
                for env, props in view.env_props.items()}
    warnings = () if users else (("ARC570", f"KMS key {view.component} has no user: no "
                                  "component with an IAM role draws a flow to it, so only the "
                                  "account's administrators may use it",
                                  f"draw its users: `App --> {view.component}`"),)
    return Built(item={"id": view.id, "component": view.component, "title": view.title,
                       "alias_suffix": view.id.replace("_", "-"), "statements": statements,
                       "callers": sorted(p.component for p in view.inbound if p.role_arn)},
                 settings=settings, warnings=warnings)


# --------------------------------------------------------------------------- CloudWatch
LOG_ACTIONS = ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")
# One alarm per sender, by the sender's kind: what says it is in trouble. (namespace, metric,
# statistic, comparison, threshold, periods of 5 minutes, dimension, HCL value of the
# dimension with `{id}` = the sender's Terraform id, why).
ALARMS: Mapping[str, tuple[str, str, str, str, float, int, str, str, str]] = MappingProxyType({
    "sqs_queue": ("AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum",
                  "GreaterThanThreshold", 900, 1, "QueueName", "module.sqs_{id}.queue_name",
                  "messages wait over 15 minutes: its consumers fall behind"),
    "load_balancer": ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum",
                      "GreaterThanThreshold", 10, 1, "LoadBalancer",
                      "module.lb_{id}.arn_suffix", "the load balancer answers 5xx itself"),
    "database": ("AWS/RDS", "CPUUtilization", "Average", "GreaterThanThreshold", 80, 3,
                 "DBInstanceIdentifier", "module.db_{id}.db_instance_identifier",
                 "CPU above 80% for 15 minutes"),
    "backend_service": ("AWS/EC2", "CPUUtilization", "Average", "GreaterThanThreshold", 80, 3,
                        "AutoScalingGroupName", "aws_autoscaling_group.{id}.name",
                        "CPU above 80% for 15 minutes across the group"),
    "instance": ("AWS/EC2", "StatusCheckFailed", "Maximum", "GreaterThanOrEqualToThreshold",
                 1, 2, "InstanceId", "module.ec2_{id}.id", "the instance fails its checks"),
    "ci_server": ("AWS/EC2", "StatusCheckFailed", "Maximum", "GreaterThanOrEqualToThreshold",
                  1, 2, "InstanceId", "module.ec2_{id}.id", "the instance fails its checks"),
    "scm_server": ("AWS/EC2", "StatusCheckFailed", "Maximum", "GreaterThanOrEqualToThreshold",
                   1, 2, "InstanceId", "module.ec2_{id}.id", "the instance fails its checks"),
})
# The output a notification topic's kind exposes (`Terraform.outputs`): an arrow from CloudWatch
# to such a component makes it the alarms' action.
TOPIC_OUTPUT = "topic_arn"


def _cloudwatch(view: KindView) -> Built:
    senders = sorted({p.id: p for p in view.inbound}.values(), key=lambda p: p.id)
    topics = sorted(p.outputs[TOPIC_OUTPUT] for p in view.outbound if TOPIC_OUTPUT in p.outputs)
    alarms = [_alarm(view, p.id, p.component, p.kind) for p in senders if p.kind in ALARMS]
    warnings: list[tuple[str, str, str]] = []
    if alarms and not topics:
        warnings.append(("ARC571", f"{view.component} raises {len(alarms)} alarm(s) but the "
                         "diagram draws no notification topic: they notify nobody",
                         f"draw the topic: `{view.component} --> Alerts[\"Alerts SNS topic\"]`"))
    return Built(item={
        "id": view.id, "component": view.component, "title": view.title,
        # a group for each sender that writes logs with a role of its own; the others (a
        # load balancer, a queue, a database) send metrics, which need no group
        "log_groups": [{"id": f"{view.id}_{p.id}", "sender": p.component,
                        "name_suffix": f"{view.id}/{p.id}".replace("_", "-")}
                       for p in senders if p.role_arn],
        "alarms": alarms, "alarm_actions": topics}, warnings=tuple(warnings))


def _alarm(view: KindView, ident: str, component: str, kind: str) -> dict[str, Any]:
    namespace, metric, statistic, comparison, threshold, periods, dim, value, why = ALARMS[kind]
    return {"id": f"{view.id}_{ident}", "sender": component, "description": f"{component}: {why}",
            "name_suffix": f"{ident}-{metric}".replace("_", "-").lower(),
            "namespace": namespace, "metric_name": metric, "statistic": statistic,
            "comparison_operator": comparison, "threshold": threshold,
            "evaluation_periods": periods, "period": 300,
            "dimensions": {dim: value.format(id=ident)}}


# --------------------------------------------------------------------------- AWS APIs
# What a call to each IAM-only AWS API may do (verb `invoke`), and on what: the services
# without resource-level permissions for these actions take "*" (their API has no ARN to name).
_ANY = '"*"'
_MODELS = '"arn:${local.partition}:bedrock:${local.region}::foundation-model/%s"'
# The interface endpoint each service's runtime API is reached through (its private DNS name
# com.amazonaws.<region>.<name>); a service the overlay names goes through the NAT gateway.
API_ENDPOINTS: Mapping[str, str] = MappingProxyType({
    "bedrock": "bedrock-runtime", "textract": "textract", "comprehend": "comprehend",
    "rekognition": "rekognition", "translate": "translate", "polly": "polly",
    "transcribe": "transcribe", "sagemaker": "sagemaker.runtime", "xray": "xray",
    "athena": "athena", "glue": "glue", "ses": "email",
})
# The ARN of every resource of one type in this account and region (the service, the type)
_ACCOUNT_ARN = '"arn:${local.partition}:%s:${local.region}:${local.account_id}:%s/*"'
API_SERVICES: Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = MappingProxyType({
    # service: (label pattern, actions, resources)
    "bedrock": (r"bedrock", ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"),
                (_MODELS % "*",)),
    "textract": (r"textract", ("textract:AnalyzeDocument", "textract:DetectDocumentText",
                               "textract:GetDocumentAnalysis",
                               "textract:StartDocumentAnalysis"), (_ANY,)),
    "comprehend": (r"comprehend", ("comprehend:DetectDominantLanguage",
                                   "comprehend:DetectEntities", "comprehend:DetectKeyPhrases",
                                   "comprehend:DetectSentiment"), (_ANY,)),
    "rekognition": (r"rekognition", ("rekognition:DetectFaces", "rekognition:DetectLabels",
                                     "rekognition:DetectModerationLabels",
                                     "rekognition:DetectText"), (_ANY,)),
    "translate": (r"\btranslate\b", ("translate:TranslateText",), (_ANY,)),
    "polly": (r"\bpolly\b", ("polly:SynthesizeSpeech",), (_ANY,)),
    "transcribe": (r"transcribe", ("transcribe:GetTranscriptionJob",
                                   "transcribe:StartTranscriptionJob"), (_ANY,)),
    # traces: the X-Ray daemon or SDK sends segments (no resource-level permissions)
    "xray": (r"\bx-?ray\b", ("xray:PutTelemetryRecords", "xray:PutTraceSegments"), (_ANY,)),
    "sagemaker": (r"sage ?maker", ("sagemaker:InvokeEndpoint",),
                  ('"arn:${local.partition}:sagemaker:${local.region}:${local.account_id}'
                   ':endpoint/*"',)),
    # a query runs in a workgroup; its catalog (Glue) and result bucket (S3) are flows of their own
    "athena": (r"\bathena\b", ("athena:GetQueryExecution", "athena:GetQueryResults",
                                "athena:StartQueryExecution", "athena:StopQueryExecution"),
               (_ACCOUNT_ARN % ("athena", "workgroup"),)),
    "glue": (r"\bglue\b", ("glue:GetJobRun", "glue:GetJobRuns", "glue:StartJobRun"),
             (_ACCOUNT_ARN % ("glue", "job"),)),
    "ses": (r"\bses\b|simple email", ("ses:SendEmail", "ses:SendRawEmail"),
            (_ACCOUNT_ARN % ("ses", "identity"),)),
})
# What the overlay may name (schema patterns; checked again here, since a value that passes
# reaches HCL inside a quoted string): an action, a Bedrock model id, an ARN.
ACTION = r"^[a-z0-9-]+:[A-Za-z0-9*]+$"
MODEL = r"^[A-Za-z0-9.:_-]+$"
ARN = r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12})?:[A-Za-z0-9/_.:*+=,@-]+$"


def _api_service(props: Mapping[str, Any], text: str) -> str | None:
    if props.get("service"):
        return str(props["service"])
    return next((name for name, (pattern, _, _) in API_SERVICES.items()
                 if re.search(pattern, text)), None)


def _api_endpoint(props: Mapping[str, Any], text: str) -> str | None:
    return API_ENDPOINTS.get(_api_service(props, text) or "")


def _api_grant(props: Mapping[str, Any], text: str) -> Iam | None:
    """The `invoke` grant of one AWS API: the overlay's `actions` on its `resources` (both
    named: an action on "*" is no least privilege), else the service's row of API_SERVICES
    (Bedrock limited to the overlay's `models`). None: nothing archc can grant."""
    actions = tuple(str(a) for a in props.get("actions", ()) if re.match(ACTION, str(a)))
    resources = tuple(f'"{r}"' for r in props.get("resources", ()) if re.match(ARN, str(r)))
    if actions:
        return _invoke(actions, resources) if resources else None
    service = _api_service(props, text)
    if service is None or service not in API_SERVICES:
        return None
    _, actions, default = API_SERVICES[service]
    models = tuple(_MODELS % m for m in props.get("models", ()) if re.match(MODEL, str(m)))
    return _invoke(actions, resources or (models if service == "bedrock" else ()) or default)


def _invoke(actions: tuple[str, ...], resources: tuple[str, ...]) -> Iam:
    return Iam(actions=MappingProxyType({"invoke": actions}), resources=resources,
               default_verb="invoke")


def _api(view: KindView) -> Built:
    """No resource: the item documents what its callers are granted (iam.tf holds the
    policies); the warnings say when the overlay leaves nothing to grant."""
    grant = _api_grant(view.props, f"{view.title} {view.component}".lower())
    callers = sorted(p.component for p in view.inbound if p.role_arn)
    warnings: list[tuple[str, str, str]] = []
    if view.props.get("actions") and not view.props.get("resources"):
        warnings.append(("ARC572", f"{view.component} names actions but no resources: an "
                         "action on every resource is no least privilege, so nothing is granted",
                         f"name the ARNs: `{view.component}: {{resources: [arn:aws:...]}}`"))
    elif grant is None:
        warnings.append(("ARC573", f"archc has no IAM table for {view.component}'s service "
                         f"{_api_service(view.props, view.title.lower()) or '(unnamed)'}: "
                         "nothing is granted", f"name what it needs: `{view.component}: "
                         "{service: ..., actions: [service:Action], resources: [arn:aws:...]}`"))
    return Built(item={"id": view.id, "component": view.component, "title": view.title,
                       "callers": callers,
                       "actions": sorted(grant.actions["invoke"]) if grant else []},
                 warnings=tuple(warnings))


# The diagnostic codes its kinds report (ARC570-ARC579).
CODES: dict[str, str] = {
    "ARC570": "a KMS key has no user: no component with an IAM role draws a flow to it",
    "ARC571": "CloudWatch raises alarms but the diagram draws no notification topic",
    "ARC572": "an AWS API names IAM actions but no resources: nothing is granted",
    "ARC573": "an AWS API whose service archc has no IAM table for: nothing is granted",
}

_NOT_LOGS = (r"(?!.*(\bs3\b|bucket|database|\bdb\b|table|queue|stream|kinesis|firehose|"
             r"opensearch|elasticsearch|prometheus|grafana|loki|kibana|splunk|datadog))")

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "kms_key", "KMS key", Scope.GLOBAL, 10,
        recognise=r"\bkms\b|key management|\bcmks?\b|encryption keys?\b",
        icons=("aws:key-management-service", "aws:kms"), holds_data=True,
        iam=Iam(actions=KMS_ACTIONS, resources=("module.kms_{id}.key_arn",),
                default_verb="read_write"),
        diagram_icon=("diagrams.aws.security", "KMS"), mermaid_class="security",
        risks=(Risk("removed", "high", "removing it schedules the key's deletion: what it "
                                       "encrypted can never be read again"),),
        properties=MappingProxyType({
            "deletion_window_in_days": {
                "type": "integer", "minimum": 7, "maximum": 30,
                "description": "Days a deleted key waits before it is gone (7-30; default 30)."},
        }),
        per_environment=("deletion_window_in_days",),
        terraform=Terraform("kms_key.tf", _kms_key, modules=(KMS,), outputs=MappingProxyType({
            "kms_arn": ("module.kms_{id}.key_arn", "key ARN")})),
        endpoint_service="kms",
    ),
    KindSpec(
        "cloudwatch", "CloudWatch (logs, metrics, alarms)", Scope.GLOBAL, 10,
        recognise=("^" + _NOT_LOGS + r".*(cloud ?watch|\blogs?\b|\blogging\b|\bmetrics?\b|"
                   r"\bmonitoring\b|observability)"),
        icons=("aws:cloudwatch",),
        iam=Iam(actions=MappingProxyType({"write": LOG_ACTIONS}),
                resources=('"${module.log_{id}_{caller}.cloudwatch_log_group_arn}:*"',),
                default_verb="write"),
        diagram_icon=("diagrams.aws.management", "Cloudwatch"), mermaid_class="security",
        terraform=Terraform("cloudwatch.tf", _cloudwatch, modules=(LOG_GROUP, METRIC_ALARM)),
        endpoint_service="logs",
    ),
    KindSpec(
        "aws_api", "AWS service API (Bedrock, Textract, ...)", Scope.GLOBAL, 10,
        recognise=(r"bedrock|textract|comprehend|rekognition|sage ?maker|\btranslate\b|"
                   r"\bpolly\b|transcribe|\bx-?ray\b|\bathena\b|\bglue\b|\bses\b|"
                   r"simple email"),
        icons=("aws:bedrock", "aws:textract", "aws:comprehend", "aws:rekognition",
               "aws:sagemaker", "aws:translate", "aws:polly", "aws:transcribe", "aws:x-ray",
               "aws:athena", "aws:glue", "aws:simple-email-service"),
        iam=Iam(actions=MappingProxyType({"invoke": ()}), resources=(), default_verb="invoke",
                resolve=_api_grant),
        diagram_icon=("diagrams.aws.ml", "Bedrock"), mermaid_class="integration",
        properties=MappingProxyType({
            "service": {"type": "string", "pattern": r"^[a-z0-9-]+$",
                        "description": "The AWS service (bedrock, textract, ... or any other: "
                                       "then name its `actions`)."},
            "actions": {"type": "array", "minItems": 1,
                        "items": {"type": "string", "pattern": ACTION},
                        "description": "The IAM actions a call to it needs (`service:Action`), "
                                       "with the `resources` they apply to."},
            "resources": {"type": "array", "minItems": 1, "items": {"type": "string",
                                                                     "pattern": ARN},
                          "description": "The ARNs the actions are limited to (default: the "
                                         "service's own table, else *)."},
            "models": {"type": "array", "minItems": 1, "items": {"type": "string",
                                                                  "pattern": MODEL},
                       "description": "Bedrock: the foundation-model ids it may invoke "
                                      "(default every model)."},
        }),
        terraform=Terraform("aws_api.tf", _api),
        endpoint_service=_api_endpoint,
    ),
)
