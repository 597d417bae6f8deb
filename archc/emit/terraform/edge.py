"""Edge: the Route53 zones and their records, ACM certificates, CloudFront and its WAF.

Records come from the diagram: dns_zone -> external frontend/service = CNAME to its `target`;
a CDN's `aliases` = A/AAAA aliases to its distribution; a load balancer behind a CDN gets an
`origin-<name>` A alias (CloudFront reaches it over HTTPS by that name, with a certificate for
it); other load balancers get their `aliases`. The first zone is the project domain, each other
one the `domain` of its overlay entry; a zone is its domain in production and `<env>.<domain>`
elsewhere, so every record name is relative, and a host name's record goes to the zone whose
domain it ends with (the longest). Each CDN is its own distribution with its own origin (a
load balancer no other CDN fronts) and viewer certificate; one web ACL serves the CDNs a WAF is
drawn in front of. The first zone and CDN keep the single-instance names (`module.dns`,
`module.cdn`, certificate `edge`); the others are named after their component ids.

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
    zones: list[ct.Dns] = field(default_factory=list)
    certificates: list[ct.Certificate] = field(default_factory=list)
    cdns: list[ct.Cdn] = field(default_factory=list)
    waf: ct.Waf | None = None


@dataclass
class _Zone:
    """One emitted hosted zone: the first keeps the single-zone names (`module.dns`, record ids
    without a prefix), each other one is named after its component id."""

    comp: Component
    ident: str
    domain: str
    first: bool
    records: dict[str, ct.Record] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return "dns" if self.first else f"dns_{self.ident}"


@dataclass
class _Records:
    v: Derivation
    zones: list[_Zone]

    def relative(self, host: str, span: Span | None) -> tuple[_Zone, str] | None:
        """The zone a host name lives in (the longest domain it ends with) and its name there."""
        under = [z for z in self.zones if host.endswith("." + z.domain)]
        if under:
            zone = max(under, key=lambda z: len(z.domain))
            return zone, host[: -len(zone.domain) - 1]
        domain = self.v.arch.domain
        if len(self.zones) == 1:
            self.v.warning("ARC513", f"{host} is not a subdomain of the project domain "
                                     f"{domain or '(none)'}: no DNS record is written for it",
                           span, hint="use a name under `domain`, e.g. api." + (domain or
                                                                               "example.com"))
        else:
            names = ", ".join(z.domain for z in self.zones)
            self.v.warning("ARC513", f"{host} is under none of the DNS zones' domains ({names}): "
                                     "no DNS record is written for it", span,
                           hint=f"use a name under one of them, e.g. api.{self.zones[0].domain}")
        return None

    def add(self, zone: _Zone, name: str, rtype: str, comment: str, alias: ct.Alias | None = None,
            target: str | None = None, suffix: str = "") -> str:
        ident = ("" if zone.first else zone.ident + "_") + tf_id(name) + suffix
        zone.records.setdefault(ident, {
            "id": ident, "name": name, "type": rtype, "alias": alias,
            "ttl": None if alias else CNAME_TTL, "records": [] if alias else [cast(str, target)],
            "comment": comment})
        return ident

    def find(self, ident: str) -> tuple[_Zone, ct.Record]:
        return next((z, z.records[ident]) for z in self.zones if ident in z.records)


@dataclass
class _Cdn:
    """A CDN with an origin, and the names of its Terraform resources (the first keeps the
    single-CDN names: `module.cdn`, certificate `edge`, `var.cdn_origin_domain_name`)."""

    comp: Component
    ident: str
    origin: tuple[Component, list[Flow]]
    first: bool
    records: list[str] = field(default_factory=list)

    @property
    def module(self) -> str:
        return "cdn" if self.first else f"cdn_{self.ident}"

    @property
    def certificate(self) -> str:
        return EDGE_CERTIFICATE if self.first else f"{EDGE_CERTIFICATE}_{self.ident}"

    @property
    def domain_input(self) -> str:
        return "cdn_origin_domain_name" if self.first else f"cdn_{self.ident}_origin_domain_name"


def edge(v: Derivation) -> Edge:
    recs = _Records(v, _zones(v))
    zoned = bool(recs.zones)
    cdns = _cdns(v)
    out = Edge()
    if zoned:
        for c in cdns:
            c.records = _cdn_records(v, recs, c, _hosts(
                v, c.comp, "CDN", f"set aliases: [api.{v.arch.domain}] on {c.comp.id}"))
    lb_ids = _lb_records(v, recs if zoned else None, cdns)
    if zoned:
        _frontend_records(v, recs)
        out.zones = [_zone(v, z) for z in recs.zones]
    out.certificates = _certificates(v, cdns, lb_ids, zoned)
    fronted = [c.comp for c in cdns if _waf_on(v, c.comp)]
    out.cdns = [_cdn(v, c, lb_ids, out.certificates, c.comp in fronted) for c in cdns]
    out.waf = _waf(v, fronted) if fronted else None
    return out


def _zone(v: Derivation, z: _Zone) -> ct.Dns:
    """A zone with the HCL expressions of its per-environment inputs and its delegation's
    names: the first zone's own variables, `var.dns_zones["<id>"]` for the others."""
    key = "var.dns" if z.first else f'var.dns_zones["{z.ident}"].'
    sep = "_" if z.first else ""
    return {"id": z.ident, "component": z.comp.id, "module": z.module,
            "zone_name": f"{key}{sep}zone_name", "create_zone": f"{key}{sep}create_zone",
            "domain": f"{key}{sep}domain",
            "delegation": "dns_delegation" if z.first else f"dns_{z.ident}_delegation",
            "domain_data": "domain" if z.first else f"domain_{z.ident}",
            "delegation_ttl": DELEGATION_TTL,
            "zone_comment": f"{v.title(z.comp)} of {v.project_title}, managed by archc",
            "records": [z.records[k] for k in sorted(z.records)]}


def _zones(v: Derivation) -> list[_Zone]:
    """Every DNS zone with a domain: the first serves the project domain, each other one the
    `domain` its overlay entry sets (ARC513 without one, or when two zones share it)."""
    found = v.of(Kind.DNS_ZONE)
    if not found:
        return []
    if not v.arch.domain:
        v.error("ARC513", f"{found[0].id} is a DNS zone but the overlay sets no `domain`, so its "
                          "records have no names", found[0].span,
                hint="set domain: example.com at the top of the overlay")
        return []
    zones = [_Zone(found[0], v.ids[found[0].id], v.arch.domain, True)]
    for comp in found[1:]:
        domain = str(comp.props.get("domain") or "")
        taken = next((z for z in zones if z.domain == domain), None)
        if not domain or taken is not None:
            why = (f"serves {domain} like {taken.comp.id}" if taken is not None
                   else "sets no `domain`")
            v.warning("ARC513", f"{comp.id} is a second DNS zone but {why}, so it is not "
                                "emitted", comp.span,
                      hint=f"set `components: {{{comp.id}: {{domain: shop.example.org}}}}` in "
                           "the overlay (a domain no other zone serves)")
            continue
        zones.append(_Zone(comp, v.ids[comp.id], domain, False))
    return zones


def _cdns(v: Derivation) -> list[_Cdn]:
    """Every CDN with an origin of its own: the first load balancer it reaches that no CDN
    before it fronts (ARC523 when it reaches none, or only those)."""
    out: list[_Cdn] = []
    for comp in v.of(Kind.CDN):
        origins = _cdn_origins(v, comp)
        if not origins:
            v.warning("ARC523", f"CDN {comp.id} reaches no internet-facing application load "
                                "balancer, so it has no origin and is not emitted", comp.span,
                      hint=f"draw {comp.id} --> <internet gateway> --> <load balancer>")
            continue
        taken = {c.origin[0].id: c for c in out}
        origin = next((o for o in origins if o[0].id not in taken), None)
        if origin is None:
            other = taken[origins[0][0].id]
            v.warning("ARC523", f"CDN {comp.id} reaches load balancer {origins[0][0].id}, "
                                f"already the origin of CDN {other.comp.id}, so it is not "
                                "emitted", comp.span,
                      hint=f"draw {comp.id} to a load balancer of its own")
            continue
        out.append(_Cdn(comp, v.ids[comp.id], origin, not out))
    return out


def _waf_on(v: Derivation, cdn: Component) -> bool:
    """A WAF drawn in front of some CDN protects those (and any CDN whose overlay sets `waf:
    true`); otherwise every CDN has one unless its overlay sets `waf: false` and the diagram
    draws no WAF."""
    wafs = {c.id for c in v.of(Kind.WAF)}
    fronted = {f.target if f.initiator in wafs else f.initiator for f in v.arch.flows
               if (f.initiator in wafs) != (f.target in wafs)
               and v.kind(f.target if f.initiator in wafs else f.initiator) == Kind.CDN}
    if fronted:
        return cdn.id in fronted or bool(cdn.props.get("waf", False))
    return bool(cdn.props.get("waf", True)) or bool(wafs)


# --------------------------------------------------------------------------- records
def _cdn_origins(v: Derivation, cdn: Component) -> list[tuple[Component, list[Flow]]]:
    """The internet-facing application load balancers the CDN reaches (directly or through an
    internet gateway), in flow order: its origin's listener checks the origin secret."""
    def origin(ident: str) -> bool:
        comp = v.arch.component(ident)
        return comp is not None and comp.kind == Kind.LOAD_BALANCER and not lb_internal(
            v.arch, comp) and load_balancer_type(comp.props, comp.label, comp.id) == APPLICATION

    found: dict[str, tuple[Component, list[Flow]]] = {}
    for flow in v.flows(FlowClass.INGRESS):
        if flow.initiator != cdn.id:
            continue
        if origin(flow.target):
            found.setdefault(flow.target, (v.comp(flow.target), [flow]))
        for hop in v.flows(FlowClass.INGRESS):
            if hop.initiator == flow.target and origin(hop.target):
                found.setdefault(hop.target, (v.comp(hop.target), [flow, hop]))
    return list(found.values())


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


def _cdn_records(v: Derivation, recs: _Records, c: _Cdn, hosts: list[str]) -> list[str]:
    cdn = c.comp
    dns_flows = [f for f in v.flows(FlowClass.DNS) if f.target == cdn.id]
    spans = [f.span for f in dns_flows] or overlay_spans(cdn.decisions, "aliases")
    label = next((f"{f.initiator} to {cdn.id} {f.label}".rstrip() for f in dns_flows),
                 f"{cdn.id} alias")
    ids = []
    for host in hosts:
        placed = recs.relative(host, cdn.span)
        if placed is None:
            continue
        zone, name = placed
        alias: ct.Alias = {"kind": "cdn", "ref": c.module}
        ids.append(recs.add(zone, name, "A", f"{label} {lines(*spans)}", alias))
        recs.add(zone, name, "AAAA", f"{label}, IPv6 {lines(*spans)}", alias, suffix="_ipv6")
    return ids


def _lb_records(v: Derivation, recs: _Records | None,
                cdns: list[_Cdn]) -> dict[str, list[str]]:
    """Load balancer tf id -> its record ids (empty without a zone)."""
    out: dict[str, list[str]] = {}
    for lb in v.of(Kind.LOAD_BALANCER):
        ident = v.ids[lb.id]
        out[ident] = []
        if recs is None:
            continue
        alias: ct.Alias = {"kind": "load_balancer", "ref": ident}
        fronting = next((c for c in cdns if c.origin[0].id == lb.id and c.records), None)
        if fronting is not None:
            zone, record = recs.find(fronting.records[0])
            spans = [f.span for f in fronting.origin[1]]
            comment = f"CloudFront origin hostname for the {lb.id} {lines(*spans)}"
            out[ident].append(recs.add(zone, "origin-" + record["name"], "A", comment, alias))
            continue
        for host in _hosts(v, lb, "load balancer"):
            placed = recs.relative(host, lb.span)
            if placed is not None:
                out[ident].append(recs.add(*placed, "A", f"{lb.id} alias {lines(lb.span)}",
                                           alias))
    return out


def _frontend_records(v: Derivation, recs: _Records) -> None:
    """CNAMEs for DNS flows from a zone to components hosted elsewhere (domain -> target)."""
    zone_ids = {z.comp.id for z in recs.zones}
    for flow in v.flows(FlowClass.DNS):
        target = v.arch.component(flow.target)
        if flow.initiator not in zone_ids or target is None or target.kind not in (
                Kind.EXTERNAL_FRONTEND, Kind.EXTERNAL_SERVICE):
            continue
        host, points_to = target.props.get("domain"), target.props.get("target")
        if not host or not points_to:
            v.warning("ARC513", f"{flow.ref}: {target.id} needs `domain` and `target` for its "
                                "CNAME record; none is written", flow.span,
                      hint=f"add `components: {{{target.id}: {{domain: www.example.com, "
                           "target: cname.vercel-dns.com}}}}` to the overlay")
            continue
        placed = recs.relative(str(host), flow.span)
        if placed is not None:
            recs.add(*placed, "CNAME", f"{flow.initiator} to {target.id} {flow.label} "
                                       f"{lines(flow.span)}", target=str(points_to))


# --------------------------------------------------------------------------- certificates
def _certificates(v: Derivation, cdns: list[_Cdn], lb_ids: dict[str, list[str]],
                  zoned: bool) -> list[ct.Certificate]:
    certs = []
    for c in cdns:
        if c.records:
            certs.append(_certificate(c.certificate, "edge", c.records, zoned,
                                      "CloudFront viewer certificate (us-east-1)" if c.first
                                      else f"{v.title(c.comp)} CloudFront viewer certificate "
                                           "(us-east-1)"))
    for lb in v.of(Kind.LOAD_BALANCER):
        ident = v.ids[lb.id]
        certs.append(_certificate(ident, "primary", lb_ids.get(ident, []), zoned,
                                  f"{v.title(lb)} certificate"))
    if certs and not zoned:
        needs = f"certificate_arns (ACM ARNs for {', '.join(c['id'] for c in certs)})"
        if len(cdns) > 1:
            needs += (f" and {', '.join(c.domain_input for c in cdns)}; the CDNs serve their "
                      "default certificates")
        elif v.of(Kind.CDN):
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
def _cdn(v: Derivation, c: _Cdn, lb_ids: dict[str, list[str]], certs: list[ct.Certificate],
         waf_on: bool) -> ct.Cdn:
    comp, lb = c.comp, c.origin[0]
    lb_id = v.ids[lb.id]
    cert = next((x["id"] for x in certs if x["id"] == c.certificate), None)
    from archc.emit.terraform.data import retention_skips
    return {
        "id": c.ident, "component": comp.id, "module": c.module,
        "access_log_group": {"name_suffix": kebab(c.ident), "kms_key": "edge",
                             "checkov_skips": retention_skips(v)},
        "comment": f"{v.project_title} via {v.title(comp)}", "aliases": c.records,
        "origin": {"id": lb_id, "record": next(iter(lb_ids.get(lb_id) or ()), None),
                   "domain_input": c.domain_input,
                   "https_port": int(lb.props.get("listener_port", 443)), **ORIGIN_SETTINGS,
                   "verify": {"header": ORIGIN_VERIFY_HEADER, "length": ORIGIN_VERIFY_LENGTH,
                              "secret": f"{c.ident}_origin_verify"}},
        "certificate": cert, **CDN_SETTINGS, "waf": "edge" if waf_on else None,
    }


def _waf(v: Derivation, cdns: list[Component]) -> ct.Waf:
    """One CLOUDFRONT web ACL, associated with every CDN it is in front of."""
    from archc.emit.terraform.data import retention_skips
    groups: list[ct.ManagedRuleGroup] = [
        {"name": name, "vendor": "AWS", "priority": 10 * (i + 1), "metric": metric}
              for i, (name, metric) in enumerate(WAF_RULE_GROUPS)]
    titles = " and ".join(v.title(c) for c in cdns)
    return {
        "id": "edge", "name_suffix": "edge",
        "label": waf_text(f"{titles} web ACL, AWS managed rules and per-IP rate limit"),
        "managed_rule_groups": groups,
        "rate_limit_rule": {"priority": 10 * (len(groups) + 1), "metric": "rate-limit"},
        "redacted_headers": list(WAF_REDACTED_HEADERS),
        "log_group": {"name_suffix": "edge", "kms_key": "edge",
                      "checkov_skips": retention_skips(v)},
    }


# --------------------------------------------------------------------------- inputs
def zone_name(v: Derivation, env: Environment, domain: str | None = None) -> str:
    """The apex zone is the project domain (or a second zone's own domain) itself; a subzone
    is `<env>.<domain>`."""
    domain = domain or v.arch.domain
    return f"{env.name}.{domain}" if zone_mode(env) == "subzone" else domain


def zone_inputs(v: Derivation, env: Environment,
                zones: list[ct.Dns]) -> dict[str, ct.DnsZoneInputs]:
    """`dns_zones`: each DNS zone but the first, by id (the first has its own variables)."""
    out: dict[str, ct.DnsZoneInputs] = {}
    for z in zones[1:]:
        domain = str(v.comp(z["component"]).props["domain"])
        out[z["id"]] = {"domain": domain, "create_zone": zone_mode(env) == "subzone",
                        "zone_name": zone_name(v, env, domain)}
    return out


def price_class(env: Environment) -> str:
    return PRICE_CLASS["production" if env.name in PRODUCTION_ENVS else "other"]
