import { EventFilterError, quoted } from './event-filter-error';
import type { SymbolText, Token } from './token';

const WORD = /\$?[\p{L}_][\p{L}\p{N}_]*/uy;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD_CHAR = /[\p{L}\p{N}_$]/u;
const WHITESPACE = /\s/u;
/** Characters that end an unquoted `$patch.` pointer. */
const POINTER_END = /[\s=!<>(),']/u;
const TWO_CHAR_SYMBOLS: readonly SymbolText[] = ['!=', '<=', '>='];
const ONE_CHAR_SYMBOLS: readonly SymbolText[] = ['=', '<', '>', '(', ')', ',', '.', '-'];

/** Splits filter text into tokens; the last one is always `end`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  while (offset < text.length) {
    const char = text[offset];
    if (WHITESPACE.test(char)) {
      offset += 1;
      continue;
    }
    const word = sticky(WORD, text, offset);
    if (word) {
      const end = offset + word.length;
      if (word.toLowerCase() === '$patch' && text[end] === '.' && text[offset - 1] !== '.') {
        const patch = readPointer(text, end + 1);
        tokens.push({ kind: 'patch', pointer: patch.pointer, position: offset });
        offset = patch.end;
      } else {
        tokens.push({ kind: 'word', text: word, position: offset });
        offset = end;
      }
      continue;
    }
    const number = sticky(NUMBER, text, offset);
    if (number) {
      const end = offset + number.length;
      if (end < text.length && WORD_CHAR.test(text[end])) {
        throw new EventFilterError(offset, `invalid number ${quoted(text.slice(offset, end + 1))}`);
      }
      tokens.push({ kind: 'number', value: Number(number), text: number, position: offset });
      offset = end;
      continue;
    }
    if (char === "'") {
      const string = readString(text, offset);
      tokens.push({ kind: 'string', value: string.value, position: offset });
      offset = string.end;
      continue;
    }
    const two = text.slice(offset, offset + 2);
    const symbol = TWO_CHAR_SYMBOLS.find((s) => s === two) ?? ONE_CHAR_SYMBOLS.find((s) => s === char);
    if (symbol) {
      tokens.push({ kind: 'symbol', symbol, position: offset });
      offset += symbol.length;
      continue;
    }
    if (char === '"') throw new EventFilterError(offset, 'strings are written in single quotes');
    throw new EventFilterError(offset, `unexpected character ${quoted(String.fromCodePoint(text.codePointAt(offset) ?? 0))}`);
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}

function sticky(pattern: RegExp, text: string, offset: number): string | undefined {
  pattern.lastIndex = offset;
  return pattern.exec(text)?.[0];
}

/**
 * A single-quoted string starting at `start`. A quote inside is written `\'` or `''`; `\\` is a
 * backslash; any other backslash is kept as it is.
 */
function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let offset = start + 1;
  while (offset < text.length) {
    const char = text[offset];
    if (char === '\\' && (text[offset + 1] === "'" || text[offset + 1] === '\\')) {
      value += text[offset + 1];
      offset += 2;
    } else if (char === "'") {
      if (text[offset + 1] !== "'") return { value, end: offset + 1 };
      value += "'";
      offset += 2;
    } else {
      value += char;
      offset += 1;
    }
  }
  throw new EventFilterError(start, 'unterminated string');
}

/** The JSON pointer after `$patch.`: quoted, or unquoted up to whitespace or an operator. */
function readPointer(text: string, offset: number): { pointer: string; end: number } {
  let pointer: string;
  let end: number;
  if (text[offset] === "'") {
    const string = readString(text, offset);
    pointer = string.value;
    end = string.end;
  } else {
    end = offset;
    while (end < text.length && !POINTER_END.test(text[end])) end += 1;
    pointer = text.slice(offset, end);
  }
  if (!pointer.startsWith('/')) {
    throw new EventFilterError(offset, `'$patch.' must be followed by a JSON pointer such as '/Temperature'`);
  }
  return { pointer, end };
}
