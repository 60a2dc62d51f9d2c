import type { FlattenedInterface } from '@odt/contracts';
import { compileSchema, type CompiledSchema } from './schema-validator';
import { childPath, describeValue, isPlainObject, type ValidationProblem } from './validation-problem';

/** Validates the user members of a twin document; empty result = conforms. */
export type TwinValidator = (twin: Record<string, unknown>) => ValidationProblem[];

type MembersValidator = (members: Record<string, unknown>, path: string, problems: ValidationProblem[]) => void;

/**
 * Compiles the validator of twins of one Interface: its properties (inherited included) and its
 * components. Members whose names start with `$` (`$dtId`, `$etag`, `$metadata`) are the caller's;
 * a component object may carry `$metadata` only. `getComponent` returns a component schema's
 * flattened Interface and is called once per component, here.
 */
export function compileInterfaceValidator(
  flattened: FlattenedInterface,
  getComponent: (interfaceId: string) => FlattenedInterface,
): TwinValidator {
  const components = new Map(
    Object.entries(flattened.components).map(([name, interfaceId]) => [name, compileMembers(getComponent(interfaceId), 'component')]),
  );
  const ownMembers = compileMembers(flattened, 'twin', components);
  return (twin) => {
    const problems: ValidationProblem[] = [];
    ownMembers(twin, '', problems);
    for (const name of components.keys()) {
      if (!Object.hasOwn(twin, name)) problems.push({ path: childPath('', name), message: `The component '${name}' is required.` });
    }
    return problems;
  };
}

function compileMembers(
  iface: FlattenedInterface,
  level: 'twin' | 'component',
  components = new Map<string, MembersValidator>(),
): MembersValidator {
  const properties = new Map<string, CompiledSchema>(
    Object.entries(iface.properties).map(([name, property]) => [name, compileSchema(property.schema)]),
  );
  const telemetry = new Set(iface.telemetry);
  const where = level === 'twin' ? `model ${iface.id}` : `component interface ${iface.id}`;

  return (members, path, problems) => {
    for (const [name, value] of Object.entries(members)) {
      const memberPath = childPath(path, name);
      if (name.startsWith('$')) {
        if (level === 'component' && name !== '$metadata') problems.push({ path: memberPath, message: `'${name}' is not allowed in a component.` });
        continue;
      }
      const property = properties.get(name);
      const component = components.get(name);
      if (property) property(value, memberPath, problems);
      else if (component) validateComponent(component, value, memberPath, problems);
      else problems.push({ path: memberPath, message: unknownMemberMessage(name, where, telemetry.has(name), Object.hasOwn(iface.components, name)) });
    }
  };
}

function validateComponent(component: MembersValidator, value: unknown, path: string, problems: ValidationProblem[]): void {
  if (isPlainObject(value)) component(value, path, problems);
  else problems.push({ path, message: `A component must be an object, got ${describeValue(value)}.` });
}

function unknownMemberMessage(name: string, where: string, isTelemetry: boolean, isNestedComponent: boolean): string {
  if (isTelemetry) return `'${name}' is a Telemetry of ${where}; telemetry is not stored on twins.`;
  if (isNestedComponent) return `'${name}' is a component of ${where}; components cannot be nested.`;
  return `'${name}' is not a property or component of ${where}.`;
}
