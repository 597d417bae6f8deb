"""The Terraform template context as types: what `context.build_context` returns and every
template reads (the conventions and the meaning of each value: templates/terraform/CONTEXT.md).

A class per JSON object of the context; ``X | None`` where the architecture may lack the
piece (no EKS cluster, CDN, DNS zone...), ``NotRequired`` where a key is present only for some
entries. `tests/unit/emit/test_context_types.py` checks every context the test specs and
examples produce against these types, so they cannot drift from the emitter.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from archc.aws.derivation import CheckovSkip
from archc.aws.iam import Principal
from archc.aws.security_groups import Peer, SecurityGroup, SecurityGroupRule

Role = Principal  # the role an IAM policy is attached to

__all__ = ["CheckovSkip", "Peer", "Principal", "Role", "SecurityGroup", "SecurityGroupRule"]


class Resource(TypedDict):
    kind: str
    ref: NotRequired[str]
    user: NotRequired[str]


class Expiration(TypedDict):
    days: int


class Filter(TypedDict):
    prefix: str


class NoncurrentVersionExpiration(TypedDict):
    noncurrent_days: int


class Transition(TypedDict):
    days: int
    storage_class: str


class Alias(TypedDict):
    kind: str
    ref: NotRequired[str]


class AccessScope(TypedDict):
    namespaces: list[str]
    type: str


class Statement(TypedDict):
    actions: list[str]
    resources: list[Resource]
    sid: str


class HealthCheck(TypedDict):
    healthy_threshold: int
    interval: int
    matcher: str
    path: str
    timeout: int
    unhealthy_threshold: int
    protocol: NotRequired[str]  # an NLB's TCP target group checks over HTTP


class TargetGroupRef(TypedDict):
    key: str
    load_balancer: str


class Encryption(TypedDict):
    kind: str
    kms_key: NotRequired[str]


class LifecycleRule(TypedDict):
    abort_incomplete_multipart_upload_days: int
    enabled: bool
    expiration: NotRequired[Expiration]
    filter: Filter
    id: str
    noncurrent_version_expiration: NoncurrentVersionExpiration
    transition: NotRequired[list[Transition]]


class Origin(TypedDict):
    domain_input: str  # the operator input naming the origin host when `record` is null
    http_port: int
    https_port: int
    id: str
    origin_read_timeout: int
    origin_ssl_protocols: list[str]
    record: str | None
    verify: OriginVerify


class Parameter(TypedDict):
    name: str
    value: str
    apply_method: NotRequired[str]  # "pending-reboot" for a static parameter


class OptionSetting(TypedDict):
    name: str
    value: str


class DbOption(TypedDict):
    option_name: str
    option_settings: list[OptionSetting]


class Record(TypedDict):
    alias: Alias | None
    comment: str
    id: str
    name: str
    records: list[str]
    ttl: int | None
    type: str


class NodeSgRule(TypedDict):
    """One rule of the eks module's node security group (its map's object type)."""

    description: str
    protocol: str
    from_port: int
    to_port: int
    type: str
    self: NotRequired[bool]
    source_cluster_security_group: NotRequired[bool]
    cidr_blocks: NotRequired[list[str]]


class AccessEntry(TypedDict):
    access_scope: AccessScope
    id: str
    policy: str
    principal: Principal


class Module(TypedDict):
    checkov_skips: list[CheckovSkip]
    commit: str
    release: str
    repo: str
    source: str
    version: str | None  # null for git sources


class Taint(TypedDict):
    effect: str
    key: str
    value: str


class NodeGroup(TypedDict):
    ami_type: str
    component: str
    id: str
    label: str
    labels: dict[str, str]
    security_group: str
    subnet_tier: str
    taints: dict[str, Taint]


class InstanceRole(TypedDict):
    id: str
    label: str
    managed_policies: list[str]


class IrsaRole(TypedDict):
    cluster: str  # the module of the cluster whose OIDC provider it trusts
    id: str
    label: str
    name_suffix: str
    namespace_service_accounts: list[str]


class Policy(TypedDict):
    description: str  # no line numbers: AWS replaces a policy whose description changes
    source: str  # the diagram/overlay lines behind it, for the comment above it ("": none)
    id: str
    role: Role
    statements: list[Statement]


class AccessLogs(TypedDict):
    bucket: str | None
    prefix: str


class OriginVerify(TypedDict):
    header: str
    length: int
    secret: str  # the random_password's name


class Listener(TypedDict):
    key: str
    origin_verify: OriginVerify | None
    port: int
    protocol: str
    ssl_policy: str
    target_group: str | None


class LoadBalancerTargetGroup(TypedDict):
    deregistration_delay: int
    health_check: HealthCheck
    key: str
    name_suffix: str
    port: int
    protocol: str
    target_type: str  # instance (an ASG attaches itself) or ip (a TargetGroupBinding)


class FlowLog(TypedDict):
    kms_key: str
    max_aggregation_interval: int
    traffic_type: str


class GatewayEndpoint(TypedDict):
    id: str
    route_table_roles: list[str]
    service: str


class InterfaceEndpoint(TypedDict):
    id: str
    security_group: str
    service: str
    subnet_tier: str


class PrefixList(TypedDict):
    id: str
    name: str


class SubnetTier(TypedDict):
    id: str
    label: str
    vpc_list_index: int
    vpc_role: str


class WafLogGroup(TypedDict):
    checkov_skips: list[CheckovSkip]
    kms_key: str
    name_suffix: str


class ManagedRuleGroup(TypedDict):
    metric: str
    name: str
    priority: int
    vendor: str


class RateLimitRule(TypedDict):
    metric: str
    priority: int


class AutoscalingGroup(TypedDict):
    boot: Boot
    component: str
    health_check_grace_period: int
    health_check_type: str
    id: str
    instance_refresh_min_healthy_percentage: int
    instance_role: str
    label: str
    root_device_name: str
    root_volume_type: str
    security_group: str
    subnet_tier: str
    target_cpu_utilization: int
    target_group: TargetGroupRef | None


class Bastion(TypedDict):
    access: str
    component: str
    instance: str
    public_ip_output: str  # bastion_public_ip for the first, bastion_<id>_public_ip after


class Bucket(TypedDict):
    access_log_prefix: str | None
    encryption: Encryption
    id: str
    label: str
    lifecycle_rules: list[LifecycleRule]
    log_delivery_target: bool
    name_suffix: str


class Cdn(TypedDict):
    access_log_group: WafLogGroup  # CloudFront standard logging v2, in the edge region
    aliases: list[str]
    module: str  # module.<module>: `cdn` for the first distribution, `cdn_<id>` for the rest
    allowed_methods: list[str]
    cache_policy: str
    cached_methods: list[str]
    certificate: str | None
    comment: str
    component: str
    http_version: str
    id: str
    minimum_protocol_version: str
    origin: Origin
    origin_request_policy: str
    response_headers_policy: str
    viewer_protocol_policy: str
    waf: str | None


class Certificate(TypedDict):
    alternative_records: list[str]
    id: str
    label: str
    provider: str
    record: str | None
    source: str


class Database(TypedDict):
    auto_minor_version_upgrade: bool
    cloudwatch_logs_exports: list[str]
    component: str
    db_name: str | None
    engine: str
    engine_version: str
    family: str
    iam_database_authentication: bool
    id: str
    identifier_suffix: str
    kms_key: str
    label: str
    license_model: str | None
    log_kms_key: str
    major_engine_version: str
    monitoring_interval: int
    options: list[DbOption]
    parameters: list[Parameter]
    performance_insights_retention_period: int
    port: int
    security_group: str
    storage_type: str
    subnet_tier: str
    username: str


class Dns(TypedDict):
    """One Route53 hosted zone: the first is `module.dns` on `var.dns_zone_name`, each other
    `module.dns_<id>` on `var.dns_zones["<id>"]` (HCL expressions in `create_zone`, `domain`
    and `zone_name`)."""

    component: str
    create_zone: str
    delegation: str  # aws_route53_record.<delegation>: the NS record in the domain's zone
    delegation_ttl: int
    domain: str
    domain_data: str  # data.aws_route53_zone.<domain_data>: the domain's existing zone
    id: str
    module: str
    records: list[Record]
    zone_comment: str
    zone_name: str


class Addon(TypedDict):
    before_compute: NotRequired[bool]
    configuration_values: NotRequired[str]  # JSON text


class Eks(TypedDict):
    access_entries: list[AccessEntry]
    addons: dict[str, Addon]
    authentication_mode: str
    component: str
    enable_cluster_creator_admin_permissions: bool
    enabled_log_types: list[str]
    endpoint_public_access: bool
    id: str  # its module: eks for the first cluster, eks_<id> for the others
    kubernetes_version: str  # HCL expression: var.kubernetes_version for the first
    label: str
    log_kms_key: str
    name_suffix: str | None  # the cluster name is var.name, -<suffix> after it for the others
    node_groups: list[NodeGroup]
    node_max_unavailable_percentage: int
    node_root_device_name: str
    node_root_volume_type: str
    node_security_group_rules: dict[str, NodeSgRule]
    secrets_kms_key: str
    security_group: str
    subnet_tier: str


class Iam(TypedDict):
    instance_roles: list[InstanceRole]
    irsa_roles: list[IrsaRole]
    policies: list[Policy]


class Boot(TypedDict):
    """What an EC2 host boots: an AMI by id, or else by SSM parameter name, and its user data
    (None: none; the text is escaped into the HCL, never interpolated)."""

    ami_id: str | None
    ami_ssm_parameter: str | None
    user_data: str | None


class AgentLogFile(TypedDict):
    path: str  # a file (or glob) on the host
    stream: str  # the log stream is `{instance_id}/<stream>`


class CloudWatchAgent(TypedDict):
    """The CloudWatch agent of one EC2 host (or Auto Scaling group): its log group and files."""

    component: str
    config_schedule: str
    files: list[AgentLogFile]
    id: str
    label: str
    log_group: str


class DataVolume(TypedDict):
    """A stateful host's separate data volume: encrypted, kept when the instance goes, with a
    final snapshot on destroy and daily snapshots (`platform.backup`, by its Backup tag)."""

    backup_tag_suffix: str  # Backup = "${var.name}-<suffix>", the target of `platform.backup`
    device_name: str
    kms_key: str
    volume_type: str


class Backup(TypedDict):
    """Daily EBS snapshots (Data Lifecycle Manager) of the volumes tagged Backup=<tag>."""

    interval_hours: int
    retain_count: int
    tag_value_suffix: str
    time: str


class Instance(TypedDict):
    boot: Boot
    data_volume: DataVolume | None
    associate_public_ip_address: bool
    az_index: int
    component: str
    id: str
    ignore_ami_changes: bool
    instance_role: str
    label: str
    root_volume_type: str
    security_group: str
    ssh_key: bool
    subnet_tier: str
    termination_protection: bool


class KmsKey(TypedDict):
    alias_suffix: str
    deletion_window_in_days: int
    description: str
    id: str
    policy_checkov_skips: list[CheckovSkip]
    provider: str
    service_usages: list[str]


class LoadBalancer(TypedDict):
    access_logs: AccessLogs
    certificate: str
    component: str
    id: str
    internal: bool  # no internet ingress: reached from the VPC only
    label: str
    listener: Listener
    security_group: str
    subnet_tier: str
    target_groups: list[LoadBalancerTargetGroup]
    type: str  # application or network


class LogGroup(TypedDict):
    checkov_skips: list[CheckovSkip]
    id: str
    kms_key: str
    label: str
    name_suffix: str
    provider: str


class Network(TypedDict):
    vpc: bool  # a component lives in the VPC (else no VPC, subnets or zones at all)
    flow_log: FlowLog
    gateway_endpoints: list[GatewayEndpoint]
    interface_endpoints: list[InterfaceEndpoint]
    nat_gateway: bool
    prefix_lists: list[PrefixList]
    subnet_role_tags: dict[str, dict[str, str]]
    subnet_tiers: list[SubnetTier]


class Secret(TypedDict):
    description: str
    id: str
    kms_key: str
    name_suffix: str
    random_password_length: int
    recovery_window_in_days: int
    value: str


class Waf(TypedDict):
    id: str
    label: str
    log_group: WafLogGroup
    managed_rule_groups: list[ManagedRuleGroup]
    name_suffix: str
    rate_limit_rule: RateLimitRule
    redacted_headers: list[str]


class EdgeProvider(TypedDict):
    alias: str
    region: str


class Provider(TypedDict):
    name: str
    source: str
    version: str


# The platform module's input values per environment (`environments[].inputs`): one key per
# variable `_platform_variables.j2` declares, the operator-supplied ones excepted.
class InstanceInputs(TypedDict):
    data_volume_size: NotRequired[int]  # stateful hosts only
    instance_type: str
    root_volume_size: int


class AsgInputs(TypedDict):
    desired_size: int
    instance_type: str
    max_size: int
    min_size: int
    root_volume_size: int


class NodeGroupInputs(TypedDict):
    capacity_type: str
    desired_size: int
    disk_size: int
    instance_types: list[str]
    max_size: int
    min_size: int


class DatabaseInputs(TypedDict):
    allocated_storage: int
    backup_retention_period: int
    instance_class: str
    max_allocated_storage: int
    multi_az: bool


class DnsZoneInputs(TypedDict):
    create_zone: bool
    domain: str
    zone_name: str


class Inputs(TypedDict):
    admin_cidr_blocks: NotRequired[list[str]]  # ssh bastion only
    autoscaling_groups: dict[str, AsgInputs]
    availability_zones: NotRequired[list[str]]  # with a VPC
    cloudfront_price_class: NotRequired[str]  # with a CDN
    components: NotRequired[dict[str, Any]]  # with a catalog kind: its values by component id
    databases: dict[str, DatabaseInputs]
    deletion_protection: bool
    dns_create_zone: NotRequired[bool]  # with a DNS zone
    dns_domain: NotRequired[str]  # with a DNS zone
    dns_zone_name: NotRequired[str]  # with a DNS zone
    dns_zones: NotRequired[dict[str, DnsZoneInputs]]  # with a second DNS zone: the others
    eks_kubernetes_versions: NotRequired[dict[str, str]]  # with several EKS clusters
    eks_node_groups: NotRequired[dict[str, NodeGroupInputs]]  # with EKS
    environment: str
    instances: dict[str, InstanceInputs]
    kubernetes_version: NotRequired[str]  # with EKS
    log_retention_days: int
    name: str
    single_nat_gateway: NotRequired[bool]  # with a NAT gateway
    subnet_cidrs: NotRequired[dict[str, list[str]]]  # with a VPC
    vpc_cidr: NotRequired[str]  # with a VPC
    waf_rate_limit: NotRequired[int]  # with a WAF


class Environment(TypedDict):
    allowed_account_ids: list[str]
    aws_region: str
    backend_key: str
    default_tags: dict[str, str]
    inputs: Inputs
    name: str


class AddonRole(TypedDict):
    """An IRSA role of a cluster add-on: the one service account it trusts."""

    id: str
    label: str
    name_suffix: str
    namespace: str
    service_account: str


class ContainerLogGroup(TypedDict):
    id: str
    name: str  # /aws/containerinsights/<cluster>/<name>


class ContainerLogs(TypedDict):
    addon: str
    checkov_skips: list[CheckovSkip]
    configuration_values: str  # JSON text
    kms_key: str
    log_groups: list[ContainerLogGroup]
    role: AddonRole


class MonitoringSecret(TypedDict):
    id: str
    kms_key: str
    name_suffix: str
    random_password_length: int
    recovery_window_in_days: int


class Monitoring(TypedDict):
    grafana_secret: MonitoringSecret
    role: AddonRole  # the secret store's service account (External Secrets Operator)


class PodTargetGroup(TypedDict):
    component: str  # the node group the target group sends to
    key: str
    load_balancer: str


class LoadBalancerController(TypedDict):
    role: AddonRole
    target_groups: list[PodTargetGroup]


class BlockStorage(TypedDict):
    addon: str
    kms_key: str  # encrypts the volumes (the role may use it for EBS)
    role: AddonRole


class ClusterAddons(TypedDict):
    block_storage: BlockStorage
    container_logs: ContainerLogs
    load_balancer_controller: LoadBalancerController | None
    monitoring: Monitoring


class PlatformParts(TypedDict):
    """`platform` before the pieces derived from the rest (its IAM policies, KMS keys)."""

    access_log_bucket: str | None
    autoscaling_groups: list[AutoscalingGroup]
    kinds: list[KindFile]  # the catalog kinds' files (archc/emit/terraform/catalog.py)
    backup: Backup | None
    bastions: list[Bastion]  # in diagram order
    buckets: list[Bucket]
    cdns: list[Cdn]  # in diagram order
    certificates: list[Certificate]
    cluster_addons: ClusterAddons | None
    cloudwatch_agents: list[CloudWatchAgent]
    databases: list[Database]
    dns_zones: list[Dns]  # in diagram order
    eks: Eks | None  # the first cluster: the add-ons and Helm serve it
    extra_eks_clusters: list[Eks]  # the others (module.eks_<id>), Terraform only (ARC533)
    instances: list[Instance]
    load_balancers: list[LoadBalancer]
    log_groups: list[LogGroup]
    max_az_count: int
    network: Network
    secrets: list[Secret]
    security_group_rules: list[SecurityGroupRule]
    security_groups: list[SecurityGroup]
    waf: Waf | None


class KindFile(TypedDict):
    """One catalog kind's file: `templates/terraform/<template>` renders `items` (each its
    kind's `build` result, sorted by id) into `modules/platform/<kind>.tf`."""

    kind: str
    template: str
    items: list[dict[str, Any]]


class Platform(PlatformParts):
    iam: Iam
    kms_keys: list[KmsKey]


class Project(TypedDict):
    description: str
    name: str


class State(TypedDict):
    bucket: str | None  # the overlay's state.bucket; None: derived in bootstrap/
    bucket_prefix: str
    default_tags: dict[str, str]
    kms_alias: str
    kms_deletion_window_in_days: int
    kms_policy_checkov_skips: list[CheckovSkip]
    noncurrent_version_expiration_days: int
    region: str


class Terraform(TypedDict):
    edge_provider: EdgeProvider
    providers: list[Provider]
    required_version: str


# `from` is a Python keyword: the functional form.
Moved = TypedDict("Moved", {"from": str, "to": str})


class Context(TypedDict):
    environments: list[Environment]
    generated_from: list[str]
    modules: dict[str, Module]
    moved: list[Moved]
    platform: Platform
    project: Project
    schema_version: int
    state: State
    terraform: Terraform


# Fixed settings the builders spread into several objects (`**ASG_TUNING`).
class AsgTuning(TypedDict):
    health_check_grace_period: int
    instance_refresh_min_healthy_percentage: int
    target_cpu_utilization: int


class DbTuning(TypedDict):
    monitoring_interval: int
    performance_insights_retention_period: int


class SecretDefaults(TypedDict):
    value: str
    random_password_length: int
    recovery_window_in_days: int


class CdnSettings(TypedDict):
    minimum_protocol_version: str
    http_version: str
    viewer_protocol_policy: str
    allowed_methods: list[str]
    cached_methods: list[str]
    cache_policy: str
    origin_request_policy: str
    response_headers_policy: str


class OriginSettings(TypedDict):
    http_port: int
    origin_ssl_protocols: list[str]
    origin_read_timeout: int
