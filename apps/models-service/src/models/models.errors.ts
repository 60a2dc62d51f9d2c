import { DomainError } from '@odt/contracts';

/** ADT's live messages (reference §1.4), so SDK users matching on prefixes keep working. */
export const ModelErrors = {
  notFound: (ids: string[]) =>
    new DomainError('ModelNotFound', `There is no Model(s) available that matches the provided id(s) ${ids.join(', ')}. Check that the Model ID provided is valid by doing a Model_List API call.`),
  alreadyExists: (ids: string[]) =>
    new DomainError('ModelIdAlreadyExists', `Some of the model ids already exist: ${ids.join(', ')}. Use Model_List API to view models that already exist. See model documentation(http://aka.ms/ADTv2Models) for supported format.`),
  notAnArray: () =>
    new DomainError('InvalidArgument', 'The request body must be a JSON array of DTDL interfaces (at least one).'),
  tooMany: (max: number) =>
    new DomainError('LimitExceeded', `The number of models you are trying to upload exceeds the supported limit of ${max}. Try breaking up the upload in smaller batches.`),
  referencedBy: (id: string, by: string[]) =>
    new DomainError('ModelReferencesNotDeleted', `This model is currently being referenced by ${by.join(', ')}. You must delete these references before deleting the Model ${id}.`),
  referenceVanished: (ids: string[]) =>
    new DomainError('DTDLParserError', `None of the models in this request could be created: referenced model(s) ${ids.join(', ')} were deleted while the upload was in progress.`),
  patchInvalid: (detail: string) =>
    new DomainError('JsonPatchInvalid', `${detail} Only [{"op":"replace","path":"/decommissioned","value":true}] is supported on a model.`),
  cannotRecommission: () =>
    new DomainError('InvalidArgument', 'The only allowed value of /decommissioned is true: decommissioning cannot be undone.'),
};
