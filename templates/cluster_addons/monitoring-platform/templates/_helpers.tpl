{{- define "platform.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end -}}

{{- define "platform.roleArn" -}}
{{- if ne .Release.Namespace .Values.namespace -}}
{{- fail (printf "install into namespace %s: the IRSA role trusts %s:%s only" .Values.namespace .Values.namespace .Values.serviceAccount.name) -}}
{{- end -}}
{{- required "serviceAccount.roleArn: set it to terraform output -json cluster_addon_role_arns | jq -r .monitoring_secrets" .Values.serviceAccount.roleArn -}}
{{- end -}}
