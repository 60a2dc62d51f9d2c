import type { FlattenedRelationship } from '@odt/contracts';
import { compileSchema } from './schema-validator';
import { childPath, type ValidationProblem } from './validation-problem';

/** Validates the user members of a relationship document (`$relationshipId`, `$targetId`... are the caller's). */
export type RelationshipValidator = (relationship: Record<string, unknown>) => ValidationProblem[];

/** Compiles the validator of relationship instances: only the DTDL Relationship's `properties`, each valid. */
export function compileRelationshipValidator(relationship: FlattenedRelationship): RelationshipValidator {
  const properties = new Map(Object.entries(relationship.properties).map(([name, schema]) => [name, compileSchema(schema)]));
  return (instance) => {
    const problems: ValidationProblem[] = [];
    for (const [name, value] of Object.entries(instance)) {
      if (name.startsWith('$')) continue;
      const property = properties.get(name);
      if (property) property(value, childPath('', name), problems);
      else problems.push({ path: childPath('', name), message: `'${name}' is not a property of relationship '${relationship.name}'.` });
    }
    return problems;
  };
}
