"""Messaging and streams: SQS queues with their dead-letter queue, SNS topics, Kinesis
Data Streams, MSK.

One `KindSpec` per kind, in the order label inference tries them (first match wins).
"""

from __future__ import annotations

from types import MappingProxyType

from archc.catalog.spec import Built, Iam, KindSpec, KindView, Module, Risk, Scope, Terraform

SQS = Module("sqs", "terraform-aws-modules/sqs/aws", "5.2.1",
             "terraform-aws-modules/terraform-aws-sqs", "cc15171d03a9635784bea6aa6d456556d5cce739")
SNS = Module("sns", "terraform-aws-modules/sns/aws", "7.1.0",
             "terraform-aws-modules/terraform-aws-sns", "84b777952d08caa7ce06a4ef53aafdcc03cfc165")

MSK = Module("msk", "terraform-aws-modules/msk-kafka-cluster/aws", "3.3.0",
             "terraform-aws-modules/terraform-aws-msk-kafka-cluster",
             "57ee6255453dc44037a10cfc894c093107c4da8a")

# The AWS services whose event delivery to a queue or a topic is an EVENT flow (no caller
# role): each reaches the target as this service principal, allowed by the target's
# resource policy for those source ARNs (an HCL list, `{id}` the source's Terraform id).
EVENT_SOURCES: dict[str, tuple[str, str]] = {
    "sns_topic": ("sns.amazonaws.com", "[module.sns_{id}.topic_arn]"),
    "event_bus": ("events.amazonaws.com",
                  "values(module.eventbridge_{id}.eventbridge_rule_arns)"),
}

# A message is retried this many times before it moves to the dead-letter queue, which keeps
# it 14 days (the SQS maximum) for someone to look at.
MAX_RECEIVE_COUNT = 5
DLQ_RETENTION_SECONDS = 1_209_600
# SQS defaults a team changes per queue: 30 s to process a message, 4 days to keep it.
VISIBILITY_TIMEOUT_SECONDS = 30
RETENTION_SECONDS = 345_600


def _queue(view: KindView) -> Built:
    fifo = bool(view.props.get("fifo", False))
    settings = {
        env: {"visibility_timeout_seconds": int(props.get("visibility_timeout_seconds",
                                                          VISIBILITY_TIMEOUT_SECONDS)),
              "message_retention_seconds": int(props.get("message_retention_seconds",
                                                         RETENTION_SECONDS))}
        for env, props in view.env_props.items()}
    consumers = sorted(p.component for p in view.inbound if p.verb == "consume")
    # who delivers events to it (a topic's subscription, an EventBridge rule): the queue
    # policy allows exactly that source to send
    senders = [{"id": p.id, "component": p.component, "sid": _sid("Allow", p.id),
                "principal": EVENT_SOURCES[p.kind][0],
                "source_arn": EVENT_SOURCES[p.kind][1].format(id=p.id)}
               for p in view.inbound if p.flow_class == "event" and p.kind in EVENT_SOURCES]
    producers = sorted(p.component for p in view.inbound if p.verb == "publish")
    warnings = () if consumers else (("ARC545", f"queue {view.component} has no consumer: "
                                      "nothing receives what is sent to it",
                                      f"draw the consumer: `{view.component} --> Worker`"),)
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              # a FIFO queue's name must end in .fifo, the module adds it for both queues
              "name_suffix": view.id.replace("_", "-"), "fifo": fifo,
              "max_receive_count": MAX_RECEIVE_COUNT,
              "dlq_message_retention_seconds": DLQ_RETENTION_SECONDS,
              "consumers": consumers, "producers": producers, "event_senders": senders},
        settings=settings, warnings=warnings)


def _sid(prefix: str, ident: str) -> str:
    """An alphanumeric IAM statement id from a Terraform id (`orders_topic` -> OrdersTopic)."""
    return prefix + "".join(part.capitalize() for part in ident.split("_"))


# What a topic's outbound flow to each kind subscribes (protocol, endpoint with `{id}`);
# a Lambda function also needs the permission that lets SNS invoke it.
SUBSCRIPTION_PROTOCOLS: dict[str, tuple[str, str]] = {
    "sqs_queue": ("sqs", "module.sqs_{id}.queue_arn"),
    "lambda_function": ("lambda", "module.lambda_{id}.lambda_function_arn"),
}


def _topic(view: KindView) -> Built:
    subscriptions: list[dict[str, object]] = []
    warnings: list[tuple[str, str, str]] = []
    for peer in view.outbound:
        found = SUBSCRIPTION_PROTOCOLS.get(peer.kind)
        if found is None:
            warnings.append((
                "ARC546", f"topic {view.component} delivers to {peer.component} ({peer.kind}), "
                          "which SNS cannot subscribe: no subscription is written for it",
                f"put a queue between them (`{view.component} --> Queue --> "
                f"{peer.component}`), or subscribe an endpoint in the overlay "
                f"(`components.{view.component}.subscriptions`)"))
            continue
        subscriptions.append({"key": peer.id, "component": peer.component,
                              "protocol": found[0], "endpoint": found[1].format(id=peer.id),
                              "lambda": peer.kind == "lambda_function"})
    endpoints = [{"key": f"{e['protocol']}_{n}", "protocol": str(e["protocol"]),
                  "endpoint": str(e["endpoint"])}
                 for n, e in enumerate(view.props.get("subscriptions", ()), start=1)]
    publishers = [{"sid": _sid("Allow", p.id), "principal": EVENT_SOURCES[p.kind][0],
                   "source_arn": EVENT_SOURCES[p.kind][1].format(id=p.id)}
                  for p in view.inbound if p.flow_class == "event" and p.kind in EVENT_SOURCES]
    if not subscriptions and not endpoints:
        warnings.append(("ARC547", f"topic {view.component} has no subscriber: what is "
                                   "published to it reaches nobody",
                         f"draw its subscriber (`{view.component} --> Queue`) or list "
                         f"endpoints under `components.{view.component}.subscriptions`"))
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": view.id.replace("_", "-"),
              "fifo": bool(view.props.get("fifo", False)),
              "subscriptions": subscriptions, "endpoints": endpoints,
              "publishers": publishers,
              "producers": sorted(p.component for p in view.inbound if p.verb == "publish")},
        warnings=tuple(warnings))


# Kinesis Data Streams: on-demand capacity unless an environment names its shards; records
# are kept 24 hours (the Kinesis minimum and default) unless the overlay says longer.
RETENTION_HOURS = 24


def _stream(view: KindView) -> Built:
    settings = {}
    for env, props in view.env_props.items():
        shards = props.get("shard_count")
        settings[env] = {"stream_mode": "ON_DEMAND" if shards is None else "PROVISIONED",
                         "shard_count": None if shards is None else int(shards),
                         "retention_period": int(props.get("retention_hours", RETENTION_HOURS))}
    consumers = sorted(p.component for p in view.inbound if p.verb == "consume")
    warnings = () if consumers else (("ARC548", f"stream {view.component} has no consumer: "
                                      "nothing reads the records written to it",
                                      f"draw the consumer: `{view.component} --> Reader`"),)
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": view.id.replace("_", "-"), "consumers": consumers,
              "producers": sorted(p.component for p in view.inbound if p.verb == "publish")},
        settings=settings, warnings=warnings)


# MSK: Kafka with IAM authentication over TLS (port 9098), one broker per AZ unless an
# environment says more; production brokers are general-purpose Graviton, others burstable.
KAFKA_VERSION = "3.8.x"
MSK_INSTANCE = {"production": "kafka.m7g.large", "other": "kafka.t3.small"}
MSK_VOLUME_GIB = 100
MSK_IAM_PORT = 9098
# IAM resources of a cluster's topics and consumer groups (HCL; `{id}` is the cluster's id)
MSK_TOPICS = ('"arn:${local.partition}:kafka:${local.region}:${local.account_id}:topic/'
              '${module.msk_{id}.cluster_name}/${module.msk_{id}.cluster_uuid}/*"')
MSK_GROUPS = MSK_TOPICS.replace(":topic/", ":group/")


def _kafka(view: KindView) -> Built:
    settings = {}
    for env, props in view.env_props.items():
        default = MSK_INSTANCE["production" if env in view.production else "other"]
        settings[env] = {"instance_type": str(props.get("instance_type", default)),
                         "brokers_per_az": int(props.get("brokers_per_az", 1)),
                         "volume_size": int(props.get("volume_size", MSK_VOLUME_GIB))}
    clients = sorted({p.component for p in view.inbound if p.verb})
    warnings = () if clients else (("ARC549", f"Kafka cluster {view.component} has no client: "
                                    "nothing produces to it or consumes from it",
                                    f"draw its clients: `Producer -->|publish| "
                                    f"{view.component}`"),)
    return Built(
        item={"id": view.id, "component": view.component, "title": view.title,
              "name_suffix": view.id.replace("_", "-"), "subnet_tier": view.subnet_tier,
              "security_group": view.security_group,
              "kafka_version": str(view.props.get("kafka_version", KAFKA_VERSION)),
              "log_retention_days": view.log_retention_days, "clients": clients},
        settings=settings, warnings=warnings)


# The diagnostic codes its kinds report (ARC545-ARC549).
CODES: dict[str, str] = {
    "ARC545": "a queue has no consumer: nothing receives what is sent to it",
    "ARC546": "a topic delivers to a component SNS cannot subscribe: no subscription is "
              "written for it",
    "ARC547": "a topic has no subscriber: what is published to it reaches nobody",
    "ARC548": "a stream has no consumer: nothing reads the records written to it",
    "ARC549": "a Kafka cluster has no client: nothing produces to it or consumes from it",
}

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "sqs_queue", "SQS queue", Scope.GLOBAL, 10,
        recognise=r"\bsqs\b|\bqueues?\b|dead.?letter|\bdlq\b",
        icons=("aws:sqs", "aws:simple-queue-service"),
        holds_data=True, polled=True, triggered_by=frozenset(EVENT_SOURCES),
        iam=Iam(actions=MappingProxyType({
            "publish": ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"),
            "consume": ("sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"),
        }), resources=("module.sqs_{id}.queue_arn",), default_verb="publish"),
        diagram_icon=("diagrams.aws.integration", "SimpleQueueServiceSqs"),
        mermaid_class="integration",
        risks=(Risk("removed", "high", "the messages waiting in it and in its dead-letter "
                                       "queue go with it"),
               Risk("fifo", "high", "the queue is replaced: its messages are lost")),
        properties=MappingProxyType({
            "fifo": {"type": "boolean",
                     "description": "A FIFO queue (exactly-once, ordered); the default is a "
                                    "standard queue."},
            "visibility_timeout_seconds": {
                "type": "integer", "minimum": 0, "maximum": 43200,
                "description": "Seconds a received message stays hidden while its consumer "
                               "works on it (SQS default 30)."},
            "message_retention_seconds": {
                "type": "integer", "minimum": 60, "maximum": 1209600,
                "description": "Seconds a message is kept (60 s to 14 days; default 4 days)."},
        }),
        per_environment=("visibility_timeout_seconds", "message_retention_seconds"),
        terraform=Terraform("sqs_queue.tf", _queue, modules=(SQS,),
                            outputs=MappingProxyType({
                                "queue_url": ("module.sqs_{id}.queue_url", "queue URL"),
                                "queue_arn": ("module.sqs_{id}.queue_arn", "queue ARN")})),
        endpoint_service="sqs",
    ),
    KindSpec(
        "sns_topic", "SNS topic", Scope.GLOBAL, 10,
        recognise=r"\bsns\b|\btopics?\b|notifications? service|\bpub ?[/-]? ?sub\b",
        icons=("aws:sns", "aws:simple-notification-service"),
        triggered_by=frozenset({"event_bus"}),
        iam=Iam(actions=MappingProxyType({"publish": ("sns:Publish",)}),
                resources=("module.sns_{id}.topic_arn",), default_verb="publish",
                # the topic is encrypted with its own key: a publisher encrypts with it
                extra=MappingProxyType({"publish": (
                    (("kms:Decrypt", "kms:GenerateDataKey*"), ("aws_kms_key.sns_{id}.arn",)),
                )})),
        diagram_icon=("diagrams.aws.integration", "SimpleNotificationServiceSns"),
        mermaid_class="integration",
        risks=(Risk("removed", "high", "removing it deletes its subscriptions: publishers' "
                                       "messages stop reaching their subscribers"),
               Risk("fifo", "high", "changing fifo replaces the topic and its subscriptions")),
        properties=MappingProxyType({
            "fifo": {"type": "boolean",
                     "description": "A FIFO topic (ordered, deduplicated; only FIFO queues "
                                    "subscribe); the default is a standard topic."},
            "subscriptions": {
                "type": "array",
                "description": "Endpoints outside the diagram the topic delivers to.",
                "items": {"type": "object", "additionalProperties": False,
                          "required": ["protocol", "endpoint"],
                          "properties": {
                              "protocol": {"enum": ["email", "email-json", "https"],
                                           "description": "How SNS delivers to it."},
                              "endpoint": {"type": "string", "minLength": 1,
                                           "maxLength": 512,
                                           "pattern": r"^(https://\S+|[^@\s]+@[^@\s]+)$",
                                           "description": "An email address or an https:// "
                                                          "URL."}}}},
        }),
        terraform=Terraform("sns_topic.tf", _topic, modules=(SNS,),
                            outputs=MappingProxyType({
                                "topic_arn": ("module.sns_{id}.topic_arn", "topic ARN")})),
    ),
    KindSpec(
        "kinesis_stream", "Kinesis data stream", Scope.GLOBAL, 10,
        recognise=r"\bkinesis\b(?!.*\bfirehose\b)|\bdata streams?\b",
        icons=("aws:kinesis", "aws:kinesis-data-streams"),
        holds_data=True, polled=True,
        iam=Iam(actions=MappingProxyType({
            "publish": ("kinesis:DescribeStreamSummary", "kinesis:PutRecord",
                        "kinesis:PutRecords"),
            "consume": ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
                        "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards",
                        "kinesis:SubscribeToShard"),
        }), resources=("aws_kinesis_stream.{id}.arn",), default_verb="publish",
            extra=MappingProxyType({
                "publish": ((("kms:GenerateDataKey",), ("aws_kms_key.kinesis_{id}.arn",)),),
                "consume": ((("kms:Decrypt",), ("aws_kms_key.kinesis_{id}.arn",)),)})),
        diagram_icon=("diagrams.aws.analytics", "KinesisDataStreams"),
        mermaid_class="integration",
        risks=(Risk("removed", "high", "removing it deletes the records it keeps"),
               Risk("retention_hours", "medium", "shortening retention drops older records")),
        properties=MappingProxyType({
            "shard_count": {"type": "integer", "minimum": 1, "maximum": 1024,
                            "description": "Provisioned shards; without it the stream is "
                                           "ON_DEMAND (it scales itself)."},
            "retention_hours": {"type": "integer", "minimum": 24, "maximum": 8760,
                                "description": "Hours a record is kept (24 h to 365 days; "
                                               "default 24)."},
        }),
        per_environment=("shard_count", "retention_hours"),
        terraform=Terraform("kinesis_stream.tf", _stream,
                            outputs=MappingProxyType({
                                "stream_arn": ("aws_kinesis_stream.{id}.arn", "stream ARN")})),
    ),
    KindSpec(
        "msk_cluster", "MSK Kafka cluster", Scope.DATA_SUBNET, 10, service_port=MSK_IAM_PORT,
        recognise=r"\bmsk\b|\bkafka\b|managed streaming",
        icons=("aws:msk", "aws:managed-streaming-for-kafka"),
        security_group=True, holds_data=True, polled=True, size_key="instance_type",
        network_iam=True,
        iam=Iam(actions=MappingProxyType({
            "publish": ("kafka-cluster:Connect", "kafka-cluster:DescribeCluster"),
            "consume": ("kafka-cluster:Connect", "kafka-cluster:DescribeCluster"),
            "connect": ("kafka-cluster:Connect", "kafka-cluster:DescribeCluster"),
        }), resources=("module.msk_{id}.arn",), default_verb="publish",
            extra=MappingProxyType({
                "publish": ((("kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"),
                             (MSK_TOPICS,)),),
                "consume": ((("kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"),
                             (MSK_TOPICS,)),
                            (("kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"),
                             (MSK_GROUPS,))),
            })),
        diagram_icon=("diagrams.aws.analytics", "ManagedStreamingForKafka"),
        mermaid_class="integration",
        risks=(Risk("removed", "high", "removing it deletes its topics and the records they "
                                       "keep"),
               Risk("kafka_version", "medium", "changing kafka_version upgrades the brokers "
                                               "in place, one at a time")),
        properties=MappingProxyType({
            "kafka_version": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9x]+$",
                              "description": "The Kafka version (default 3.8.x)."},
            "instance_type": {"type": "string", "pattern": r"^kafka\.[a-z0-9]+\.[a-z0-9]+$",
                              "description": "The broker instance type (kafka.m7g.large in "
                                             "production, kafka.t3.small elsewhere)."},
            "brokers_per_az": {"type": "integer", "minimum": 1, "maximum": 10,
                               "description": "Brokers in each availability zone (default 1)."},
            "volume_size": {"type": "integer", "minimum": 1, "maximum": 16384,
                            "description": "GiB of storage per broker (default 100)."},
        }),
        per_environment=("instance_type", "brokers_per_az", "volume_size"),
        terraform=Terraform("msk_cluster.tf", _kafka, modules=(MSK,),
                            attachment="module.msk_{id} (broker_node_security_groups)",
                            outputs=MappingProxyType({
                                "bootstrap_brokers": ("module.msk_{id}.bootstrap_brokers_sasl_iam",
                                                      "bootstrap brokers (IAM over TLS)")})),
    ),
)
