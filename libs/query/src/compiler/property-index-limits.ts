/**
 * What the twins service's property index (`twins.twin_properties`) holds, shared by the
 * migration that maintains it and the compiler that reads it, so both agree on which paths and
 * values it can answer for. A btree entry must stay under ~2,700 bytes: paths longer than
 * `maxPathBytes` (UTF-8, segments concatenated) are not indexed, and strings are indexed by their
 * first `stringPrefixChars` characters (the full string is in the row and decides).
 */
export const PROPERTY_INDEX_LIMITS = Object.freeze({
  maxPathBytes: 1000,
  stringPrefixChars: 200,
  /** Keys that are never indexed, at any depth (system metadata, not properties). */
  skippedKey: '$metadata',
});
