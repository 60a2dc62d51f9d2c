import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type { K8sObject } from './objects';

export interface ValidationResult {
  known: boolean;
  errors?: string[];
}

/** Every object against the Kubernetes OpenAPI schemas (kubernetes-models), in a child process. */
export function validateWithKubernetesModels(objects: K8sObject[]): ValidationResult[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'validate-with-kubernetes-models.mjs')], { input: JSON.stringify(objects), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as ValidationResult[];
}

/** Our own schemas of the custom resources we use, by `apiVersion kind`. */
export function customResourceValidators(): Record<string, ValidateFunction> {
  // strictRequired off: a Cluster's storage requires `size` or `pvcTemplate` (anyOf).
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  const load = (file: string) => ajv.compile(JSON.parse(readFileSync(path.join(__dirname, 'schemas', file), 'utf8')) as object);
  return {
    'postgresql.cnpg.io/v1 Cluster': load('cnpg-cluster.schema.json'),
    'keda.sh/v1alpha1 ScaledObject': load('keda-scaledobject.schema.json'),
  };
}

export function schemaProblems(objects: K8sObject[], results: ValidationResult[], custom: Record<string, ValidateFunction>): string[] {
  const problems: string[] = [];
  objects.forEach((o, i) => {
    const id = `${o.kind}/${o.metadata?.name}`;
    const result = results[i];
    if (result?.known) {
      for (const error of result.errors ?? []) problems.push(`${id}: ${error}`);
      return;
    }
    const validate = custom[`${o.apiVersion} ${o.kind}`];
    if (!validate) problems.push(`${id}: no schema for ${o.apiVersion} ${o.kind}`);
    else if (!validate(o)) for (const e of validate.errors ?? []) problems.push(`${id}: ${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  });
  return problems;
}
