export { isDtmi, parseDtmi, type Dtmi } from './dtmi';
export { DtdlParser } from './parser/dtdl-parser';
export { DtdlParserFailure, type ParseOutcome, type ParsingError } from './parser/parse-outcome';
export type { ObjectModel } from './object-model';
export { flattenInterface } from './flatten/flatten';
export { schemaFromObjectModel } from './flatten/schema-from-object-model';
export {
  validateModels,
  type LoadStoredModels,
  type ValidatedBatch,
  type ValidatedInterface,
} from './validate-models/validate-models';
export type { InterfaceDocument } from './validate-models/batch-shape';
export { compileInterfaceValidator, type TwinValidator } from './instance/instance-validator';
export { compileRelationshipValidator, type RelationshipValidator } from './instance/relationship-validator';
export { compileSchemaValidator } from './instance/schema-validator';
export type { ValidationProblem } from './instance/validation-problem';
