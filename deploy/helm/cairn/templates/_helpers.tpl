{{- define "cairn.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "cairn.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "cairn.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* registry/repository:tag; a repository that already names a registry gets no second one */}}
{{- define "cairn.image" -}}
{{- $repo := .Values.image.repository -}}
{{- $first := index (splitList "/" $repo) 0 -}}
{{- $hasRegistry := and (gt (len (splitList "/" $repo)) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) -}}
{{- if and .Values.image.registry (not $hasRegistry) -}}{{ .Values.image.registry | trimSuffix "/" }}/{{- end -}}
{{ $repo }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "cairn.secretName" -}}
{{- .Values.credentials.existingSecret | default (printf "%s-credentials" (include "cairn.fullname" .)) -}}
{{- end -}}

{{- define "cairn.url" -}}
{{- $ := index . 0 -}}{{- $part := index . 1 -}}
{{- $given := index $.Values.publicUrls $part -}}
{{- if $given -}}{{ $given }}{{- else -}}http://{{ include "cairn.fullname" $ }}.{{ $.Release.Namespace }}:{{ index $.Values.ports $part }}{{- end -}}
{{- end -}}

{{/* the Secret with the server's S3 credentials (storage.conf), or empty when none is given */}}
{{- define "cairn.storageSecret" -}}
{{- if .Values.storage.existingSecret -}}{{ .Values.storage.existingSecret }}{{- else if .Values.storage.s3Credentials -}}{{ printf "%s-storage" (include "cairn.fullname" .) }}{{- end -}}
{{- end -}}
