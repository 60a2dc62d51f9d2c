// Validates Kubernetes objects against the API's OpenAPI schemas as packaged by `kubernetes-models`
// (github.com/tommy351/kubernetes-models-ts): the model class of each object's apiVersion and kind,
// then `.validate()`. A separate process because the package is ES modules only, which Jest (on
// CommonJS) cannot load. Input: a JSON array of objects on stdin. Output: one entry per object,
// `{ known: false }` when the package has no model for the kind (a custom resource), else
// `{ known: true, errors: [...] }`.
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const object of objects) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : [undefined, object.apiVersion];
  const specifier = group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`;
  let Model;
  try {
    Model = (await import(specifier))[object.kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== 'function') {
    results.push({ known: false });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ known: true, errors: [] });
  } catch (err) {
    results.push({ known: true, errors: [err instanceof Error ? err.message : String(err)] });
  }
}
process.stdout.write(JSON.stringify(results));
