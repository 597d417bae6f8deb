"""What a kind is: one `KindSpec` holds everything archc knows about a kind of component.

How to recognise it (label words, Mermaid `@{ icon: … }` names), where it may live, whether it
gets a security group and on which port it listens, who opens a flow to it (a queue's consumer
polls), what a flow to it means in IAM (actions per verb), which Terraform emits it (a template
under templates/terraform/kinds/ fed by its `build` function, the modules it pins), its
diagram icon and class, and which of its changes are risks in `archc diff`.

This package is a leaf: it imports nothing of archc, so every layer may read it. A kind's
Terraform `build` sees the component only through `KindView`, plain data the emitter fills.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


class Tier(enum.StrEnum):
    INTERNET = "internet"
    PUBLIC = "public"
    APP = "app"
    DATA = "data"


class Scope(enum.StrEnum):
    """Where a kind of component must live."""

    INTERNET = "internet"  # outside every cloud zone: people, third-party platforms
    GLOBAL = "global"  # a regional/global AWS service outside the VPC (Route53, S3, SQS)
    VPC_EDGE = "vpc_edge"  # attached to the VPC, not in a subnet (internet gateway)
    PUBLIC_SUBNET = "public_subnet"
    # A public subnet by default, a private one when drawn there (a load balancer: internet-
    # facing in a public subnet, internal in a private one).
    ANY_SUBNET = "any_subnet"
    PRIVATE_SUBNET = "private_subnet"
    DATA_SUBNET = "data_subnet"
    # A serverless service that runs outside the VPC unless the diagram draws it in a subnet
    # (Lambda): either is right, and only a subnet gives it a security group.
    ANYWHERE = "anywhere"


# The verbs of a flow with the IAM meaning (`archc explain` names the one it read).
VERBS: tuple[str, ...] = ("read", "write", "read_write", "invoke", "publish", "consume",
                          "connect")


@dataclass(frozen=True, slots=True)
class Iam:
    """What a flow to this kind means in IAM: the caller's role gets `actions[verb]` on the
    `resources` (HCL expressions; `{id}` is the component's Terraform id)."""

    actions: Mapping[str, tuple[str, ...]]
    resources: tuple[str, ...]
    default_verb: str  # the verb of a flow whose label says none
    # extra statements a verb needs on other resources, e.g. the queue's KMS key:
    # verb -> ((actions, resources), ...)
    extra: Mapping[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    # the grant of one component when its actions depend on what it is (an AWS API: Bedrock,
    # Textract...): (its overlay properties, its lower-cased label and id) -> its own `Iam`
    # (None: nothing to grant). `resources` may name `{caller}`, the caller's Terraform id.
    resolve: Callable[[Mapping[str, Any], str], Iam | None] | None = None


@dataclass(frozen=True, slots=True)
class Module:
    """A pinned terraform-aws-modules release (tf_modules.json of the IaC oracle)."""

    key: str
    source: str
    version: str
    repo: str
    commit: str


@dataclass(frozen=True, slots=True)
class Peer:
    """The other end of a flow, as a kind's `build` sees it."""

    component: str  # the diagram id
    id: str  # its Terraform id
    kind: str
    flow_class: str
    verb: str  # the IAM verb, or "" for a flow without one
    label: str
    ports: tuple[tuple[int, int], ...]
    # HCL expression of the ARN of the role its AWS calls use ("" when it has none)
    role_arn: str = ""
    # its kind's platform outputs (`Terraform.outputs`) for it: name -> HCL expression
    outputs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    order: int = 0  # the flow's place in the diagram (its edges in source order)
    parts: tuple[str, ...] = ()  # Terraform ids of the parts the flow names (S3 buckets)
    # an API gateway's route through its VPC link: the HCL expression of the listener ARN of the
    # load balancer the flow reaches (its target, or the one in front of it), and the subnet
    # tier id of the link (the private app subnets; "" when the VPC has none)
    listener_arn: str = ""
    link_tier: str = ""


@dataclass(frozen=True, slots=True)
class KindView:
    """One component as its kind's Terraform `build` sees it: plain data, no IR."""

    component: str  # the diagram id
    id: str  # its Terraform id (`^[a-z][a-z0-9_]*$`)
    title: str
    project: str
    region: str
    props: Mapping[str, Any]  # overlay properties before per-environment overrides
    env_props: Mapping[str, Mapping[str, Any]]  # environment name -> resolved properties
    production: frozenset[str]  # the environments archc treats as production
    inbound: tuple[Peer, ...]  # flows this component is the target of: their initiators
    outbound: tuple[Peer, ...]  # flows it opens: their targets
    security_group: str | None  # its group's id when it lives in the VPC
    subnet_tier: str | None  # the subnet tier id it lives in
    log_retention_days: int
    # the Terraform ids of the architecture's components, per kind (a service finds the one
    # cluster of the spec when no flow names it)
    ids_by_kind: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Built:
    """What a kind's `build` computed: the template's item, and its values per environment
    (the platform module's `components` input, `var.components["<id>"]`)."""

    item: Mapping[str, Any]
    settings: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: MappingProxyType({}))
    warnings: tuple[tuple[str, str, str], ...] = ()  # (code, message, hint)
    notes: tuple[tuple[str, str, str], ...] = ()  # (code, message, hint): what archc assumed


@dataclass(frozen=True, slots=True)
class Terraform:
    """How a kind becomes Terraform: `templates/terraform/kinds/<template>` renders every
    component of the kind into `modules/platform/<kind>.tf`, with `items` = the `build`
    results in id order."""

    template: str
    build: Callable[[KindView], Built]
    modules: tuple[Module, ...] = ()
    # where its security group is attached, for checkov's CKV2_AWS_5 skip (`{id}`)
    attachment: str | None = None
    # the platform outputs it exposes: name -> (HCL expression with `{id}`, description)
    outputs: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    # what it encrypts with the platform's `data` KMS key (`aws_kms_key.data`), which is then
    # made ("EFS file systems"); None: it uses no data key
    data_key: str | None = None
    # the AWS provider constraint its modules need when it is higher than archc's floor
    aws_provider: str | None = None


@dataclass(frozen=True, slots=True)
class Risk:
    """A change to a component of this kind that a pull request reviewer must see."""

    aspect: str  # "removed", or the property whose change is the risk
    severity: str  # "high" | "medium"
    # what it costs, read after "<id> (<kind>) is removed: " or "<id> <property> a -> b: "
    text: str


@dataclass(frozen=True, slots=True)
class KindSpec:
    name: str
    title: str  # "SQS queue": what `explain` and the diagnostics call it
    scope: Scope
    # lower ranks start connections: decides who initiates a `<-->` edge
    initiator_rank: int
    service_port: int | None = None  # the port a connection *to* it uses
    # regex over the lower-cased label and id; "" = never inferred, only named in the overlay
    recognise: str = ""
    icons: tuple[str, ...] = ()  # Mermaid `@{ icon: "aws:…" }` names (lower-cased)
    security_group: bool = False  # lives in the VPC and filters with a security group
    internet: bool = False  # stands for the internet side of a flow
    entry: bool = False  # may receive internet traffic when the policy lists no entry point
    holds_data: bool = False  # removing or replacing it loses data
    # consumers poll it: its arrow to a compute component is read as a poll by the consumer
    polled: bool = False
    compute: bool = False  # runs code that opens connections (reads data, polls queues)
    # kinds whose arrow into this one is an event it is invoked by (S3 -> Lambda): FlowClass
    # EVENT, the target's trigger, no connection from either side
    triggered_by: frozenset[str] = frozenset()
    iam: Iam | None = None  # a flow to it is an IAM grant, not a network rule
    # the IAM role name its own AWS calls use (HCL expression with `{id}`), if it has one
    role: str | None = None
    addresses: int = 1  # IPs one component takes per AZ in its subnet (subnet sizing)
    size_key: str | None = None  # the overlay key a size written in its label fills
    diagram_icon: tuple[str, str] = ("diagrams.generic.compute", "Rack")
    mermaid_class: str = "compute"
    risks: tuple[Risk, ...] = ()
    # JSON Schema of the overlay keys only this kind reads
    properties: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # those of its keys an environment may change (sizes, counts, retention): the environments
    # share one module, so these reach it per environment through `Built.settings`
    per_environment: tuple[str, ...] = ()
    terraform: Terraform | None = None
    # the AWS service name of its API endpoint ("sqs", "logs", "kms"): callers in the VPC
    # reach it through a VPC interface endpoint (com.amazonaws.<region>.<service>); or, when
    # it depends on the component (an AWS API), a function of (its overlay properties, its
    # lower-cased label and id) -> the name or None
    endpoint_service: str | Callable[[Mapping[str, Any], str], str | None] | None = None
    # a connection to it is also an IAM grant (MSK with IAM authentication): the flow is a
    # network connection on its port, and the caller's role gets `iam.actions[verb]` too
    network_iam: bool = False
    # a load balancer's flow to it registers it in a target group of this type ("ip" for a
    # Fargate task); None: a load balancer cannot forward to it (ARC526)
    lb_target_type: str | None = None
    # the platform KMS key ("data" | "logs") its template encrypts with: the key exists then
    kms_key: str | None = None
    # a network flow to it from a caller with a role reads this managed credential (HCL
    # expression of the secret's ARN with `{id}`), decrypted with the `data` key, as for RDS
    master_secret: str | None = None
    # its listening port per `engine` (Aurora MySQL 3306): read before `service_port`
    engine_ports: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    # the overlay key naming its engine (a label naming one of `engine_ports` fills it)
    engine_key: str = "engine"
    # it stands in front of what it connects to (an RDS proxy): a flow to it uses the port of
    # its own flow to that target (the database engine's), not a port of its own
    fronts: bool = False
