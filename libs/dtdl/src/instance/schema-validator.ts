import type { DtdlSchema } from '@odt/contracts';
import { primitiveCheck } from './primitive-checks';
import { childPath, describeValue, isPlainObject, type ValidationProblem } from './validation-problem';

/** Appends the problems of `value` (found at `path`) to `problems`. */
export type CompiledSchema = (value: unknown, path: string, problems: ValidationProblem[]) => void;

/** ADT's limit on the length of a property name, which map keys are. */
const MAX_MAP_KEY_BYTES = 1024;

/**
 * Compiles a schema into a validator once, so that validating a value does not walk the schema.
 * `null` conforms to no schema (a property is unset by removing it, not by nulling it).
 */
export function compileSchema(schema: DtdlSchema): CompiledSchema {
  switch (schema.kind) {
    case 'primitive': {
      const { test, expected } = primitiveCheck(schema.type);
      return (value, path, problems) => {
        if (!test(value)) problems.push({ path, message: `Expected ${expected}, got ${describeValue(value)}.` });
      };
    }
    case 'enum': {
      const values = new Set<unknown>(schema.values);
      const listed = schema.values.map((value) => JSON.stringify(value)).join(', ');
      return (value, path, problems) => {
        if (!values.has(value)) problems.push({ path, message: `Expected one of the enum values ${listed}, got ${describeValue(value)}.` });
      };
    }
    case 'object':
      return compileObject(schema.fields);
    case 'map':
      return compileMap(compileSchema(schema.valueSchema));
    case 'array': {
      const element = compileSchema(schema.elementSchema);
      return (value, path, problems) => {
        if (!Array.isArray(value)) {
          problems.push({ path, message: `Expected an array, got ${describeValue(value)}.` });
          return;
        }
        value.forEach((item, index) => element(item, childPath(path, index), problems));
      };
    }
  }
}

/** Validates one value against a schema: the list of problems, empty when it conforms. */
export function compileSchemaValidator(schema: DtdlSchema): (value: unknown, path?: string) => ValidationProblem[] {
  const compiled = compileSchema(schema);
  return (value, path = '') => {
    const problems: ValidationProblem[] = [];
    compiled(value, path, problems);
    return problems;
  };
}

/** Every field is optional; members that are not fields are not allowed. */
function compileObject(fieldSchemas: Record<string, DtdlSchema>): CompiledSchema {
  const fields = new Map(Object.entries(fieldSchemas).map(([name, schema]) => [name, compileSchema(schema)]));
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push({ path, message: `Expected an object, got ${describeValue(value)}.` });
      return;
    }
    for (const [name, fieldValue] of Object.entries(value)) {
      const field = fields.get(name);
      if (field) field(fieldValue, childPath(path, name), problems);
      else problems.push({ path: childPath(path, name), message: `'${name}' is not a field of this object.` });
    }
  };
}

function compileMap(valueSchema: CompiledSchema): CompiledSchema {
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push({ path, message: `Expected a map (JSON object), got ${describeValue(value)}.` });
      return;
    }
    for (const [key, entry] of Object.entries(value)) {
      const keyProblem = mapKeyProblem(key);
      if (keyProblem) problems.push({ path: childPath(path, key), message: keyProblem });
      else valueSchema(entry, childPath(path, key), problems);
    }
  };
}

/** Map keys become twin member names: non-empty, within ADT's name length, not `$`-prefixed (reserved for metadata). */
function mapKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'A map key must not be empty.';
  if (key.startsWith('$')) return `The map key '${key}' must not start with '$'.`;
  if (Buffer.byteLength(key, 'utf8') > MAX_MAP_KEY_BYTES) return `A map key must be at most ${MAX_MAP_KEY_BYTES} UTF-8 bytes.`;
  return undefined;
}
