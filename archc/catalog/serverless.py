"""Serverless: Lambda functions and their triggers, API Gateway HTTP APIs, Cognito user pools,
DynamoDB tables.

One `KindSpec` per kind, in the order label inference tries them (first match wins): the API
gateway's words come before the function's ("API Gateway Lambda proxy" is the gateway), and
both before the seed's broad `api`/`service`.

A function's triggers are read from its edges: the gateway's route to it (an integration and a
permission), a queue it polls (an event source mapping), a bucket or a table whose arrow goes
to it (a bucket notification, a stream mapping), a topic, an event bus or a schedule drawn to
it (their subscription, rule or schedule, written by the source's own kind). archc never
builds code: a function's package is an existing S3 object or container image the overlay
names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from archc.catalog.spec import (
    Built,
    Iam,
    KindSpec,
    KindView,
    Module,
    Peer,
    Risk,
    Scope,
    Terraform,
)

LAMBDA = Module("lambda", "terraform-aws-modules/lambda/aws", "8.8.1",
                "terraform-aws-modules/terraform-aws-lambda",
                "23d00f7daef40091e87ed2f9dc5d8532e9d2cc22")
APIGW = Module("apigateway_v2", "terraform-aws-modules/apigateway-v2/aws", "6.1.0",
               "terraform-aws-modules/terraform-aws-apigateway-v2",
               "c1b61c309e1a253b75799f5e65afeadbd52b0267")
DYNAMODB = Module("dynamodb_table", "terraform-aws-modules/dynamodb-table/aws", "5.5.0",
                  "terraform-aws-modules/terraform-aws-dynamodb-table",
                  "45c9cb10c2f6209e7362bba92cadd5ab3c9e2003")

# Lambda defaults a team changes per function: the latest Python runtime Lambda supports,
# 256 MB (below it most runtimes start slowly) and 30 s (the gateway's own limit is 30 s).
RUNTIME = "python3.13"
HANDLER = "app.handler"
MEMORY_MB = 256
TIMEOUT_SECONDS = 30
# A failed asynchronous invocation is retried twice by Lambda, then kept 14 days in its
# dead-letter queue (the SQS maximum).
ASYNC_RETRIES = 2
DLQ_RETENTION_SECONDS = 1_209_600
# Records a function takes from a queue or a stream per invocation.
BATCH_SIZE = 10
# The gateway's default stage limits (requests per second, burst) when the overlay says none.
THROTTLE_RATE = 100
THROTTLE_BURST = 200

# Kinds that invoke a function asynchronously (an event, not a request that waits for the
# answer): a failure there is lost unless an on-failure destination keeps it. S3
# notifications, SNS subscriptions, EventBridge rules and EventBridge Scheduler all invoke
# with InvocationType Event.
ASYNC_TRIGGERS = frozenset({"object_storage", "sns_topic", "event_bus", "schedule"})
# Triggers whose subscription, rule or schedule the source's kind writes (messaging.py,
# integration.py): the function only records them, for its asynchronous settings.
SOURCE_OWNED = frozenset({"sns_topic", "event_bus", "schedule"})
# The gateway's routes: "GET /orders" in a flow's label, else every method under the target.
_ROUTE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)\s+(/[A-Za-z0-9_./{}+-]*)")
# What an API gateway reaches through a VPC link: a load balancer, or a service behind one.
VPC_LINK_TARGETS = frozenset({"load_balancer", "ecs_service", "backend_service"})
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")


def _kebab(ident: str) -> str:
    return ident.replace("_", "-")


def _prod(view: KindView, env: str) -> bool:
    return env in view.production


# --------------------------------------------------------------------------- Lambda
def _function(view: KindView) -> Built:
    props = view.props
    warnings: list[tuple[str, str, str]] = []
    image = props.get("image_uri")
    bucket, key = props.get("s3_bucket"), props.get("s3_key")
    if not image and not (bucket and key):
        warnings.append(("ARC550", f"function {view.component} names no package: archc "
                                   "builds no code, so the operator sets it in each "
                                   "environment's tfvars (components." f"{view.id}.s3_bucket "
                                   "and s3_key)",
                         f"give `{view.component}` an `s3_bucket` + `s3_key` (a zip already "
                         "uploaded) or an `image_uri` in archc.yaml"))
    settings = {}
    for env, p in view.env_props.items():
        entry: dict[str, Any] = {
            "memory_size": int(p.get("memory_mb", MEMORY_MB)),
            "reserved_concurrent_executions": int(p.get("reserved_concurrency", -1)),
        }
        if not image:
            entry["s3_bucket"] = p.get("s3_bucket")
            entry["s3_key"] = p.get("s3_key")
        settings[env] = entry
    sources = [_source(p) for p in (*view.inbound, *view.outbound)]
    triggers = sorted((s for s in sources if s is not None), key=lambda s: str(s["key"]))
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": _kebab(view.id), "image_uri": image,
              "runtime": str(props.get("runtime", RUNTIME)),
              "handler": str(props.get("handler", HANDLER)),
              "timeout": int(props.get("timeout_seconds", TIMEOUT_SECONDS)),
              "architecture": str(props.get("architecture", "arm64")),
              "environment": {str(k): str(v) for k, v in
                              sorted((props.get("environment") or {}).items())},
              "log_retention_days": view.log_retention_days,
              "subnet_tier": view.subnet_tier, "security_group": view.security_group
              if view.subnet_tier else None,
              "triggers": triggers,
              "async": any(t["kind"] in ASYNC_TRIGGERS for t in triggers),
              "async_retries": ASYNC_RETRIES, "dlq_retention_seconds": DLQ_RETENTION_SECONDS},
        settings=settings, warnings=tuple(warnings))


def _source(peer: Peer) -> dict[str, Any] | None:
    """What invokes the function across this edge, or None when the edge is not a trigger."""
    if peer.kind == "api_gateway" and peer.flow_class == "event":
        return {"key": f"apigw_{peer.id}", "kind": peer.kind, "peer": peer.id}
    if peer.kind == "sqs_queue" and peer.verb == "consume":
        return {"key": f"sqs_{peer.id}", "kind": peer.kind, "peer": peer.id,
                "batch_size": BATCH_SIZE}
    if peer.kind == "dynamodb_table" and peer.flow_class == "event":
        return {"key": f"dynamodb_{peer.id}", "kind": peer.kind, "peer": peer.id,
                "batch_size": BATCH_SIZE, "actions": list(_STREAM_ACTIONS)}
    if peer.kind == "object_storage" and peer.flow_class == "event":
        return {"key": f"s3_{peer.id}", "kind": peer.kind, "peer": peer.id,
                "buckets": list(peer.parts)}
    if peer.kind in SOURCE_OWNED and peer.flow_class == "event":
        return {"key": f"{peer.kind}_{peer.id}", "kind": peer.kind, "peer": peer.id}
    return None


# --------------------------------------------------------------------------- API Gateway
def _api(view: KindView) -> Built:
    routes: list[dict[str, Any]] = []
    warnings: list[tuple[str, str, str]] = []
    tiers: list[str] = []
    for peer in view.outbound:
        if peer.kind == "lambda_function":
            routes += [{"key": k, "function": peer.id, "listener_arn": None}
                       for k in _route_keys(peer)]
        elif peer.kind in VPC_LINK_TARGETS and peer.flow_class == "network":
            if not peer.listener_arn:
                warnings.append(("ARC554", f"API {view.component} routes to {peer.component}, "
                                           "which no load balancer fronts: a VPC link reaches "
                                           "an ALB or NLB listener only, so no route is "
                                           "written",
                                 f"draw the load balancer in front of it: `ALB --> "
                                 f"{peer.component}` and `{view.component} --> ALB`"))
            elif not peer.link_tier:
                warnings.append(("ARC553", f"API {view.component} routes to {peer.component} "
                                           "through a VPC link, but the diagram draws no VPC "
                                           "with a private subnet for the link: no route is "
                                           "written",
                                 "draw the load balancer inside a VPC with a private subnet "
                                 "(`subgraph app[\"Private Subnet\"]`)"))
            else:
                tiers.append(peer.link_tier)
                routes += [{"key": k, "function": None, "listener_arn": peer.listener_arn}
                           for k in _route_keys(peer)]
    pools = sorted({p.id for p in (*view.inbound, *view.outbound)
                    if p.kind == "cognito_user_pool"})
    if not routes:
        warnings.append(("ARC551", f"API {view.component} routes to no function or load "
                                   "balancer: it would answer every request with 404",
                         f"draw the function it serves: `{view.component} -->|GET /items| "
                         "Fn`"))
    if len(pools) > 1:
        warnings.append(("ARC552", f"API {view.component} is drawn with {len(pools)} user "
                                   f"pools; its JWT authorizer trusts {pools[0]} only",
                         "draw one Cognito user pool per API"))
    domain = view.props.get("domain_name")
    settings = {env: {"throttling_rate_limit": int(p.get("throttling_rate_limit",
                                                         THROTTLE_RATE)),
                      "throttling_burst_limit": int(p.get("throttling_burst_limit",
                                                          THROTTLE_BURST))}
                for env, p in view.env_props.items()}
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": _kebab(view.id),
              "routes": sorted(routes, key=lambda r: r["key"]),
              # one VPC link (its own security group) in the private app subnets
              "vpc_link": {"subnet_tier": tiers[0], "security_group": vpc_link_group(view.id)}
              if tiers else None,
              "user_pool": pools[0] if pools else None,
              "domain_name": str(domain) if domain else None,
              "certificate_arn": view.props.get("certificate_arn"),
              "log_retention_days": view.log_retention_days},
        settings=settings, warnings=tuple(warnings))


def _route_keys(peer: Peer) -> list[str]:
    """The route keys a flow's label names (`GET /orders`), else every method under the
    target's id."""
    found = _ROUTE.findall(peer.label)
    return [f"{method} {path}" for method, path in found] or [f"ANY /{_kebab(peer.id)}/{{proxy+}}"]


def vpc_link_group(api: str) -> str:
    """The security group id of an API gateway's VPC link."""
    return f"vpc_link_{api}"


# --------------------------------------------------------------------------- Cognito
def _pool(view: KindView) -> Built:
    settings = {}
    for env, p in view.env_props.items():
        prod = _prod(view, env)
        settings[env] = {
            "mfa_configuration": str(p.get("mfa", "ON" if prod else "OPTIONAL")),
            "deletion_protection": "ACTIVE" if p.get("deletion_protection", prod)
            else "INACTIVE",
        }
    policy = {"minimum_length": int(view.props.get("password_min_length", 12)),
              "require_lowercase": True, "require_uppercase": True, "require_numbers": True,
              "require_symbols": True, "temporary_password_validity_days": 3}
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": _kebab(view.id), "password_policy": policy,
              "advanced_security": str(view.props.get("advanced_security", "ENFORCED")),
              "callback_urls": [str(u) for u in view.props.get("callback_urls") or []]},
        settings=settings)


# --------------------------------------------------------------------------- DynamoDB
def _table(view: KindView) -> Built:
    hash_key = str(view.props.get("hash_key", "pk"))
    range_key = view.props.get("range_key")
    attributes = [{"name": hash_key, "type": str(view.props.get("hash_key_type", "S"))}]
    if range_key:
        attributes.append({"name": str(range_key),
                           "type": str(view.props.get("range_key_type", "S"))})
    streams = sorted(p.id for p in view.outbound if p.kind == "lambda_function"
                     and p.flow_class == "event")
    settings = {env: {"deletion_protection_enabled": bool(
        p.get("deletion_protection", _prod(view, env)))}
        for env, p in view.env_props.items()}
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": _kebab(view.id), "hash_key": hash_key,
              "range_key": str(range_key) if range_key else None,
              "attributes": attributes, "stream": bool(streams), "stream_consumers": streams},
        settings=settings)


def _integer(description: str, minimum: int, maximum: int | None = None) -> dict[str, Any]:
    bounds = {"minimum": minimum} | ({} if maximum is None else {"maximum": maximum})
    return {"type": "integer", **bounds, "description": description}


def _attribute_name(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": _ATTRIBUTE.pattern, "description": description}


_KEY_TYPE: Mapping[str, Any] = {"enum": ["S", "N", "B"],
                                "description": "S (string), N (number) or B (binary)."}

# The diagnostic codes its kinds report (ARC550-ARC554).
CODES: dict[str, str] = {
    "ARC550": "a Lambda function names no package (s3_bucket + s3_key, or image_uri): the "
              "operator must set it per environment",
    "ARC551": "an API gateway routes to no function or load balancer",
    "ARC552": "an API gateway is drawn with more than one user pool; its authorizer trusts one",
    "ARC553": "an API gateway routes through a VPC link but the VPC has no private subnet",
    "ARC554": "an API gateway routes to a service no load balancer fronts",
}

_STREAM_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                   "dynamodb:ListStreams")
_TABLE_READ = ("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
               "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan")
_TABLE_WRITE = ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
                "dynamodb:PutItem", "dynamodb:UpdateItem")
_KEY_READ = ("kms:Decrypt", "kms:DescribeKey")
_KEY_WRITE = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*")
_TABLE_KEY = ("aws_kms_key.dynamodb.arn",)

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "api_gateway", "API Gateway HTTP API", Scope.GLOBAL, 5, service_port=443,
        recognise=r"api ?gateway|\bapigw\b|\bhttp api\b|\brest api\b",
        icons=("aws:api-gateway", "aws:amazon-api-gateway"), entry=True,
        triggered_by=frozenset({"cognito_user_pool"}),
        diagram_icon=("diagrams.aws.network", "APIGateway"), mermaid_class="edge",
        risks=(Risk("removed", "high", "removing it takes the API's URL off the internet: "
                                       "every client calling it fails"),
               Risk("domain_name", "high", "changing the custom domain moves the API's "
                                           "address: clients of the old one fail")),
        properties=MappingProxyType({
            "throttling_rate_limit": _integer("Steady requests per second the stage accepts "
                                              f"(default {THROTTLE_RATE}).", 1),
            "throttling_burst_limit": _integer("Requests the stage accepts in a burst "
                                               f"(default {THROTTLE_BURST}).", 1),
            "domain_name": {"type": "string", "pattern": r"^[a-z0-9.-]{1,253}$",
                            "description": "Custom domain of the API (needs certificate_arn); "
                                           "none: the execute-api URL."},
            "certificate_arn": {"type": "string", "pattern": r"^arn:aws[a-z-]*:acm:[^\s]+$",
                                "description": "ACM certificate of the custom domain."},
        }),
        per_environment=("throttling_rate_limit", "throttling_burst_limit"),
        terraform=Terraform("api_gateway.tf", _api, modules=(APIGW,),
                            outputs=MappingProxyType({
                                "api_endpoint": ("module.apigw_{id}.api_endpoint",
                                                 "HTTP API endpoint URL")})),
    ),
    KindSpec(
        "lambda_function", "Lambda function", Scope.ANYWHERE, 6,
        # "function" as a word ("Functional tests" is not one)
        recognise=r"\blambdas?\b|λ|serverless function|(?<!step )\bfunctions?\b",
        icons=("aws:lambda", "aws:lambda-function", "aws:aws-lambda"),
        security_group=True, compute=True,
        triggered_by=frozenset({"api_gateway", "object_storage", "dynamodb_table",
                                *SOURCE_OWNED}),
        iam=Iam(actions=MappingProxyType({"invoke": ("lambda:InvokeFunction",)}),
                resources=("module.lambda_{id}.lambda_function_arn",), default_verb="invoke"),
        role="module.lambda_{id}.lambda_role_name",
        diagram_icon=("diagrams.aws.compute", "Lambda"), mermaid_class="compute",
        risks=(Risk("removed", "high", "removing it stops what invokes it (routes, queues, "
                                       "uploads) from being handled"),
               Risk("runtime", "medium", "changing the runtime runs the same package on "
                                         "another language version")),
        properties=MappingProxyType({
            "runtime": {"type": "string", "pattern": r"^[a-z0-9.]+$",
                        "description": f"Lambda runtime (default {RUNTIME})."},
            "handler": {"type": "string", "pattern": r"^[A-Za-z0-9_.:/-]+$",
                        "description": f"Entry point (default {HANDLER})."},
            "architecture": {"enum": ["arm64", "x86_64"],
                             "description": "Instruction set (default arm64)."},
            "memory_mb": _integer(f"Memory in MB (default {MEMORY_MB}).", 128, 10240),
            "timeout_seconds": _integer(f"Timeout (default {TIMEOUT_SECONDS} s).", 1, 900),
            "reserved_concurrency": _integer("Reserved concurrent executions; -1 (default) is "
                                             "the account's pool.", -1),
            "s3_bucket": {"type": "string", "pattern": r"^[a-z0-9.-]{3,63}$",
                          "description": "Bucket holding the deployment zip (built outside "
                                         "archc)."},
            "s3_key": {"type": "string", "pattern": r"^[A-Za-z0-9!_.*'()/-]{1,1024}$",
                       "description": "Key of the deployment zip in s3_bucket."},
            "image_uri": {"type": "string", "pattern": r"^[a-z0-9.-]+/[^\s@]+(:[^\s]+|@sha256:"
                                                       r"[0-9a-f]{64})$",
                          "description": "Container image of the function (ECR)."},
            "environment": {"type": "object",
                            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9_]*$",
                                              "description": "A variable name."},
                            "additionalProperties": {"type": ["string", "number", "boolean"],
                                                     "description": "Its value."},
                            "description": "Environment variables (no secrets: they are "
                                           "plain text in the plan)."},
        }),
        per_environment=("memory_mb", "reserved_concurrency", "s3_bucket", "s3_key"),
        terraform=Terraform("lambda_function.tf", _function, modules=(LAMBDA,),
                            attachment="module.lambda_{id} (vpc_security_group_ids)",
                            outputs=MappingProxyType({
                                "function_arn": ("module.lambda_{id}.lambda_function_arn",
                                                 "function ARN")})),
    ),
    KindSpec(
        "cognito_user_pool", "Cognito user pool", Scope.GLOBAL, 10, service_port=443,
        recognise=r"cognito|user ?pool",
        icons=("aws:cognito", "aws:amazon-cognito"),
        # its hosted sign-in faces the internet by design: users reach it directly
        entry=True, holds_data=True, triggered_by=frozenset({"api_gateway"}),
        diagram_icon=("diagrams.aws.security", "Cognito"), mermaid_class="edge",
        risks=(Risk("removed", "high", "removing it deletes every user account and password"),),
        properties=MappingProxyType({
            "mfa": {"enum": ["OFF", "OPTIONAL", "ON"],
                    "description": "MFA: OPTIONAL (default), ON in production."},
            "deletion_protection": {"type": "boolean",
                                    "description": "Protect the pool from deletion "
                                                   "(default: in production)."},
            "advanced_security": {"enum": ["AUDIT", "ENFORCED"],
                                  "description": "Threat protection mode (default ENFORCED; "
                                                 "the Plus feature plan)."},
            "password_min_length": _integer("Minimum password length (default 12).", 8, 99),
            "callback_urls": {"type": "array", "items": {"type": "string",
                                                         "pattern": r"^https://[^\s\"]+$"},
                              "description": "OAuth callback URLs of the app client."},
        }),
        per_environment=("mfa", "deletion_protection"),
        terraform=Terraform("cognito_user_pool.tf", _pool, outputs=MappingProxyType({
            "user_pool_id": ("aws_cognito_user_pool.{id}.id", "user pool id"),
            "user_pool_client_id": ("aws_cognito_user_pool_client.{id}.id",
                                    "app client id")})),
    ),
    KindSpec(
        "dynamodb_table", "DynamoDB table", Scope.GLOBAL, 10,
        recognise=r"dynamo|nosql table",
        icons=("aws:dynamodb", "aws:amazon-dynamodb"), holds_data=True,
        iam=Iam(actions=MappingProxyType({
            "read": _TABLE_READ, "write": _TABLE_WRITE,
            "read_write": tuple(sorted(set(_TABLE_READ) | set(_TABLE_WRITE)))}),
            resources=("module.dynamodb_{id}.dynamodb_table_arn",
                       '"${module.dynamodb_{id}.dynamodb_table_arn}/index/*"'),
            default_verb="read_write",
            extra=MappingProxyType({"read": ((_KEY_READ, _TABLE_KEY),),
                                    "write": ((_KEY_WRITE, _TABLE_KEY),),
                                    "read_write": ((_KEY_WRITE, _TABLE_KEY),)})),
        diagram_icon=("diagrams.aws.database", "Dynamodb"), mermaid_class="data",
        risks=(Risk("removed", "high", "removing it deletes the table and its items"),
               Risk("hash_key", "high", "changing the hash key replaces the table: its items "
                                        "are lost")),
        properties=MappingProxyType({
            "hash_key": _attribute_name("Partition key attribute (default pk)."),
            "hash_key_type": _KEY_TYPE,
            "range_key": _attribute_name("Sort key attribute (none by default)."),
            "range_key_type": _KEY_TYPE,
            "deletion_protection": {"type": "boolean",
                                    "description": "Protect the table from deletion "
                                                   "(default: in production)."},
        }),
        per_environment=("deletion_protection",),
        terraform=Terraform("dynamodb_table.tf", _table, modules=(DYNAMODB,),
                            outputs=MappingProxyType({
                                "table_name": ("module.dynamodb_{id}.dynamodb_table_id",
                                               "table name"),
                                "table_arn": ("module.dynamodb_{id}.dynamodb_table_arn",
                                              "table ARN")})),
    ),
)
