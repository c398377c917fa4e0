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

{{/* the Secret with the PostgreSQL URL (database_url), or empty with SQLite */}}
{{- define "cairn.databaseSecret" -}}
{{- if .Values.database.existingSecret -}}{{ .Values.database.existingSecret }}{{- else if .Values.database.url -}}{{ printf "%s-database" (include "cairn.fullname" .) }}{{- end -}}
{{- end -}}

{{/* replicas share the database and the files: more than one needs PostgreSQL and S3 */}}
{{- define "cairn.replicas" -}}
{{- $n := int .Values.replicaCount -}}
{{- if and (gt $n 1) (not (include "cairn.databaseSecret" .)) -}}
{{- fail "replicaCount > 1 needs database.url or database.existingSecret (PostgreSQL): replicas cannot share a SQLite file" -}}
{{- end -}}
{{- if and (gt $n 1) (not .Values.storage.filesStore) -}}
{{- fail "replicaCount > 1 needs storage.filesStore (S3 or MinIO): replicas cannot share the data volume's files" -}}
{{- end -}}
{{- $n -}}
{{- end -}}
