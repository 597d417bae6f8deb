"""Messaging and streams: SQS queues with their dead-letter queue, SNS topics, Kinesis
Data Streams, MSK.

One `KindSpec` per kind, in the order label inference tries them (first match wins).
"""

from __future__ import annotations

from types import MappingProxyType

from archc.catalog.spec import Built, Iam, KindSpec, KindView, Module, Risk, Scope, Terraform

SQS = Module("sqs", "terraform-aws-modules/sqs/aws", "5.2.1",
             "terraform-aws-modules/terraform-aws-sqs", "cc15171d03a9635784bea6aa6d456556d5cce739")

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
              "consumers": consumers, "producers": producers},
        settings=settings, warnings=warnings)


# The diagnostic codes its kinds report (ARC545-ARC549).
CODES: dict[str, str] = {
    "ARC545": "a queue has no consumer: nothing receives what is sent to it",
}

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "sqs_queue", "SQS queue", Scope.GLOBAL, 10,
        recognise=r"\bsqs\b|\bqueues?\b|dead.?letter|\bdlq\b",
        icons=("aws:sqs", "aws:simple-queue-service"),
        holds_data=True, polled=True,
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
)
