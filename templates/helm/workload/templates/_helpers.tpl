{{- define "workload.name" -}}
{{- .Values.workload | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "workload.labels" -}}
app.kubernetes.io/name: {{ include "workload.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
{{- end -}}

{{- define "workload.selectorLabels" -}}
app.kubernetes.io/name: {{ include "workload.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{- define "workload.image" -}}
{{- $repo := required "image.repository: set it with --set image.repository=... (archc has no image for this workload)" .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (required "image.tag or image.digest: set one with --set image.tag=... (archc has no image for this workload)" .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "workload.roleArn" -}}
{{- if .Values.serviceAccount.irsa -}}
{{- if ne .Release.Namespace .Values.namespace -}}
{{- fail (printf "install into namespace %s: the IRSA role trusts %s:%s only" .Values.namespace .Values.namespace .Values.serviceAccount.name) -}}
{{- end -}}
{{- required "serviceAccount.roleArn: set it to this workload's IRSA role ARN (terraform output irsa_role_arns)" .Values.serviceAccount.roleArn -}}
{{- end -}}
{{- end -}}
