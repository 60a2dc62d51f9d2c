/** A syntax tree without its source positions, to compare shapes in tests. */
export function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, entry]) => key !== 'at' && key !== 'optionAt' && entry !== undefined)
      .map(([key, entry]) => [key, withoutPositions(entry)]),
  );
}
