"""Edge: the Route53 zone and its records, ACM certificates, CloudFront and its WAF.

Records come from the diagram: dns_zone -> external frontend/service = CNAME to its `target`;
the CDN's `aliases` = A/AAAA aliases to the distribution; a load balancer behind the CDN gets
an `origin-<name>` A alias (CloudFront reaches it over HTTPS by that name, with a certificate
for it); other load balancers get their `aliases`. The zone is the project domain in
production and `<env>.<domain>` elsewhere, so every record name is relative.

Without a DNS zone nothing can be validated: the load balancers' certificates and the CDN
origin's host name become operator inputs (ARC514) and the CDN serves its default certificate
(its aliases need the zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from archc.aws.compute import lb_internal
from archc.aws.derivation import PRODUCTION_ENVS, Derivation, zone_mode
from archc.aws.names import kebab, lines, overlay_spans, tf_id, waf_text
from archc.catalog.edge import APPLICATION, load_balancer_type
from archc.emit.terraform import context_types as ct
from archc.kinds import Kind
from archc.model import Component, Environment, Flow, FlowClass
from archc.source import Span

CNAME_TTL = 300  # five minutes: a third-party target can move without a long wait
DELEGATION_TTL = 300  # a subzone created again gets new name servers: resolvers follow soon
# CloudFront: a dynamic API origin (no caching, all viewer headers but Host, security headers),
# TLS 1.2+ to viewers (TLSv1.2_2025, the cloudfront module's default: TLS 1.3 and the strongest
# TLS 1.2 ciphers) and to the origin, HTTP/2 and HTTP/3; AWS managed policies looked up by name.
CDN_SETTINGS: ct.CdnSettings = {
    "minimum_protocol_version": "TLSv1.2_2025", "http_version": "http2and3",
    "viewer_protocol_policy": "redirect-to-https",
    "allowed_methods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
    "cached_methods": ["GET", "HEAD"], "cache_policy": "Managed-CachingDisabled",
    "origin_request_policy": "Managed-AllViewerExceptHostHeader",
    "response_headers_policy": "Managed-SecurityHeadersPolicy",
}
# The header CloudFront adds to every origin request with a random secret; the load balancer
# forwards only requests carrying it (anyone can create a distribution in CloudFront's prefix list).
ORIGIN_VERIFY_HEADER = "X-Origin-Verify"
ORIGIN_VERIFY_LENGTH = 48
ORIGIN_SETTINGS: ct.OriginSettings = {"http_port": 80, "origin_ssl_protocols": ["TLSv1.2"],
                                      "origin_read_timeout": 60}
# WAF: AWS's baseline managed rule groups, then a per-IP rate limit; credentials never logged.
WAF_RULE_GROUPS = [("AWSManagedRulesCommonRuleSet", "common"),
                   ("AWSManagedRulesKnownBadInputsRuleSet", "known-bad-inputs"),
                   ("AWSManagedRulesAmazonIpReputationList", "ip-reputation")]
WAF_REDACTED_HEADERS = ["authorization", "cookie"]
WAF_RATE_LIMIT = 2000  # requests per IP per 5 minutes before blocking (AWS's example value)
# Viewer price class: every edge location in production, the cheapest set elsewhere.
PRICE_CLASS = {"production": "PriceClass_All", "other": "PriceClass_100"}
EDGE_CERTIFICATE = "edge"


@dataclass
class Edge:
    dns: ct.Dns | None = None
    certificates: list[ct.Certificate] = field(default_factory=list)
    cdn: ct.Cdn | None = None
    waf: ct.Waf | None = None


@dataclass
class _Records:
    v: Derivation
    domain: str
    records: dict[str, ct.Record] = field(default_factory=dict)

    def relative(self, host: str, span: Span | None) -> str | None:
        if host.endswith("." + self.domain):
            return host[: -len(self.domain) - 1]
        self.v.warning("ARC513", f"{host} is not a subdomain of the project domain "
                                 f"{self.domain or '(none)'}: no DNS record is written for it",
                       span, hint="use a name under `domain`, e.g. api." + (self.domain or
                                                                           "example.com"))
        return None

    def add(self, name: str, rtype: str, comment: str, alias: ct.Alias | None = None,
            target: str | None = None, suffix: str = "") -> str:
        ident = tf_id(name) + suffix
        self.records.setdefault(ident, {
            "id": ident, "name": name, "type": rtype, "alias": alias,
            "ttl": None if alias else CNAME_TTL, "records": [] if alias else [cast(str, target)],
            "comment": comment})
        return ident


def edge(v: Derivation) -> Edge:
    zone = v.first(Kind.DNS_ZONE, "DNS zone")
    if zone is not None and not v.arch.domain:
        v.error("ARC513", f"{zone.id} is a DNS zone but the overlay sets no `domain`, so its "
                          "records have no names", zone.span,
                hint="set domain: example.com at the top of the overlay")
        zone = None
    cdn_comp = v.first(Kind.CDN, "CDN")
    origin = _cdn_origin(v, cdn_comp) if cdn_comp else None
    recs = _Records(v, v.arch.domain) if zone else None
    out = Edge()
    cdn_ids = (_cdn_records(v, recs, cdn_comp, _hosts(
        v, cdn_comp, "CDN", f"set aliases: [api.{v.arch.domain}] on {cdn_comp.id}"))
               if cdn_comp and origin and recs else [])
    lb_ids = _lb_records(v, recs, origin, cdn_ids)
    if zone and recs is not None:
        _frontend_records(v, recs, zone)
        out.dns = {"component": zone.id, "delegation_ttl": DELEGATION_TTL,
                   "zone_comment": f"{v.title(zone)} of {v.project_title}, managed by archc",
                   "records": [recs.records[k] for k in sorted(recs.records)]}
    out.certificates = _certificates(v, cdn_ids, lb_ids, zone is not None)
    if cdn_comp and origin:
        out.cdn, out.waf = _cdn(v, cdn_comp, origin, cdn_ids, lb_ids, out.certificates)
    return out


# --------------------------------------------------------------------------- records
def _cdn_origin(v: Derivation, cdn: Component) -> tuple[Component, list[Flow]] | None:
    """The internet-facing application load balancer the CDN reaches (directly or through an
    internet gateway): its listener checks the origin secret."""
    def origin(ident: str) -> bool:
        comp = v.arch.component(ident)
        return comp is not None and comp.kind == Kind.LOAD_BALANCER and not lb_internal(
            v.arch, comp) and load_balancer_type(comp.props, comp.label, comp.id) == APPLICATION

    for flow in v.flows(FlowClass.INGRESS):
        if flow.initiator != cdn.id:
            continue
        if origin(flow.target):
            return v.comp(flow.target), [flow]
        for hop in v.flows(FlowClass.INGRESS):
            if hop.initiator == flow.target and origin(hop.target):
                return v.comp(hop.target), [flow, hop]
    v.warning("ARC523", f"CDN {cdn.id} reaches no internet-facing application load balancer, so "
                        "it has no origin and is not emitted", cdn.span,
              hint=f"draw {cdn.id} --> <internet gateway> --> <load balancer>")
    return None


def _hosts(v: Derivation, comp: Component, what: str, hint: str | None = None) -> list[str]:
    """The host names a CDN or load balancer serves: its aliases, else `<id>.<domain>`
    (ARC527)."""
    hosts = [str(h) for h in comp.props.get("aliases") or ()]
    if hosts:
        return hosts
    host = f"{kebab(comp.id)}.{v.arch.domain}"
    v.note("ARC527", f"{what} {comp.id} has no aliases: it is served as {host}", comp.span,
           hint=hint)
    return [host]


def _cdn_records(v: Derivation, recs: _Records, cdn: Component, hosts: list[str]) -> list[str]:
    dns_flows = [f for f in v.flows(FlowClass.DNS) if f.target == cdn.id]
    spans = [f.span for f in dns_flows] or overlay_spans(cdn.decisions, "aliases")
    label = next((f"{f.initiator} to {cdn.id} {f.label}".rstrip() for f in dns_flows),
                 f"{cdn.id} alias")
    ids = []
    for host in hosts:
        name = recs.relative(host, cdn.span)
        if name is None:
            continue
        alias: ct.Alias = {"kind": "cdn"}
        ids.append(recs.add(name, "A", f"{label} {lines(*spans)}", alias))
        recs.add(name, "AAAA", f"{label}, IPv6 {lines(*spans)}", alias, suffix="_ipv6")
    return ids


def _lb_records(v: Derivation, recs: _Records | None, origin: tuple[Component, list[Flow]] | None,
                cdn_ids: list[str]) -> dict[str, list[str]]:
    """Load balancer tf id -> its record ids (empty without a zone)."""
    out: dict[str, list[str]] = {}
    for lb in v.of(Kind.LOAD_BALANCER):
        ident = v.ids[lb.id]
        out[ident] = []
        if recs is None:
            continue
        alias: ct.Alias = {"kind": "load_balancer", "ref": ident}
        if origin and origin[0].id == lb.id and cdn_ids:
            origin_name = "origin-" + recs.records[cdn_ids[0]]["name"]
            spans = [f.span for f in origin[1]]
            comment = f"CloudFront origin hostname for the {lb.id} {lines(*spans)}"
            out[ident].append(recs.add(origin_name, "A", comment, alias))
            continue
        for host in _hosts(v, lb, "load balancer"):
            name = recs.relative(host, lb.span)
            if name is not None:
                out[ident].append(recs.add(name, "A", f"{lb.id} alias {lines(lb.span)}", alias))
    return out


def _frontend_records(v: Derivation, recs: _Records, zone: Component) -> None:
    """CNAMEs for DNS flows from the zone to components hosted elsewhere (domain -> target)."""
    for flow in v.flows(FlowClass.DNS):
        target = v.arch.component(flow.target)
        if flow.initiator != zone.id or target is None or target.kind not in (
                Kind.EXTERNAL_FRONTEND, Kind.EXTERNAL_SERVICE):
            continue
        host, points_to = target.props.get("domain"), target.props.get("target")
        if not host or not points_to:
            v.warning("ARC513", f"{flow.ref}: {target.id} needs `domain` and `target` for its "
                                "CNAME record; none is written", flow.span,
                      hint=f"add `components: {{{target.id}: {{domain: www.example.com, "
                           "target: cname.vercel-dns.com}}}}` to the overlay")
            continue
        name = recs.relative(str(host), flow.span)
        if name is not None:
            recs.add(name, "CNAME", f"{flow.initiator} to {target.id} {flow.label} "
                                    f"{lines(flow.span)}", target=str(points_to))


# --------------------------------------------------------------------------- certificates
def _certificates(v: Derivation, cdn_ids: list[str], lb_ids: dict[str, list[str]],
                  zoned: bool) -> list[ct.Certificate]:
    certs = []
    if cdn_ids:
        certs.append(_certificate(EDGE_CERTIFICATE, "edge", cdn_ids, zoned,
                                  "CloudFront viewer certificate (us-east-1)"))
    for lb in v.of(Kind.LOAD_BALANCER):
        ident = v.ids[lb.id]
        certs.append(_certificate(ident, "primary", lb_ids.get(ident, []), zoned,
                                  f"{v.title(lb)} certificate"))
    if certs and not zoned:
        needs = f"certificate_arns (ACM ARNs for {', '.join(c['id'] for c in certs)})"
        if v.of(Kind.CDN):
            needs += " and cdn_origin_domain_name; the CDN serves its default certificate"
        v.warning("ARC514", "the architecture has no DNS zone, so archc cannot issue TLS "
                            f"certificates: at plan time each environment needs {needs}", None,
                  hint="add a dns_zone component (Route53) and `domain` to the overlay")
    return sorted(certs, key=lambda c: c["id"])


def _certificate(ident: str, provider: str, records: list[str], zoned: bool,
                 label: str) -> ct.Certificate:
    return {"id": ident, "provider": provider, "record": records[0] if zoned else None,
            "alternative_records": records[1:] if zoned else [],
            "source": "acm_dns" if zoned else "input", "label": label}


# --------------------------------------------------------------------------- cdn and waf
def _cdn(v: Derivation, comp: Component, origin: tuple[Component, list[Flow]], cdn_ids: list[str],
         lb_ids: dict[str, list[str]], certs: list[ct.Certificate]
         ) -> tuple[ct.Cdn, ct.Waf | None]:
    lb = origin[0]
    lb_id = v.ids[lb.id]
    waf_on = bool(comp.props.get("waf", True)) or bool(v.of(Kind.WAF))
    cert = next((c["id"] for c in certs if c["id"] == EDGE_CERTIFICATE), None)
    from archc.emit.terraform.data import retention_skips
    cdn: ct.Cdn = {
        "id": v.ids[comp.id], "component": comp.id,
        "access_log_group": {"name_suffix": kebab(v.ids[comp.id]), "kms_key": "edge",
                             "checkov_skips": retention_skips(v)},
        "comment": f"{v.project_title} via {v.title(comp)}", "aliases": cdn_ids,
        "origin": {"id": lb_id, "record": next(iter(lb_ids.get(lb_id) or ()), None),
                   "https_port": int(lb.props.get("listener_port", 443)), **ORIGIN_SETTINGS,
                   "verify": {"header": ORIGIN_VERIFY_HEADER, "length": ORIGIN_VERIFY_LENGTH,
                              "secret": f"{v.ids[comp.id]}_origin_verify"}},
        "certificate": cert, **CDN_SETTINGS, "waf": "edge" if waf_on else None,
    }
    return cdn, (_waf(v, comp) if waf_on else None)


def _waf(v: Derivation, cdn: Component) -> ct.Waf:
    from archc.emit.terraform.data import retention_skips
    groups: list[ct.ManagedRuleGroup] = [
        {"name": name, "vendor": "AWS", "priority": 10 * (i + 1), "metric": metric}
              for i, (name, metric) in enumerate(WAF_RULE_GROUPS)]
    return {
        "id": "edge", "name_suffix": "edge",
        "label": waf_text(f"{v.title(cdn)} web ACL, AWS managed rules and per-IP rate limit"),
        "managed_rule_groups": groups,
        "rate_limit_rule": {"priority": 10 * (len(groups) + 1), "metric": "rate-limit"},
        "redacted_headers": list(WAF_REDACTED_HEADERS),
        "log_group": {"name_suffix": "edge", "kms_key": "edge",
                      "checkov_skips": retention_skips(v)},
    }


# --------------------------------------------------------------------------- inputs
def zone_name(v: Derivation, env: Environment) -> str:
    """The apex zone is the project domain itself; a subzone is `<env>.<domain>`."""
    domain = v.arch.domain
    return f"{env.name}.{domain}" if zone_mode(env) == "subzone" else domain


def price_class(env: Environment) -> str:
    return PRICE_CLASS["production" if env.name in PRODUCTION_ENVS else "other"]
