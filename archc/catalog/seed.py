"""The seed platform's kinds (cluster-protocol.md): people, the edge, gateways, EC2 hosts, EKS,
RDS and S3. Their Terraform is the platform module's own topics (archc/emit/terraform/), older
than the catalog; every other fact about them is here.

Two tables because label inference reads them around the other families: `FIRST` holds words
no other kind uses (NAT, bastion, load balancer, CloudFront); `LAST` holds the broad ones
("database", "service", "server", "users") that must not win over a more specific kind.
"""

from __future__ import annotations

from types import MappingProxyType

from archc.catalog.spec import KindSpec, Risk, Scope

# What removing a component of a data-holding kind costs (`archc diff` prints
# "<id> (<kind>) is removed: <text>"); a host keeps its state on a data volume that goes
# after a final snapshot.
_GONE = "its data goes with it"
_VOLUME_GONE = "its data volume goes with it (only its final snapshot is kept)"
# The load balancer's scheme and type (edge.py reads them: `load_balancer_scheme` and
# `load_balancer_type`).
_LB_PROPERTIES = MappingProxyType({
    "scheme": {"enum": ["internal", "internet-facing"],
               "description": "internet-facing (the default in a public subnet) or internal "
                              "(the default in a private subnet: reached only from the VPC)."},
    "type": {"enum": ["application", "network"],
             "description": "application (an HTTPS listener; the default) or network (a TLS "
                            "listener and TCP target groups); a label naming an NLB means "
                            "network."},
})

FIRST: tuple[KindSpec, ...] = (
    KindSpec("nat_gateway", "NAT gateway", Scope.PUBLIC_SUBNET, 8,
             recognise=r"\bnat\b|nat gateway", icons=("aws:nat-gateway",),
             diagram_icon=("diagrams.aws.network", "NATGateway"), mermaid_class="network"),
    KindSpec("internet_gateway", "internet gateway", Scope.VPC_EDGE, 9,
             recognise=r"internet gateway|\bigw\b", icons=("aws:internet-gateway",),
             diagram_icon=("diagrams.aws.network", "InternetGateway"), mermaid_class="network"),
    KindSpec("bastion", "bastion host", Scope.PUBLIC_SUBNET, 3, service_port=22,
             recognise=r"bastion|jump ?host", security_group=True, compute=True,
             size_key="instance_type",
             # AWS has no bastion icon; its reference architectures draw the EC2 instance icon
             diagram_icon=("diagrams.aws.compute", "EC2Instance"), mermaid_class="network"),
    # internet-facing in a public subnet, internal in a private one (edge.py reads which)
    KindSpec("load_balancer", "internet-facing load balancer", Scope.ANY_SUBNET, 5,
             service_port=443, recognise=r"load balancer|\balb\b|\bnlb\b|\belb\b",
             icons=("aws:elastic-load-balancing", "aws:application-load-balancer",
                    "aws:network-load-balancer", "aws:elb"),
             security_group=True, entry=True, addresses=8,
             properties=_LB_PROPERTIES,
             diagram_icon=("diagrams.aws.network", "ALB"), mermaid_class="edge"),
    KindSpec("waf", "WAF web ACL", Scope.GLOBAL, 2, recognise=r"\bwaf\b|web application firewall",
             icons=("aws:waf",), diagram_icon=("diagrams.aws.security", "WAF"),
             mermaid_class="edge"),
    KindSpec("cdn", "CloudFront distribution", Scope.GLOBAL, 2, service_port=443,
             recognise=r"cloudfront|\bcdn\b", icons=("aws:cloudfront",), entry=True,
             diagram_icon=("diagrams.aws.network", "CloudFront"), mermaid_class="edge"),
    KindSpec("dns_zone", "Route53 hosted zone", Scope.GLOBAL, 10,
             recognise=r"route ?53|\bdns\b", icons=("aws:route-53",),
             diagram_icon=("diagrams.aws.network", "Route53"), mermaid_class="edge"),
)

LAST: tuple[KindSpec, ...] = (
    KindSpec("object_storage", "S3 buckets", Scope.GLOBAL, 10,
             recognise=r"\bs3\b|bucket|object stor", icons=("aws:s3", "aws:simple-storage-service"),
             holds_data=True, diagram_icon=("diagrams.aws.storage", "S3"), mermaid_class="data",
             risks=(Risk("removed", "high", _GONE),)),
    KindSpec("database", "relational database (RDS)", Scope.DATA_SUBNET, 10,
             recognise=(r"\brds\b|aurora|postgres|mysql|mariadb|database|\bdb\b|read replica|"
                        r"sql ?server|\bmssql\b|\boracle\b"),
             icons=("aws:rds",), security_group=True, holds_data=True, addresses=2,
             size_key="instance_class", diagram_icon=("diagrams.aws.database", "RDS"),
             mermaid_class="data", risks=(Risk("removed", "high", _GONE),)),
    KindSpec("eks_control_plane", "EKS control plane", Scope.PRIVATE_SUBNET, 7,
             service_port=443, recognise=r"control plane|\beks\b",
             icons=("aws:eks", "aws:elastic-kubernetes-service"), security_group=True, addresses=4,
             diagram_icon=("diagrams.aws.compute", "EKS"), mermaid_class="kubernetes"),
    KindSpec("eks_node_group", "EKS managed node group", Scope.PRIVATE_SUBNET, 6,
             recognise=r"worker node|node group|nodegroup", security_group=True, compute=True,
             size_key="instance_types", diagram_icon=("diagrams.aws.compute", "EC2Instances"),
             mermaid_class="kubernetes"),
    KindSpec("ci_server", "CI/CD server (Jenkins)", Scope.PRIVATE_SUBNET, 4, service_port=8080,
             recognise=r"jenkins|ci/cd|\bci\b|build server", security_group=True, compute=True,
             holds_data=True, size_key="instance_type",
             diagram_icon=("diagrams.onprem.ci", "Jenkins"), mermaid_class="compute",
             risks=(Risk("removed", "high", _VOLUME_GONE),)),
    KindSpec("scm_server", "source/model repository (GitLab)", Scope.PRIVATE_SUBNET, 6,
             service_port=443, recognise=r"gitlab|gitea|git server|(?<!ecr )(?<!image )repository",
             security_group=True, compute=True, holds_data=True, size_key="instance_type",
             diagram_icon=("diagrams.onprem.vcs", "Gitlab"), mermaid_class="compute",
             risks=(Risk("removed", "high", _VOLUME_GONE),)),
    KindSpec("admins", "administrators (developers, operators)", Scope.INTERNET, 0,
             recognise=(r"\b(developers?|devs|admins?|administrators?|operators|operations team|"
                        r"devops|engineers?|sres?|ops team)\b(?!\s*(panel|api|service|server|"
                        r"portal|console|dashboard|ui|app|pipeline|tool))"),
             diagram_icon=("diagrams.onprem.client", "User"), mermaid_class="external"),
    KindSpec("users", "end users on the internet", Scope.INTERNET, 0,
             recognise=(r"\b(users?|clients?|browsers?|customers?|devices?|shoppers?|partners?|"
                        r"visitors?)\b(?!\s*(service|server|api|lambda|function|pool|table|db|"
                        r"database|queue|topic|bucket|store|cache))|\bmobile\b|\b(ios|android)\b|"
                        r"\binternet\b(?!\s*-?\s*(gateway|facing))"),
             internet=True, diagram_icon=("diagrams.onprem.client", "Users"),
             mermaid_class="external"),
    KindSpec("external_frontend", "frontend hosted outside AWS", Scope.INTERNET, 1,
             service_port=443, recognise=r"vercel|netlify|frontend", internet=True,
             diagram_icon=("diagrams.programming.framework", "Vercel"),
             mermaid_class="external"),
    KindSpec("external_service", "third-party service", Scope.INTERNET, 1, service_port=443,
             recognise=(r"github|bitbucket|docker ?hub|pagerduty|slack|auth0|okta|\bidp\b|"
                        r"identity provider|third.party"),
             internet=True, diagram_icon=("diagrams.saas", "Saas"), mermaid_class="external"),
    KindSpec("backend_service", "backend service on EC2", Scope.PRIVATE_SUBNET, 6,
             service_port=8080,
             # what people call an application they run: its framework or its job
             recognise=(r"backend|\bapi\b|service|\bweb ?app|django|fastapi|"
                        r"flask|nest\.?js|express\.?js|spring ?boot|\brails\b|laravel|node\.?js|"
                        r"\bagents?\b|microservices?|"
                        r"(?<!mobile )(?<!ios )(?<!android )(?<!app )"
                        r"\bapp(lication)?s?\b(?!\s*(load|lb|gateway|firewall|tier|layer|subnet))"),
             security_group=True,
             compute=True, size_key="instance_type",
             icons=("aws:ec2-auto-scaling", "aws:auto-scaling"),
             diagram_icon=("diagrams.aws.compute", "EC2AutoScaling"), mermaid_class="compute"),
    KindSpec("instance", "EC2 instance", Scope.PRIVATE_SUBNET, 6,
             recognise=r"\bec2\b|instance|server|\bvm\b", icons=("aws:ec2",),
             security_group=True, compute=True, holds_data=True, size_key="instance_type",
             diagram_icon=("diagrams.aws.compute", "EC2"), mermaid_class="compute",
             risks=(Risk("removed", "high", _VOLUME_GONE),)),
)
