{{- define "cairn-agent.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "cairn-agent.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "cairn-agent.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
registry/repository:tag. The registry (agentk8sglue.image.registry, else global.imageRegistry)
is put in front only when the repository does not name one already, so
"docker.io/x/y" never becomes "docker.io/docker.io/x/y".
*/}}
{{- define "cairn-agent.image" -}}
{{- $img := .Values.agentk8sglue.image -}}
{{- $repo := $img.repository -}}
{{- $parts := splitList "/" $repo -}}
{{- $first := index $parts 0 -}}
{{- $hasRegistry := and (gt (len $parts) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) -}}
{{- $registry := $img.registry | default .Values.global.imageRegistry -}}
{{- if and $registry (not $hasRegistry) -}}{{ $registry | trimSuffix "/" }}/{{- end -}}
{{ $repo }}:{{ $img.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "cairn-agent.secretName" -}}
{{- .Values.clearml.existingAgentk8sglueSecret | default (printf "%s-ac" (include "cairn-agent.fullname" .)) -}}
{{- end -}}

{{- define "cairn-agent.configSecretName" -}}
{{- .Values.clearml.existingClearmlConfigSecret | default (printf "%s-conf" (include "cairn-agent.fullname" .)) -}}
{{- end -}}

{{- define "cairn-agent.serviceAccountName" -}}
{{- .Values.agentk8sglue.serviceExistingAccountName | default (printf "%s-sa" (include "cairn-agent.fullname" .)) -}}
{{- end -}}

{{- define "cairn-agent.pullSecretName" -}}
{{- .Values.imageCredentials.existingSecret | default (printf "%s-ark" (include "cairn-agent.fullname" .)) -}}
{{- end -}}

{{/* A task pod template from basePodTemplate-shaped values: (list $ values) */}}
{{- define "cairn-agent.podTemplate" -}}
{{- $ := index . 0 -}}{{- $t := index . 1 -}}
apiVersion: v1
kind: Pod
metadata:
  namespace: {{ $.Release.Namespace }}
  {{- with $t.labels }}
  labels: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $t.annotations }}
  annotations: {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "cairn-agent.serviceAccountName" $ }}
  {{- if $.Values.imageCredentials.enabled }}
  imagePullSecrets:
    - name: {{ include "cairn-agent.pullSecretName" $ }}
  {{- end }}
  {{- range $key := list "priorityClassName" "schedulerName" }}
  {{- with index $t $key }}
  {{ $key }}: {{ . }}
  {{- end }}
  {{- end }}
  {{- range $key := list "nodeSelector" "tolerations" "affinity" "hostAliases" "initContainers" "volumes" }}
  {{- with index $t $key }}
  {{ $key }}: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- end }}
  {{- with $t.podSecurityContext }}
  securityContext: {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: task
      {{- range $key := list "resources" "env" "volumeMounts" }}
      {{- with index $t $key }}
      {{ $key }}: {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- end }}
      {{- with $t.containerSecurityContext }}
      securityContext: {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{/* queue name → file name in the templates ConfigMap */}}
{{- define "cairn-agent.queueFile" -}}
queue-{{ regexReplaceAll "[^a-z0-9._-]+" (lower .) "-" | trunc 50 }}.yaml
{{- end -}}
