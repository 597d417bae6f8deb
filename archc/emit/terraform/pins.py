"""Pinned versions: Terraform, providers and every terraform-aws-modules module archc calls.

Literal tables on purpose: a build must not depend on the network or on files outside the
package. The module pins are the releases recorded in the IaC oracle's tf_modules.json (exact
registry version, its git tag and commit), whose inputs the generated calls were checked
against; change a pin here and in that catalogue together.
"""

from __future__ import annotations

from archc.aws.derivation import skip
from archc.emit.terraform import context_types as ct
from archc.kinds import KINDS

# rds 7.x needs Terraform >= 1.11.1 and s3-bucket 5.15 needs aws >= 6.42 (tf_modules.json).
REQUIRED_VERSION = ">= 1.11.1"
# name -> (source, version constraint, what needs it)
PROVIDERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "aws": ("hashicorp/aws", ">= 6.42, < 7.0", ("everything",)),
    "random": ("hashicorp/random", ">= 3.7, < 4.0", ("secrets", "cdn")),
    "time": ("hashicorp/time", ">= 0.9, < 1.0", ("eks",)),
    "tls": ("hashicorp/tls", ">= 4.0, < 5.0", ("eks",)),
}
# CloudFront's ACM viewer certificate, WAF web ACL and their logs must live in us-east-1.
EDGE_PROVIDER: ct.EdgeProvider = {"alias": "us_east_1", "region": "us-east-1"}

# template key -> (registry source, exact version, repository, commit of the release tag)
MODULES: dict[str, tuple[str, str, str, str]] = {
    "vpc": ("terraform-aws-modules/vpc/aws", "6.6.0", "terraform-aws-modules/terraform-aws-vpc",
            "82d1929e669efef4e2ad00611b8a68e7a56e049c"),
    "vpc_endpoints": ("terraform-aws-modules/vpc/aws//modules/vpc-endpoints", "6.6.0",
                      "terraform-aws-modules/terraform-aws-vpc",
                      "82d1929e669efef4e2ad00611b8a68e7a56e049c"),
    "eks": ("terraform-aws-modules/eks/aws", "21.19.0",
            "terraform-aws-modules/terraform-aws-eks", "bef29c4d9523523e57fe898643fde2895106b339"),
    "ec2_instance": ("terraform-aws-modules/ec2-instance/aws", "6.4.0",
                     "terraform-aws-modules/terraform-aws-ec2-instance",
                     "56b7f8aac0acf2c6c4cfc28d5aa12e08a8ebb843"),
    "rds": ("terraform-aws-modules/rds/aws", "7.2.0", "terraform-aws-modules/terraform-aws-rds",
            "bc8c1e240a98fd54a12c61c70de91cbabec71863"),
    "s3_bucket": ("terraform-aws-modules/s3-bucket/aws", "5.15.4",
                  "terraform-aws-modules/terraform-aws-s3-bucket",
                  "dd0c434de5e74d8864e249ee020d917b076b6e32"),
    "route53": ("terraform-aws-modules/route53/aws", "6.4.0",
                "terraform-aws-modules/terraform-aws-route53",
                "b4c9c820abdff9357747865f65131d1fa4128edc"),
    "cloudfront": ("terraform-aws-modules/cloudfront/aws", "6.6.0",
                   "terraform-aws-modules/terraform-aws-cloudfront",
                   "beb0b2d04d98e4bbca843de1207467d78ab05f61"),
    "alb": ("terraform-aws-modules/alb/aws", "10.5.0", "terraform-aws-modules/terraform-aws-alb",
            "87f1c9c18408993abe951db5bf788c676abf0731"),
    "iam_irsa": ("terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts",
                 "6.5.0", "terraform-aws-modules/terraform-aws-iam",
                 "981121bcd17618b8ed032223c0d9e647b9277ef9"),
    "secrets_manager": ("terraform-aws-modules/secrets-manager/aws", "2.0.1",
                        "terraform-aws-modules/terraform-aws-secrets-manager",
                        "82029345dea22bc49989a6f46c5d8d8e555b84c9"),
}


def modules() -> dict[str, ct.Module]:
    """The seed topics' pins, then each catalog kind's (its `Terraform.modules`)."""
    pins = dict(MODULES)
    for spec in KINDS.values():
        for mod in spec.terraform.modules if spec.terraform else ():
            pins.setdefault(mod.key, (mod.source, mod.version, mod.repo, mod.commit))
    return {key: _module(*pin) for key, pin in pins.items()}


def _module(source: str, version: str, repo: str, commit: str) -> ct.Module:
    # checkov's CKV_TF_1 wants a commit-hash git source; the module-conformance check wants the
    # registry form. Registry + exact version is audited through the recorded commit instead.
    reason = (f"Pinned to the exact registry release {version} (git tag v{version} = commit "
              f"{commit}, recorded in tf_modules.json); archc keeps the registry form so "
              "terraform init and the module-conformance check verify the catalogued inputs "
              "of that release")
    return {"source": source, "version": version, "repo": repo, "release": f"v{version}",
            "commit": commit, "checkov_skips": [skip("CKV_TF_1", reason)]}


def terraform(uses: set[str], kinds: tuple[str, ...] = ()) -> ct.Terraform:
    """The `terraform` block: providers limited to what the architecture uses; the AWS
    provider's floor raised only by a catalog kind in `kinds` whose modules need more."""
    floors = {tf.aws_provider for k in kinds if (tf := KINDS[k].terraform) and tf.aws_provider}
    providers: list[ct.Provider] = [
        {"name": name, "source": source,
         "version": max(floors, key=_floor) if name == "aws" and floors else version}
        for name, (source, version, needs) in PROVIDERS.items()
        if "everything" in needs or set(needs) & uses]
    return {"required_version": REQUIRED_VERSION, "providers": providers,
            "edge_provider": EDGE_PROVIDER.copy()}


def _floor(constraint: str) -> tuple[int, ...]:
    """The lower bound of a `>= X.Y, < Z` constraint, as numbers to compare."""
    return tuple(int(n) for n in constraint.split(",")[0].strip(">= ").split("."))
