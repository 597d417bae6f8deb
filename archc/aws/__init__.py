"""What the IR means on AWS, derived once for every reader: the Terraform, Helm and
security-report emitters and `diff` (as sqlglot's transforms run before its generators).

* `names`           ids, name suffixes and texts AWS accepts; `file:line` justifications
* `derivation`      `Derivation`: the IR by kind, the derived ids, the diagnostics sink;
                    production-like environment names, checkov skip records
* `security_groups` flows -> security groups and their rule rows (pure data)
* `iam`             which role a component's AWS calls use (instance role, IRSA role)
* `compute`         stateful kinds, node-group instance types, GPU families

It may import `archc.model`, `archc.kinds`, `archc.source` and `archc.diagnostics`, never an
emitter or `diff`: they import it.
"""
