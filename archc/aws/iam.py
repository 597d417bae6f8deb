"""IAM grants: which role a component's AWS calls use (an instance role, an IRSA role for a
node group's workload), read by the Terraform IAM policies and the Helm service accounts.
"""

from __future__ import annotations

from typing import TypedDict

from archc.aws.derivation import Derivation
from archc.aws.names import node_group_name, tf_id
from archc.kinds import IAM_TARGET_KINDS, KINDS, NETWORK_IAM_KINDS, Kind
from archc.model import Component, FlowClass


class Principal(TypedDict):
    """The role a component's AWS calls use: `instance_role` or `irsa_role` and its id, or
    `kind_role` and the HCL expression of the role name its catalog kind creates."""

    kind: str
    ref: str


INSTANCE_ROLE_KINDS = (Kind.BASTION, Kind.CI_SERVER, Kind.SCM_SERVER, Kind.INSTANCE,
                       Kind.BACKEND_SERVICE)


# --------------------------------------------------------------------------- principals
def principal(v: Derivation, comp: Component | None) -> Principal | None:
    """The role a component's AWS calls use, or None when it has none."""
    if comp is None:
        return None
    if comp.kind in INSTANCE_ROLE_KINDS:
        return {"kind": "instance_role", "ref": v.ids[comp.id]}
    role = KINDS[comp.kind].role
    if role is not None:
        return {"kind": "kind_role", "ref": role.format(id=v.ids[comp.id])}
    if comp.kind == Kind.EKS_NODE_GROUP and v.of(Kind.EKS_CONTROL_PLANE) and (
            any(_calls(v, comp, FlowClass.IAM, target) for target in IAM_TARGET_KINDS)
            or any(_calls(v, comp, FlowClass.NETWORK, target) for target in NETWORK_IAM_KINDS)
            or (comp.props.get("workload") and _calls(v, comp, FlowClass.NETWORK, Kind.DATABASE))):
        return {"kind": "irsa_role", "ref": tf_id(workload(comp)[0])}
    return None


def _calls(v: Derivation, comp: Component, flow_class: FlowClass, target: str) -> bool:
    return any(f.initiator == comp.id and v.kind(f.target) == target
               for f in v.flows(flow_class))


def workload(comp: Component) -> tuple[str, str, str]:
    """(name, namespace, service account) of the node group's workload."""
    spec = comp.props.get("workload") or {}
    name = str(spec.get("name") or node_group_name(comp))
    return (name, str(spec.get("namespace") or "default"),
            str(spec.get("service_account") or name))
