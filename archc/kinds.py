"""What archc knows about each kind of component and zone: literal tables, read top to bottom.

Everything archc infers when the overlay is silent comes from here, so `archc explain` can
name the rule that decided. Order matters in the label tables: the first match wins.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from archc.catalog import CATALOG, FAMILIES
from archc.catalog.spec import KindSpec
from archc.catalog.spec import Scope as Scope  # re-exported: every layer reads them here
from archc.catalog.spec import Tier as Tier


class Kind(enum.StrEnum):
    """The kinds archc's own code names (the seed's); the catalog (archc/catalog) holds every
    kind, and a component's kind is any catalog name."""

    USERS = "users"
    ADMINS = "admins"  # developers, operators: the admin path, never public ingress
    DNS_ZONE = "dns_zone"
    CDN = "cdn"
    WAF = "waf"
    INTERNET_GATEWAY = "internet_gateway"
    NAT_GATEWAY = "nat_gateway"
    LOAD_BALANCER = "load_balancer"
    BASTION = "bastion"
    BACKEND_SERVICE = "backend_service"
    INSTANCE = "instance"
    CI_SERVER = "ci_server"
    SCM_SERVER = "scm_server"
    EKS_CONTROL_PLANE = "eks_control_plane"
    EKS_NODE_GROUP = "eks_node_group"
    DATABASE = "database"
    OBJECT_STORAGE = "object_storage"
    EXTERNAL_FRONTEND = "external_frontend"
    EXTERNAL_SERVICE = "external_service"


class Role(enum.StrEnum):
    CLOUD = "cloud"
    VPC = "vpc"
    SUBNET = "subnet"
    EKS_CLUSTER = "eks_cluster"
    NODE_GROUPS = "node_groups"
    EXTERNAL = "external"
    AVAILABILITY_ZONE = "availability_zone"  # places nothing: every subnet spans the env's AZs
    GROUP = "group"  # a logical group ("Monitoring", "Data Layer"): places nothing


# Zones that only group what they hold: placement looks through them.
PLACELESS_ROLES: frozenset[Role] = frozenset({Role.GROUP, Role.AVAILABILITY_ZONE})


# What each kind is: its catalog entry (archc/catalog/spec.py).
KINDS: dict[str, KindSpec] = CATALOG

# Kinds whose components run inside the VPC and therefore get a security group.
SECURITY_GROUP_KINDS: frozenset[str] = frozenset(
    name for name, spec in CATALOG.items() if spec.security_group)

# Kinds that stand for the internet side of a flow.
INTERNET_KINDS: frozenset[str] = frozenset(
    name for name, spec in CATALOG.items() if spec.internet)

# Kinds that may receive traffic from the internet when the policy does not list entry points.
DEFAULT_ENTRY_KINDS: frozenset[str] = frozenset(
    name for name, spec in CATALOG.items() if spec.entry)

DATABASE_PORTS: dict[str, int] = {
    "postgres": 5432, "mysql": 3306, "mariadb": 3306,
    "sqlserver-ex": 1433, "sqlserver-web": 1433, "sqlserver-se": 1433, "sqlserver-ee": 1433,
    "oracle-se2": 1521, "oracle-ee": 1521,
}

# A git server that notifies a CI server (webhook, scm_server -> ci_server) is also cloned
# from by it, in the reverse direction: git over HTTPS (tcp/22 stays the bastion's alone).
GIT_CLONE_PORTS: tuple[int, ...] = (443,)

# An AWS region code (`eu-west-1`, `us-gov-west-1`), lower-cased.
REGION_CODE = r"\b(?:us|eu|ap|sa|ca|me|af|il|mx)(?:-gov)?-(?:north|south|east|west|central|" \
              r"northeast|northwest|southeast|southwest)-[1-9]"

# Protocol words in an edge label (lower-cased), the protocol's name and the port it means;
# None: a database protocol, which reaches the target database on its engine's port (5432 when
# the target is not a database). First match wins; a port written in the label wins over all.
LABEL_PROTOCOLS: tuple[tuple[re.Pattern[str], str, int | None], ...] = tuple(
    (re.compile(pattern), name, port) for pattern, name, port in (
        (r"\bhttps\b|\btls\b|\bwss\b", "HTTPS", 443),
        (r"\bgrpcs?\b", "gRPC", 443),
        (r"\bhttp\b|\bws\b", "HTTP", 80),
        (r"\bsftp\b|\bssh\b|\bscp\b", "SSH", 22),
        (r"\bmysql\b|\bmariadb\b", "MySQL", 3306),
        (r"\bmssql\b|\bsql ?server\b|\btds\b", "SQL Server", 1433),
        (r"\boracle\b|\bsql\*?net\b", "Oracle", 1521),
        (r"\bpostgres(?:ql)?\b|\bpsql\b|\bsql\b", "SQL", None),
        (r"\bredis\b|\bvalkey\b", "Redis", 6379),
        (r"\bmemcached?\b", "Memcached", 11211),
        (r"\bmongo(?:db)?\b", "MongoDB", 27017),
        (r"\bkafka\b", "Kafka", 9092),
        (r"\bamqps?\b|\brabbitmq\b", "AMQP", 5672),
        (r"\bnfs\b", "NFS", 2049),
        (r"\bsmtp\b", "SMTP", 587),
    )
)

# Facts a component's label writes (issue 11), over the lower-cased label. A database engine
# with the version written after it ("Aurora PostgreSQL 16", "MySQL 8.0"): RDS builds each.
_VERSION = r"(?:[\s_-]*v?(\d+(?:\.\d+)*)(?![.\w]))?"
LABEL_ENGINES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), engine) for pattern, engine in (
        (r"\b(?:aurora[\s_-]*)?(?:postgres(?:ql)?|psql)" + _VERSION, "postgres"),
        (r"\b(?:aurora[\s_-]*)?mysql" + _VERSION, "mysql"),
        (r"\bmariadb" + _VERSION, "mariadb"),
        # SQL Server and Oracle by edition (no version: RDS names theirs by build); a label
        # that names none is Standard, the edition RDS licenses for production
        (r"\b(?:sql ?server|mssql)\W*(?:\d{4}\W*)?express\b", "sqlserver-ex"),
        (r"\b(?:sql ?server|mssql)\W*(?:\d{4}\W*)?web\b", "sqlserver-web"),
        (r"\b(?:sql ?server|mssql)\W*(?:\d{4}\W*)?enterprise\b", "sqlserver-ee"),
        (r"\bsql ?server\b|\bmssql\b", "sqlserver-se"),
        (r"\boracle\W*(?:\d+c?\W*)?enterprise\b", "oracle-ee"),
        (r"\boracle\b", "oracle-se2"),
    )
)
# The major versions archc builds, per engine, and the full version each stands for when a
# label writes only the major one (RDS pins a full version: minor upgrades are off). A
# postgres major is its first number ("16"), a mysql or mariadb one its first two ("8.0").
ENGINE_VERSIONS: dict[str, dict[str, str]] = {
    "postgres": {"13": "13.16", "14": "14.13", "15": "15.8", "16": "16.4", "17": "17.2"},
    "mysql": {"8.0": "8.0.39", "8.4": "8.4.3"},
    "mariadb": {"10.6": "10.6.19", "10.11": "10.11.9", "11.4": "11.4.3"},
    # SQL Server 2022 and Oracle 19c, license included (Oracle Enterprise: bring your own)
    **{f"sqlserver-{e}": {"16.00": "16.00.4120.1.v1"} for e in ("ex", "web", "se", "ee")},
    **{f"oracle-{e}": {"19": "19.0.0.0.ru-2024-10.rur-2024-10.r1"} for e in ("se2", "ee")},
}
# Instance sizes in a label: an RDS class ("db.r6g.large") and an EC2 type ("t3.large");
# a size word other than these is no size archc can build.
RDS_CLASS = re.compile(r"(?<![\w.])db\.([a-z]{1,4}\d[a-z0-9-]*\.[a-z][a-z0-9]*)\b")
EC2_TYPE = re.compile(r"(?<![\w.])([a-z]{1,4}\d[a-z0-9-]*\.[a-z][a-z0-9]*)\b")
INSTANCE_SIZES = re.compile(r"\.(nano|micro|small|medium|large|\d{0,2}xlarge|metal(-\d+xl)?)$")
# RDS classes on which an engine runs no Performance Insights, which archc turns on for every
# database (RDS for MySQL and MariaDB: db.t2, db.t3 and db.t4g micro and small).
NO_INSIGHTS_CLASSES: dict[str, re.Pattern[str]] = {
    engine: re.compile(r"^db\.t(?:2|3|4g)\.(?:micro|small)$") for engine in ("mysql", "mariadb")
} | {  # SQL Server and Oracle: Performance Insights from db.t3.medium up
    engine: re.compile(r"^db\.t[23]\.(?:micro|small)$")
    for engine in ("sqlserver-ex", "sqlserver-web", "sqlserver-se", "sqlserver-ee",
                   "oracle-se2", "oracle-ee")
}
# The overlay key a size written in a label fills, by kind (kinds with no size are absent).
SIZE_KEYS: dict[str, str] = {name: spec.size_key for name, spec in CATALOG.items()
                             if spec.size_key}

# (pattern over the lower-cased label and id, kind). First match wins.
LABEL_KINDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(spec.recognise), spec.name)
    for family in FAMILIES for spec in family if spec.recognise)

# "Subnet" in the languages people draw in: Spanish, Portuguese, French, German, Italian.
_SUBNET = r"(subred|sub-?rede|sous-r[ée]seau|subnetz|sottorete)"

# Zone titles and ids, lower-cased. First match wins. A subgraph whose title names none of
# these is a logical group (Role.GROUP): it is drawn, and places nothing.
TITLE_ROLES: tuple[tuple[re.Pattern[str], Role, Tier | None], ...] = tuple(
    (re.compile(pattern), role, tier) for pattern, role, tier in (
        (r"public.*subnet|subnet.*public|\bdmz\b|" + _SUBNET + r".*p[uú]blic",
         Role.SUBNET, Tier.PUBLIC),
        (r"(data|database|db|isolated).*subnet|subnet.*(data|database|db|isolated)|"
         + _SUBNET + r".*(datos|dados|donn[ée]es|daten)", Role.SUBNET, Tier.DATA),
        (r"private.*subnet|subnet|app.*tier|" + _SUBNET, Role.SUBNET, None),
        (r"worker nodes?|node ?groups?", Role.NODE_GROUPS, None),
        (r"\beks\b|kubernetes|\bk8s\b", Role.EKS_CLUSTER, None),
        (r"\bvpc\b|virtual private cloud", Role.VPC, None),
        (r"availability.zone|\baz\s?-?\s?[0-9a-f]?\b|\bazs\b|" + REGION_CODE + r"[a-f]\b",
         Role.AVAILABILITY_ZONE, None),
        (r"^\W*(aws|amazon web services|cloud)\W*$|\baws (cloud|account|region|organi[sz]ation)"
         r"\b|\baccount\b|\bregion\b|" + REGION_CODE + r"\b", Role.CLOUD, None),
        (r"vercel|netlify|external|platform|saas|third.party", Role.EXTERNAL, None),
    )
)

# Nodes that draw what archc derives, not a component to build: (pattern over the lower-cased
# label and id, what it is, where archc gets it). Read before the kinds: "ALB Security Group"
# is a security group, not a load balancer. The overlay's `kind` makes any of them a component.
CERTIFICATE = "a TLS certificate"  # what a drawn certificate is: archc issues it
DESCRIBED_NODES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), what, source) for pattern, what, source in (
        (r"security.?groups?\b|\bsgs?\b|\bnsgs?\b", "a security group",
         "archc derives the security groups and their rules from the flows"),
        (r"route.?tables?\b|routing table|\brtbs?\b", "a route table",
         "archc derives the routes from the subnets and the gateways"),
        (r"\biam\b|\b(execution|task|service|instance) role\b|instance profile|\birsa\b",
         "an IAM role or policy",
         "archc derives the roles and policies from the flows"),
        (r"\bcertificates?\b|\bacm\b", CERTIFICATE,
         "archc issues ACM certificates for the load balancer and the CDN from the DNS zone"),
        (r"\boidc (trust|provider)\b", "an IAM role or policy",
         "archc derives the roles and policies from the flows"),
        (r"vpc.?endpoints?\b|\bvpces?\b|private.?link|(interface|gateway) endpoints?\b",
         "a VPC endpoint", "archc derives an interface endpoint for each AWS API that "
         "components in the VPC call (and the S3 gateway endpoint) from the flows"),
        (r"network acls?\b|\bnacls?\b", "a network ACL",
         "archc keeps the default network ACLs; the security groups filter"),
        (r"\bsubnets?\b", "a subnet",
         "a subnet is a subgraph around the components it holds"),
        (r"^\W*(amazon |aws )?vpc\b(?!\s*(endpoint|link|peering|lattice))", "a VPC",
         "a VPC is a subgraph around the subnets it holds"),
        (r"cloud ?trail|cloud ?formation|\baws config\b|guard ?duty|security ?hub|"
         r"trusted advisor|cost explorer|\bbudgets?\b|\borgani[sz]ations\b|control tower|"
         r"\bmacie\b|\binspector\b",
         "an account-level AWS service",
         "it audits, deploys or governs the account rather than serving the architecture: "
         "archc builds the architecture's own infrastructure (as Terraform) and calls none of "
         "these"),
        (r"\bddos\b|\bshield\b|\bbot (fight|protection|control)|\brate.?limit",
         "a WAF or Shield protection",
         "archc's WAF web ACL in front of the CDN carries the rate limit and AWS's managed "
         "rules; AWS Shield Standard protects every account"),
    )
)

# What archc derives a described thing for: drawn next to one of these kinds (an edge joins
# them) it stays a description even when a catalog kind builds such things (a certificate next
# to a load balancer is the load balancer's, which archc issues).
DERIVED_FOR: dict[str, frozenset[str]] = {
    CERTIFICATE: frozenset({"load_balancer", "cdn"}),
}


def described_node(node_id: str, label: str) -> tuple[str, str, str] | None:
    """(what, where archc gets it, the pattern) for a node that draws something archc
    derives rather than a component, or None."""
    text = _inference_text(label, node_id).replace("\\n", " ")
    for pattern, what, source in DESCRIBED_NODES:
        if pattern.search(text):
            return what, source, pattern.pattern
    return None


def kind_for_description(node_id: str, label: str, pattern: str) -> str | None:
    """The catalog kind that builds what a described node draws, or None: the first kind whose
    label words are the whole of each word the description read ("ACM" once a kind builds ACM
    certificates; never "instance" for "instance role", a word of another thing)."""
    text = _inference_text(label, node_id).replace("\\n", " ")
    words = [m.group(0).strip() for m in re.finditer(pattern, text) if m.group(0).strip()]
    return next((kind for regex, kind in LABEL_KINDS
                 if words and all(regex.fullmatch(w) for w in words)), None)


# The words that name each cloud's services, lower-cased: archc compiles AWS, and tells a
# diagram of another cloud by its words (one error, not one per node). Another provider is
# added here with its kinds. "VPC", "load balancer" and "subnet" are shared, so not listed.
CLOUD_WORDS: dict[str, re.Pattern[str]] = {
    "AWS": re.compile(
        r"\baws\b|amazon|\bec2\b|\bs3\b|lambda|cloudfront|route ?53|\brds\b|aurora|dynamodb|"
        r"\becs\b|\beks\b|fargate|cloudwatch|\bsqs\b|\bsns\b|\balb\b|\belb\b|elasticache|"
        r"\becr\b|cognito|api gateway|bedrock|kinesis|redshift|\biam\b"),
    "Azure": re.compile(
        r"\bazure\b|\baks\b|\bvnet\b|\bentra\b|app service|cosmos ?db|key vault|"
        r"blob storage|front door|resource group|\bnsg\b|log analytics|app(lication)? insights|"
        r"service bus|event grid|logic apps?|container apps?|api management|\bapim\b|\bacr\b"),
    "Google Cloud": re.compile(
        r"\bgcp\b|google cloud|\bgke\b|cloud run|cloud sql|bigquery|cloud functions?|"
        r"pub/?sub|cloud storage|compute engine|cloud nat|cloud composer|firestore|app engine|"
        r"vertex ai|cloud armor|\bgcs\b"),
}
HOME_CLOUD = "AWS"

# Addresses one EKS node consumes in its subnet with the VPC CNI: the node itself plus its pods
# (max pods per instance type from the EKS AMI's eni-max-pods table). Unknown types use DEFAULT.
EKS_MAX_PODS: dict[str, int] = {
    "t3.medium": 17, "t3.large": 35, "t3.xlarge": 58, "m5.large": 29, "m6i.large": 29,
    "m6i.xlarge": 58, "m6i.2xlarge": 58, "c6i.large": 29, "c6i.xlarge": 58, "r6i.large": 29,
    "g5.xlarge": 58, "g5.2xlarge": 58, "g4dn.xlarge": 29,
}
EKS_DEFAULT_MAX_PODS = 58

# Actions an S3 flow needs, by the access its meaning implies.
S3_ACTIONS: dict[str, tuple[str, ...]] = {
    "read": ("s3:GetObject", "s3:ListBucket"),
    "write": ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListBucket"),
    "read_write": ("s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                   "s3:AbortMultipartUpload", "s3:ListBucket"),
}


def with_article(noun: str) -> str:
    """'an EC2 instance', 'a NAT gateway': by sound, for the handful of nouns used here."""
    first = noun.split(" ", 1)[0]
    # an acronym is read letter by letter: "an SQS queue", "an ECS service", "a KMS key"
    acronym = len(first) > 1 and first.rstrip("0123456789").isupper() \
        and first not in ("NAT", "WAF")  # these two are said as words
    vowel_sound = (first[:1] in "AEFHILMNORSX" if acronym else noun[:1].lower() in "aeiou")
    return f"{'an' if vowel_sound else 'a'} {noun}"


# Inference reads this much of a label, a title or an id: a keyword further in is not what
# the name says, and some forty patterns over a 50 MB label took seconds.
INFER_CHARS = 1000


def _inference_text(label: str, ident: str) -> str:
    return f"{label[:INFER_CHARS]} {_id_words(ident[:INFER_CHARS])}".lower()


# An id that copies a component per availability zone: an acronym and the zone's letter or
# number (`NATa`, `ALB2`, `NAT_b`).
_PER_AZ_ID = re.compile(r"^([A-Z][A-Z0-9]*?)[_-]?([a-f]|[0-9])$")


def _id_words(ident: str) -> str:
    """An id as words: `NATa` is `NAT a`, so the acronym is read as a word."""
    per_az = _PER_AZ_ID.match(ident)
    return f"{per_az.group(1)} {per_az.group(2)}" if per_az else ident


def infer_kind(node_id: str, label: str) -> tuple[str, str] | None:
    """The kind a label (else its id) suggests and the words that said so, or None."""
    text = _inference_text(label, node_id).replace("\\n", " ")
    for pattern, kind in LABEL_KINDS:
        match = pattern.search(text)
        if match:
            return kind, match.group().strip()
    return None


# Mermaid shapes that draw a data store (`[( )]`, `@{ shape: cyl }` and their aliases): a
# node drawn so whose label names no kind is read as a relational database.
DATA_STORE_SHAPES: frozenset[str] = frozenset({
    "cylinder", "cyl", "db", "database", "datastore", "data-store", "h-cyl", "das",
    "horizontal-cylinder", "lin-cyl", "disk", "lined-cylinder"})
DATA_STORE_KIND = "database"


def _icon_name(icon: str) -> str:
    """`aws:lambda`, `logos:aws-lambda`, `aws:Amazon-SQS` -> `lambda`, `sqs`: the service
    word of an icon name, whatever icon pack wrote it."""
    name = icon[:INFER_CHARS].lower().rsplit(":", 1)[-1]
    for prefix in ("aws-", "amazon-", "aws_", "amazon_"):
        name = name.removeprefix(prefix)
    return name.replace("_", "-")


_ICON_KINDS: dict[str, str] = {_icon_name(icon): spec.name for family in FAMILIES
                               for spec in family for icon in spec.icons}


def infer_kind_from_icon(icon: str) -> str | None:
    """The kind whose catalog entry lists a Mermaid `@{ icon: ... }` name, or None."""
    return _ICON_KINDS.get(_icon_name(icon))


def kind_candidates(node_id: str, label: str) -> tuple[str, ...]:
    """Every kind the label suggests, in table order (to tell a guess from a sure thing)."""
    text = _inference_text(label, node_id).replace("\\n", " ")
    found: list[str] = []
    chosen: list[str] = []  # the first kind's words
    for pattern, kind in LABEL_KINDS:
        if kind in found or not pattern.search(text):
            continue
        words = [m.group(0) for m in re.finditer(pattern.pattern, text)]
        # words inside the chosen kind's own ("api" in "API Gateway", or an id `api` beside
        # "HTTP API") suggest nothing else
        if found and all(any(w in c for c in chosen) for w in words):
            continue
        found.append(kind)
        chosen = chosen or words
    return tuple(found)


def infer_role(zone_id: str, title: str) -> tuple[Role, Tier | None, str] | None:
    """The role a zone's title (else its id) names, and the words that said so, or None (a
    logical group). Title and id are read apart, so `^AWS$` can mean a whole title."""
    texts = (title[:INFER_CHARS].lower(), zone_id[:INFER_CHARS].lower())
    for pattern, role, tier in TITLE_ROLES:
        for text in texts:
            match = pattern.search(text)
            if match:
                return role, tier, match.group().strip(" -_")
    return None

# The kinds a flow with the IAM meaning reaches: archc turns such a flow into a least-privilege
# policy on the caller's role (archc/emit/terraform/iam.py). Any other target gets ARC218.
IAM_TARGET_KINDS: frozenset[str] = frozenset(
    {Kind.OBJECT_STORAGE} | {name for name, spec in CATALOG.items()
                             if spec.iam and not spec.network_iam})


def listens(kind: str) -> bool:
    """Whether callers connect to it on a port of its security group (EFS, OpenSearch), not
    only through its AWS API (a Lambda's group is for its own calls)."""
    spec = CATALOG[kind]
    return spec.security_group and spec.service_port is not None


# The kinds a network connection to is also an IAM grant on the caller's role: MSK with IAM
# authentication (`network_iam`), and every kind in the VPC with an API (EFS, OpenSearch).
NETWORK_IAM_KINDS: frozenset[str] = frozenset(
    name for name, spec in CATALOG.items()
    if spec.iam and (spec.network_iam or listens(name)))

# Kinds that hold data of their own: a database, a bucket, a queue, and the hosts that keep
# state on a data volume (CI workspaces, git repositories, a plain instance). Removing or
# replacing one loses that data (`archc diff` flags it); the hosts get a snapshotted volume.
HOLDS_DATA: frozenset[str] = frozenset(
    name for name, spec in CATALOG.items() if spec.holds_data)


# Kinds that cannot live without a VPC.
VPC_SCOPES: frozenset[Scope] = frozenset({Scope.VPC_EDGE, Scope.PUBLIC_SUBNET,
                                          Scope.PRIVATE_SUBNET, Scope.DATA_SUBNET})


def needs_vpc(roles: Iterable[Role], kinds: Iterable[str | None]) -> bool:
    """A VPC when the diagram draws one or a subnet (zone roles), or a component's kind
    cannot live without one; a serverless architecture (API Gateway, Lambda outside a subnet,
    DynamoDB) has none."""
    return (any(r in (Role.VPC, Role.SUBNET) for r in roles)
            or any(k is not None and KINDS[k].scope in VPC_SCOPES for k in kinds))
