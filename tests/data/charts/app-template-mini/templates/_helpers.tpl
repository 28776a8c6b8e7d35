{{/* The object name of a controller: the release name when the controller is named after it. */}}
{{- define "app.fullname" -}}
{{- if eq .name .root.Release.Name -}}
{{- .root.Release.Name -}}
{{- else -}}
{{- printf "%s-%s" .root.Release.Name .name -}}
{{- end -}}
{{- end -}}
