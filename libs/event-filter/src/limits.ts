/** Limits on filter text (reference §5.3 / §6). */
export const EVENT_FILTER_LIMITS = {
  /** Characters of filter text. */
  maxLength: 4096,
  /** Nested parentheses, `NOT`s and function calls, counted together. */
  maxDepth: 32,
} as const;
