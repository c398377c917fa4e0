export { K8sGlue, type GlueOptions } from './glue.js';
export { runTaskInPod, type InPodOptions } from './run-in-pod.js';
export { buildPod, glueLabel, LABELS, mergePodTemplates, mergeTemplates, podName } from './pod-spec.js';
export { podVerdict, describeVerdict } from './pod-verdict.js';
export { loadPodTemplate, parseQueueTemplate, TemplateError } from './templates.js';
