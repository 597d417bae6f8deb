"""Edge and identity: ACM certificates as components, several load balancers, DNS zones and CDNs.

One `KindSpec` per kind, in the order label inference tries them (first match wins).

The seed's `load_balancer` kind (seed.py declares its `scheme` and `type` keys) is read
here: a load balancer drawn in a public subnet faces the internet, one drawn in a private
subnet is internal (the overlay's `scheme` says otherwise); `type: network` or a label naming
an NLB is a Network Load Balancer (TCP/TLS), else an Application Load Balancer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from archc.catalog.spec import Built, KindSpec, KindView, Risk, Scope, Terraform

INTERNAL = "internal"
INTERNET_FACING = "internet-facing"
APPLICATION = "application"
NETWORK = "network"

_NLB = re.compile(r"\bnlb\b|network load ?balancer")

def load_balancer_scheme(props: Mapping[str, Any], public_subnet: bool) -> str:
    """internal or internet-facing: the overlay's `scheme`, else where it is drawn."""
    scheme = props.get("scheme")
    if scheme in (INTERNAL, INTERNET_FACING):
        return str(scheme)
    return INTERNET_FACING if public_subnet else INTERNAL


def load_balancer_type(props: Mapping[str, Any], label: str, component: str) -> str:
    """application or network: the overlay's `type`, else the label ("NLB", "Network Load
    Balancer")."""
    kind = props.get("type")
    if kind in (APPLICATION, NETWORK):
        return str(kind)
    return NETWORK if _NLB.search(f"{label} {component}".lower()) else APPLICATION


# --------------------------------------------------------------------------- ACM certificate
# A DNS name a certificate may cover: lower-case labels, a wildcard only as the first one.
DNS_NAME = r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
# The same inside a label ("ACM certificate *.shop.example.com"): its name when the overlay
# names none.
_LABEL_NAME = re.compile(r"(?<![\w.*-])(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+"
                         r"[a-z][a-z0-9-]{0,61}[a-z0-9](?![\w.-])")
# What serves it takes its ARN from the `<id>_certificate_arn` output: an API Gateway's overlay
# `certificate_arn` (after the first apply). Draw no arrow from the API to it: a flow to it has
# no port (ARC302). A certificate drawn next to a load balancer or CloudFront is theirs, which
# archc issues itself (archc/kinds.py DERIVED_FOR): no component of this kind.


def _certificate(view: KindView) -> Built:
    """The certificate's names per environment; its validation in the Route53 zone when an
    arrow joins them (`Cert --> DNS`: the platform's `module.dns`, which a dns_zone component
    makes, in the zone of each environment: its names must lie in that zone)."""
    found = _LABEL_NAME.search(view.title.lower())
    named = view.props.get("domain_name") or (found.group(0) if found else None)
    names = {env: (props.get("domain_name") or named,
                   sorted(str(n) for n in props.get("subject_alternative_names", ())))
             for env, props in view.env_props.items()}
    settings = {env: {"domain_name": domain, "subject_alternative_names": others}
                for env, (domain, others) in names.items()}
    unnamed = sorted(env for env, (domain, _) in names.items() if not domain)
    peers = (*view.inbound, *view.outbound)
    zone = any(p.kind == "dns_zone" for p in peers)
    warnings: list[tuple[str, str, str]] = []
    notes: list[tuple[str, str, str]] = []
    if unnamed:
        warnings.append(("ARC566", f"ACM certificate {view.component} names no domain in "
                         f"{', '.join(unnamed)}: ACM cannot issue it (the plan stops there)",
                         f"name it: `{view.component}: {{domain_name: \"*.example.com\"}}`, or "
                         "write the name in its label"))
    bad = sorted({str(n) for domain, others in names.values() for n in (domain, *others)
                  if n and not re.fullmatch(DNS_NAME, str(n))})
    if bad:  # the overlay's schema checks them only when it names the kind (another kind's
        # `domain_name`, an API's, takes other names)
        warnings.append(("ARC566", f"ACM certificate {view.component} names what is no DNS "
                         f"name ACM issues for: {', '.join(bad)}",
                         "lower-case labels, a wildcard only as the first: *.shop.example.com"))
    if not zone:
        notes.append(("ARC567", f"ACM certificate {view.component} is drawn with no DNS zone: "
                      "it stays pending until the records of its "
                      f"{view.id}_certificate_validation_records output exist where its "
                      "domain is served", f"draw the Route53 zone beside it "
                      f"(`{view.component} --> DNS`) to validate it there"))
    return Built(item={"id": view.id, "component": view.component, "title": view.title,
                       "zone": zone, "unnamed": bool(unnamed)},
                 settings=settings, warnings=tuple(warnings), notes=tuple(notes))


# The diagnostic codes its kinds report (ARC565-ARC569).
CODES: dict[str, str] = {
    "ARC565": "a load balancer is misconfigured for its scheme or type (internet traffic to an "
              "internal one, an internet-facing one in a private subnet, an NLB forwarding to "
              "nothing)",
    "ARC566": "an ACM certificate names no domain (neither its overlay nor its label), or a "
              "name that is no DNS name",
    "ARC567": "an ACM certificate is drawn with no DNS zone: its validation records are left "
              "to the operator",
}

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "acm_certificate", "ACM certificate", Scope.GLOBAL, 10,
        recognise=(r"\bacm\b|certificate manager|\b(tls|ssl) certs?\b|\bcertificates?\b"),
        icons=("aws:certificate-manager", "aws:acm", "aws:certificate-manager-acm"),
        diagram_icon=("diagrams.aws.security", "CertificateManager"), mermaid_class="security",
        risks=(Risk("domain_name", "medium", "ACM issues a new certificate and destroys this "
                    "one (the new one first): what serves it must take the new ARN, and "
                    "validation records change"),
               Risk("removed", "medium", "what serves it (load balancer listeners, API "
                                         "domains) loses its certificate")),
        properties=MappingProxyType({
            "domain_name": {"type": "string", "pattern": DNS_NAME,
                            "description": "The name it covers (`*.shop.example.com`: a "
                                           "wildcard only as the first label); default: the "
                                           "name its label writes."},
            "subject_alternative_names": {
                "type": "array", "uniqueItems": True,
                "items": {"type": "string", "pattern": DNS_NAME},
                "description": "The other names it covers (`shop.example.com` beside "
                               "`*.shop.example.com`)."},
        }),
        per_environment=("domain_name", "subject_alternative_names"),
        terraform=Terraform("acm_certificate.tf", _certificate, outputs=MappingProxyType({
            "certificate_arn": ("aws_acm_certificate.acm_{id}.arn",
                                "certificate ARN (an API Gateway's certificate_arn)"),
            "certificate_validation_records": (
                "aws_acm_certificate.acm_{id}.domain_validation_options",
                "the DNS records that validate it")})),
    ),
)
