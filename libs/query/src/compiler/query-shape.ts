import { tokenize } from '../lexer/lexer';
import type { Token } from '../lexer/token';
import type { CompiledQuery } from './compile-query';

/** A query's text without its string and number literals (the key), and those literals in order. */
export interface QueryShape {
  key: string;
  literals: (string | number)[];
}

/** Where each parameter of a shape's statement comes from: a literal (as is, or as its JSON text), or a constant. */
type ParameterSource = { literal: number; json: boolean } | { constant: unknown };

/** A shape's compiled statement with its parameters to fill in from any query of that shape. */
export interface ShapeTemplate {
  compiled: Omit<CompiledQuery, 'params'>;
  params: ParameterSource[];
}

const LITERAL_KINDS = new Set<Token['kind']>(['string', 'number']);

/**
 * The shape of a query: its tokens, literals replaced by their kind. Undefined when the text does
 * not even split into tokens (compiling it reports why). Whitespace and line breaks do not count.
 */
export function queryShape(text: string): QueryShape | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    return undefined;
  }
  const literals: (string | number)[] = [];
  // NUL never occurs in a token (the lexer refuses it); \u0001 and \u0002 start no token's text.
  let key = '';
  for (const token of tokens) {
    if (token.kind === 'string') {
      literals.push(token.value);
      key += '\u0001\u0000';
    } else if (token.kind === 'number') {
      literals.push(token.value);
      key += '\u0002\u0000';
    } else {
      key += `${token.text}\u0000`;
    }
  }
  return { key, literals };
}

/**
 * The template of `text`'s shape, or undefined when its statement is not the same for every value
 * of its literals. `compiled` is `text` compiled; `compile` compiles two variants of it, each
 * literal replaced by a distinct value of its kind, unlike the others (strings with and without a
 * space, whole and fractional numbers, small and large), so that a value-dependent rule (a DTMI
 * checked, a pattern escaped, TOP's count in the page size) shows as a statement that differs, a
 * parameter not found among the literals, or an error. Each parameter must then be a literal of
 * the same position in all three, or the same constant.
 */
export function shapeTemplate(text: string, compiled: CompiledQuery, compile: (text: string) => CompiledQuery): ShapeTemplate | undefined {
  const spans = literalSpans(text);
  if (!spans) return undefined;
  const samples: (string | number)[][] = [
    spans.map(({ kind }, i) => (kind === 'string' ? `odt shape ${i}` : i + 0.5)),
    spans.map(({ kind }, i) => (kind === 'string' ? `${i}:x` : 1_000_003 + 3 * i)),
  ];
  const variants: CompiledQuery[] = [];
  for (const values of samples) {
    try {
      variants.push(compile(withLiterals(text, spans, values)));
    } catch {
      return undefined;
    }
  }
  const { params, ...statement } = compiled;
  const same = JSON.stringify(statement);
  if (variants.some(({ params: p, ...rest }) => p.length !== params.length || JSON.stringify(rest) !== same)) return undefined;
  const sources: ParameterSource[] = [];
  for (let j = 0; j < params.length; j++) {
    const [a, b] = [variants[0].params[j], variants[1].params[j]];
    const literal = samples[0].findIndex((value, i) => (a === value && b === samples[1][i]) || (a === JSON.stringify(value) && b === JSON.stringify(samples[1][i])));
    if (literal >= 0) sources.push({ literal, json: a !== samples[0][literal] });
    else if (JSON.stringify(a) === JSON.stringify(b)) sources.push({ constant: a });
    else return undefined;
  }
  const template: ShapeTemplate = { compiled: statement, params: sources };
  const shape = queryShape(text);
  // The original's own parameters must come out of the template too.
  if (!shape || JSON.stringify(fromTemplate(template, shape.literals).params) !== JSON.stringify(params)) return undefined;
  return template;
}

/**
 * Whether a query's literals may fill a template: each string non-empty and no two literals
 * alike (the template was derived from distinct, non-empty values; these stay off its edges).
 */
export function literalsFitTemplate(literals: readonly (string | number)[]): boolean {
  return literals.every((v, i) => v !== '' && literals.indexOf(v) === i);
}

/** The statement of a query of the template's shape, with that query's literals. */
export function fromTemplate(template: ShapeTemplate, literals: readonly (string | number)[]): CompiledQuery {
  const params = template.params.map((source) => {
    if ('constant' in source) return source.constant;
    const value = literals[source.literal];
    return source.json ? JSON.stringify(value) : value;
  });
  return { ...template.compiled, params };
}

interface LiteralSpan {
  kind: 'string' | 'number';
  start: number;
  end: number;
}

/** Where each literal is in the text (offsets), or undefined if the tokens cannot be placed. */
function literalSpans(text: string): LiteralSpan[] | undefined {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n' || (char === '\r' && text[i + 1] !== '\n')) lineStarts.push(i + 1);
  }
  const spans: LiteralSpan[] = [];
  for (const token of tokenize(text)) {
    if (!LITERAL_KINDS.has(token.kind)) continue;
    const start = lineStarts[token.line - 1] + token.column;
    if (text.slice(start, start + token.text.length) !== token.text) return undefined;
    spans.push({ kind: token.kind as LiteralSpan['kind'], start, end: start + token.text.length });
  }
  return spans;
}

function withLiterals(text: string, spans: LiteralSpan[], values: (string | number)[]): string {
  let out = '';
  let at = 0;
  spans.forEach((span, i) => {
    out += text.slice(at, span.start) + (span.kind === 'string' ? `'${values[i]}'` : String(values[i]));
    at = span.end;
  });
  return out + text.slice(at);
}
