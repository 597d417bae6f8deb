"""Helm: one chart per EKS node group, for the workload that runs on it.

Every decision is made here, in Python; templates/helm/workload holds the chart:

* ``*.j2`` (Chart.yaml, values.yaml, values-env.yaml) are rendered by Jinja with the context
  built below -> ``helm/<workload>/Chart.yaml``, ``values.yaml``, ``values-<env>.yaml``;
* ``templates/*`` (Go templates) are copied unchanged -> ``helm/<workload>/templates/*``.

What the overlay gives (``workload`` on the node group) and what archc assumes:

* name: ``workload.name``, else the node group name; namespace: ``workload.namespace``, else
  the namespace its IRSA role trusts (``default``, see aws.iam) when it has one, else the
  workload name; service account: ``workload.service_account``, else the workload name.
* placement: ``nodeSelector`` = the node group's ``labels``; ``tolerations`` = its ``taints``
  (NO_SCHEDULE -> NoSchedule, ...), so pods land on their node group and only there.
* image: ``workload.image`` (``repo:tag`` or ``repo@sha256:...``); without it the chart
  requires ``image.repository`` and a tag or digest at install time: archc never invents one.
* resources: ``workload.cpu``/``memory`` are requests and limits (Guaranteed QoS); otherwise
  RESOURCES by node class. Accelerated (GPU) node groups get ``nvidia.com/gpu`` (``workload.gpus``,
  default 1): without it the device plugin hides the GPU from the pod.
* replicas (per environment): ``workload.replicas`` (default 2), capped at the node group's
  ``scaling.max`` in that environment (at least 1). The HPA keeps ``minReplicas`` = replicas
  and ``maxReplicas`` = ``workload.max_replicas``, else max(replicas, node group scaling.max).
* IRSA: when Terraform creates an IRSA role for the node group (aws.iam.principal), the service
  account must carry its ARN (``terraform output -json irsa_role_arns``, key = the role id);
  the chart requires ``serviceAccount.roleArn`` then, and mounts the token only then.
* ingress from a load balancer (aws.cluster_addons.pod_targets): the port is the flow's (unless
  ``workload.port`` names one); the chart gets a Service and a TargetGroupBinding to the
  Terraform-managed IP target group (``terraform output -json pod_target_group_arns``, required
  at install), and its NetworkPolicy admits the load balancer's subnets (per environment) on
  that port; the security-group rule of the same flow admits the load balancer's group.
* metrics: with a Service, a ServiceMonitor (``workload.metrics_path``, default /metrics, on the
  app port) for kube-prometheus-stack, rendered only where its CRD is installed; the
  NetworkPolicy admits the monitoring namespace on that port.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

import networkx as nx

from archc import GENERATOR, markup
from archc.aws.cluster_addons import MONITORING_NAMESPACE, PodTarget, pod_targets
from archc.aws.compute import GPU_RE, instance_types
from archc.aws.derivation import Derivation
from archc.aws.iam import principal
from archc.aws.names import kebab, node_group_name
from archc.emit._helm_yaml import FILTERS
from archc.emit._jinja import environment, templates_dir
from archc.emit.output import EmitResult, OutputFile
from archc.kinds import Kind
from archc.model import Architecture, Component, Environment, thaw

OUT_DIR = "helm"
TEMPLATES = "helm"
CHART = "workload"
CHART_VERSION = "0.1.0"
DEFAULT_REPLICAS = 2
# Requests and limits when the workload gives no cpu/memory. Standard nodes (m6i.large:
# 2 vCPU, 8 GiB) fit two to three pods; a GPU node (g5.xlarge: 4 vCPU, 16 GiB, 1 GPU) one.
RESOURCES: dict[str, Resources] = {
    "standard": {"requests": {"cpu": "250m", "memory": "512Mi"},
                 "limits": {"cpu": "1", "memory": "1Gi"}},
    "accelerated": {"requests": {"cpu": "2", "memory": "8Gi"},
                    "limits": {"cpu": "3", "memory": "12Gi"}},
}
GPU_RESOURCE = "nvidia.com/gpu"
DEFAULT_GPUS = 1
# EKS taint effects (the API's spelling) -> Kubernetes toleration effects.
EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute",
           "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
HPA_CPU_UTILIZATION = 70
# Prometheus scrape defaults (ServiceMonitor) and the label every namespace carries (k8s 1.22+).
METRICS_PATH = "/metrics"
METRICS_INTERVAL = "30s"
NAMESPACE_LABEL = "kubernetes.io/metadata.name"
# Non-root user the pods run as (>= 10000: no clash with a host user; CKV_K8S_40).
RUN_AS_USER = 10001
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# What the overlay gives a node group (`workload`, `scaling`, `labels`...): user YAML the
# schema validated, thawed to plain dicts and read with .get().
Overlay = dict[str, Any]


# --------------------------------------------------------------------------- chart context
# The context the chart templates read (`chart`, and `env` for values-<env>.yaml); keys in
# camelCase are Helm values, written to values*.yaml as they are.
class Image(TypedDict):
    repository: str
    tag: str
    digest: str
    pullPolicy: str


class ServiceAccount(TypedDict):
    name: str
    roleArn: str  # set at install time (terraform output irsa_role_arns)
    irsa: bool
    automountToken: bool


class Toleration(TypedDict):
    key: str
    effect: str
    operator: str
    value: NotRequired[str]  # with operator Equal


class Resources(TypedDict):
    limits: dict[str, str | int]
    requests: dict[str, str | int]


class Service(TypedDict):
    enabled: bool
    type: str
    port: int


class Selector(TypedDict):
    matchLabels: dict[str, str]


class IngressPeer(TypedDict):
    podSelector: NotRequired[dict[str, str]]  # {}: every pod of the namespace
    namespaceSelector: NotRequired[Selector]


class NetworkPolicy(TypedDict):
    enabled: bool
    ingressFrom: list[IngressPeer]
    loadBalancerCidrs: list[str]  # per environment: the load balancer's subnets


class TargetGroupBinding(TypedDict):
    enabled: bool
    targetGroupArn: str  # set at install time (terraform output pod_target_group_arns)


class Metrics(TypedDict):
    path: str
    interval: str


class SeccompProfile(TypedDict):
    type: str


class PodSecurityContext(TypedDict):
    runAsNonRoot: bool
    runAsUser: int
    runAsGroup: int
    fsGroup: int
    seccompProfile: SeccompProfile


class Values(TypedDict):
    """values.yaml: what every environment shares."""

    workload: str
    namespace: str
    image: Image
    serviceAccount: ServiceAccount
    nodeSelector: dict[str, str]
    tolerations: list[Toleration]
    resources: Resources
    containerPort: int | None
    service: Service
    targetGroupBinding: TargetGroupBinding
    metrics: Metrics
    networkPolicy: NetworkPolicy
    podSecurityContext: PodSecurityContext


class Autoscaling(TypedDict):
    enabled: bool
    minReplicas: int
    maxReplicas: int
    targetCPUUtilizationPercentage: int


class Scaling(TypedDict):
    replicaCount: int
    autoscaling: Autoscaling


class EnvValues(TypedDict):
    """values-<name>.yaml: the replicas of one environment."""

    name: str
    node_group_max: int
    overrides: Scaling
    load_balancer_cidrs: list[str]


class Chart(TypedDict):
    name: str  # the chart's directory, unique
    component: str
    node_group: str
    title: str
    header: str  # the generated-file comment, one line without `{{`/`}}`
    version: str
    irsa_output_key: str  # key in `terraform output irsa_role_arns`, "" without IRSA
    target_group_output_key: str  # key in `terraform output pod_target_group_arns`, or ""
    target: str  # "<load balancer> -> <node group> <ports>": the flow the port comes from
    accelerated: bool
    base: Values
    defaults: Scaling
    environments: list[EnvValues]


def emit(arch: Architecture, graph: nx.MultiDiGraph[str]) -> EmitResult:
    files: list[OutputFile] = []
    for chart in charts(arch):
        files += [OutputFile(f"{OUT_DIR}/{chart['name']}/{path}", text)
                  for path, text in render(chart).items()]
    return EmitResult(tuple(sorted(files, key=lambda f: f.path)))


def render(chart: Chart) -> dict[str, str]:
    """{path inside the chart: text} for one chart, sorted by path."""
    jinja = environment(TEMPLATES)
    jinja.filters.update(FILTERS)
    base = f"{CHART}/"
    out: dict[str, str] = {
        "Chart.yaml": jinja.get_template(base + "Chart.yaml.j2").render(chart=chart),
        "values.yaml": jinja.get_template(base + "values.yaml.j2").render(chart=chart),
    }
    per_env = jinja.get_template(base + "values-env.yaml.j2")
    for env in chart["environments"]:
        out[f"values-{env['name']}.yaml"] = per_env.render(chart=chart, env=env)
    folder = templates_dir(TEMPLATES) / CHART / "templates"
    for path in sorted(folder.iterdir()):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            # a YAML comment, kept in the rendered manifests; `markup.comment` broke up its
            # braces, so a file name cannot open a template action
            out[f"templates/{path.name}"] = chart["header"] + "\n" + text
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- context
def charts(arch: Architecture) -> list[Chart]:
    """One chart context per eks_node_group, sorted by chart name (unique: `-2`, `-3`...)."""
    view = Derivation(arch)
    # one line and no `{{`/`}}`, whatever the names: the header heads Go templates too
    header = f"# Generated by {GENERATOR} from {markup.inputs_note(arch.inputs)}. DO NOT EDIT."
    out: list[Chart] = []
    taken: set[str] = set()
    targets = {t.node_group: t for t in pod_targets(view)}
    for comp in view.of(Kind.EKS_NODE_GROUP):
        chart = _chart(view, comp, header, targets.get(comp.id))
        name, n = chart["name"], 2
        while chart["name"] in taken:
            chart["name"], n = f"{name}-{n}", n + 1
        taken.add(chart["name"])
        out.append(chart)
    return sorted(out, key=lambda c: c["name"])


def _chart(view: Derivation, comp: Component, header: str, target: PodTarget | None) -> Chart:
    spec = _mapping(comp.props.get("workload"))
    workload = str(spec.get("name") or node_group_name(comp))
    who = principal(view, comp)
    irsa = who is not None and who["kind"] == "irsa_role"
    namespace = str(spec.get("namespace") or ("default" if irsa else workload))
    account = str(spec.get("service_account") or workload)
    accelerated = any(GPU_RE.match(t) for t in instance_types(comp.props))
    port = spec.get("port") or (target.port if target else None)
    values: Values = {
        "workload": _dns_name(workload),
        "namespace": namespace,
        "image": _image(spec.get("image")),
        "serviceAccount": {"name": account, "roleArn": "", "irsa": irsa,
                           "automountToken": irsa},
        "nodeSelector": {str(k): str(v) for k, v in _mapping(comp.props.get("labels")).items()},
        "tolerations": _tolerations(comp),
        "resources": _resources(spec, accelerated),
        "containerPort": int(port) if port else None,
        "service": {"enabled": bool(port), "type": "ClusterIP", "port": int(port or 0)},
        "targetGroupBinding": {"enabled": target is not None, "targetGroupArn": ""},
        "metrics": {"path": str(spec.get("metrics_path") or METRICS_PATH),
                    "interval": METRICS_INTERVAL},
        "networkPolicy": {"enabled": True, "loadBalancerCidrs": [], "ingressFrom": [
            {"podSelector": {}},
            {"namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: MONITORING_NAMESPACE}}}]},
        "podSecurityContext": {"runAsNonRoot": True, "runAsUser": RUN_AS_USER,
                               "runAsGroup": RUN_AS_USER, "fsGroup": RUN_AS_USER,
                               "seccompProfile": {"type": "RuntimeDefault"}},
    }
    return {
        "name": _dns_name(workload), "component": comp.id, "node_group": node_group_name(comp),
        "title": view.title(comp), "header": header, "version": CHART_VERSION,
        "irsa_output_key": who["ref"] if irsa and who is not None else "",
        "target_group_output_key": view.ids[comp.id] if target else "",
        "target": (f"{target.flow.initiator} -> {target.flow.target} {target.flow.port_text()}"
                   if target else ""),
        "accelerated": accelerated, "base": values,
        "defaults": {"replicaCount": DEFAULT_REPLICAS, "autoscaling": {
            "enabled": True, "minReplicas": DEFAULT_REPLICAS, "maxReplicas": DEFAULT_REPLICAS,
            "targetCPUUtilizationPercentage": HPA_CPU_UTILIZATION}},
        "environments": [_env_values(view, comp, env, target)
                         for env in view.arch.environments],
    }


def _lb_cidrs(view: Derivation, env: Environment, target: PodTarget | None) -> list[str]:
    """The CIDRs of the load balancer's subnet zone in one environment (its nodes' addresses)."""
    lb = view.arch.component(target.load_balancer) if target else None
    zone = view.arch.subnet_of(lb) if lb else None
    return sorted(b.cidr for b in env.subnets_of(zone.id)) if zone else []


def _env_values(view: Derivation, comp: Component, env: Environment,
                target: PodTarget | None) -> EnvValues:
    props = env.props(comp.id) or comp.props
    spec = _mapping(props.get("workload"))
    scaling = _mapping(props.get("scaling"))
    group_max = int(scaling.get("max", DEFAULT_REPLICAS))
    replicas = max(1, min(int(spec.get("replicas") or DEFAULT_REPLICAS), max(1, group_max)))
    maximum = int(spec.get("max_replicas") or max(replicas, group_max))
    return {"name": env.name, "node_group_max": group_max,
            "load_balancer_cidrs": _lb_cidrs(view, env, target), "overrides": {
        "replicaCount": replicas,
        "autoscaling": {"enabled": True, "minReplicas": replicas,
                        "maxReplicas": max(replicas, maximum),
                        "targetCPUUtilizationPercentage": HPA_CPU_UTILIZATION},
    }}


def _image(image: object) -> Image:
    """``repo[:tag]`` or ``repo@digest`` -> {repository, tag, digest}; empty when not given."""
    text = str(image or "")
    repository, tag, digest = text, "", ""
    if "@" in text:
        repository, digest = text.split("@", 1)
    elif ":" in text.rsplit("/", 1)[-1]:
        repository, tag = text.rsplit(":", 1)
    return {"repository": repository, "tag": tag, "digest": digest, "pullPolicy": "Always"}


def _tolerations(comp: Component) -> list[Toleration]:
    out: list[Toleration] = []
    for taint in comp.props.get("taints") or ():
        effect = str(taint.get("effect", "NO_SCHEDULE"))
        item: Toleration = {"key": str(taint["key"]), "effect": EFFECTS.get(effect, effect),
                            "operator": "Exists"}
        if taint.get("value") is not None and str(taint.get("value")) != "":
            item |= {"operator": "Equal", "value": str(taint["value"])}
        out.append(item)
    return sorted(out, key=lambda t: (t["key"], t.get("value", ""), t["effect"]))


def _resources(spec: Overlay, accelerated: bool) -> Resources:
    table = RESOURCES["accelerated" if accelerated else "standard"]
    requests: dict[str, str | int] = dict(table["requests"])
    limits: dict[str, str | int] = dict(table["limits"])
    for what in ("cpu", "memory"):
        if spec.get(what):
            requests[what] = limits[what] = str(spec[what])
    gpus = spec.get("gpus", DEFAULT_GPUS if accelerated else 0)
    if gpus:
        requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = int(gpus)
    return {"limits": limits, "requests": requests}


def _mapping(value: object) -> Overlay:
    return thaw(value) if isinstance(value, Mapping) else {}


def _dns_name(text: str) -> str:
    """A chart/directory name Helm accepts (DNS-1123 label, at most 53 characters)."""
    name = text if DNS_LABEL.match(text) else kebab(text)
    return name[:53].rstrip("-") or "workload"
