import type { ErrorDetail } from '@odt/contracts';
import type { ModelCatalog, ResolvedModel } from '@odt/model-catalog';
import { userContent, type TwinDocument } from './twin-document';
import { TwinErrors } from './twins.errors';

/** The model a twin names, or ADT's error for an unknown one. */
export async function requireModel(catalog: ModelCatalog, modelId: string): Promise<ResolvedModel> {
  const model = await catalog.resolve(modelId);
  if (!model) throw TwinErrors.unknownModel(modelId);
  return model;
}

/** A twin's content against its model; every problem in one `ValidationFailed` error. */
export function validateTwin(model: ResolvedModel, doc: TwinDocument): void {
  const problems = model.validate(userContent(doc));
  if (problems.length > 0) {
    // ADT's error details carry only code and message, so the message names the property too.
    const details: ErrorDetail[] = problems.map((p) => ({ code: 'ValidationFailed', message: `${p.path}: ${p.message}`, target: p.path }));
    throw TwinErrors.invalid(details);
  }
}
