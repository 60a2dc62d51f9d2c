import { queryParseError, quoted } from '../query-errors';
import { SYMBOLS, type Token } from './token';

const IDENTIFIER = /\$?[\p{L}_][\p{L}\p{N}_]*/uy;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** `[[word]]` lets a reserved word be a name (ADT's escaping). */
const ESCAPED_IDENTIFIER = /\[\[([^[\]\r\n]+)\]\]/y;
const WHITESPACE = /\s/u;

/** Splits query text into tokens; the last one is always `end`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const cursor = new Cursor(text);
  while (!cursor.done()) {
    const char = text[cursor.offset];
    if (WHITESPACE.test(char)) {
      cursor.advanceTo(cursor.offset + 1);
      continue;
    }
    const start = { line: cursor.line, column: cursor.column() };
    const begin = cursor.offset;
    const escaped = sticky(ESCAPED_IDENTIFIER, text, begin);
    const word = escaped ? undefined : sticky(IDENTIFIER, text, begin);
    const number = escaped || word ? undefined : sticky(NUMBER, text, begin);
    if (escaped) {
      if (escaped[1].includes('\u0000')) throw noNulError(start);
      tokens.push({ kind: 'identifier', name: wellFormed(escaped[1]), escaped: true, text: escaped[0], ...start });
    } else if (word) {
      tokens.push({ kind: 'identifier', name: word[0], escaped: false, text: word[0], ...start });
    } else if (number) {
      const value = Number(number[0]);
      if (!Number.isFinite(value)) throw queryParseError(start.line, start.column, `number out of range ${quoted(number[0])}`);
      tokens.push({ kind: 'number', value, text: number[0], ...start });
    } else if (char === "'" || char === '"') {
      const literal = readString(text, begin);
      if (!literal) throw queryParseError(start.line, start.column, `unterminated string literal at ${quoted(text.slice(begin))}`);
      if (literal.value.includes('\u0000')) throw noNulError(start);
      tokens.push({ kind: 'string', value: wellFormed(literal.value), text: text.slice(begin, literal.end), ...start });
      cursor.advanceTo(literal.end);
      continue;
    } else {
      const symbol = SYMBOLS.find((s) => text.startsWith(s, begin));
      if (!symbol) throw queryParseError(start.line, start.column, `token recognition error at: ${quoted(String.fromCodePoint(text.codePointAt(begin) ?? 0))}`);
      tokens.push({ kind: 'symbol', symbol, text: symbol, ...start });
    }
    cursor.advanceTo(begin + tokens[tokens.length - 1].text.length);
  }
  tokens.push({ kind: 'end', text: '', line: cursor.line, column: cursor.column() });
  return tokens;
}

/** Postgres text cannot hold NUL, so no name or literal may contain one. */
function noNulError(start: { line: number; column: number }) {
  return queryParseError(start.line, start.column, 'the NUL character is not allowed in names or strings');
}

/** Lone UTF-16 surrogates become U+FFFD, as node-postgres would send them; Postgres JSON refuses them. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function sticky(pattern: RegExp, text: string, offset: number): RegExpExecArray | null {
  pattern.lastIndex = offset;
  return pattern.exec(text);
}

/** A quoted string; `\'` (and `\"`, `\\`) escape, other backslashes stay as written. */
function readString(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start];
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    const next = text[i + 1];
    if (char === '\\' && (next === "'" || next === '"' || next === '\\')) {
      value += next;
      i++;
    } else if (char === quote) {
      return { value, end: i + 1 };
    } else {
      value += char;
    }
  }
  return undefined;
}

/** Offset plus line/column bookkeeping (`\r\n`, `\n` and `\r` each end a line). */
class Cursor {
  offset = 0;
  line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.offset >= this.text.length;
  }

  column(): number {
    return this.offset - this.lineStart;
  }

  advanceTo(end: number): void {
    for (let i = this.offset; i < end; i++) {
      const char = this.text[i];
      if (char === '\n' || (char === '\r' && this.text[i + 1] !== '\n')) {
        this.line++;
        this.lineStart = i + 1;
      }
    }
    this.offset = end;
  }
}
