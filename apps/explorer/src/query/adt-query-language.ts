import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';

const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'JOIN', 'RELATED', 'AS', 'AND', 'OR', 'NOT', 'IN', 'NIN', 'TOP', 'COUNT', 'MATCH', 'ORDER', 'BY', 'ASC', 'DESC', 'OPTION', 'EXTENDED', 'DIGITALTWINS', 'RELATIONSHIPS', 'NULL', 'TRUE', 'FALSE']);
const FUNCTIONS = new Set(['IS_OF_MODEL', 'IS_DEFINED', 'IS_NULL', 'IS_PRIMITIVE', 'IS_BOOL', 'IS_NUMBER', 'IS_STRING', 'IS_OBJECT', 'STARTSWITH', 'ENDSWITH', 'CONTAINS']);

/** ADT's query language for CodeMirror: keywords, functions, strings, numbers, `$` system properties. */
export const adtQueryLanguage = StreamLanguage.define<null>({
  name: 'adt-query',
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^'(?:[^'\\]|\\.)*'?/) || stream.match(/^"(?:[^"\\]|\\.)*"?/)) return 'string';
    if (stream.match(/^-?\d+(\.\d+)?/)) return 'number';
    if (stream.match(/^\$[A-Za-z]+/)) return 'atom';
    if (stream.match(/^\[[^\]]*\]/)) return null;
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0].toUpperCase();
      if (KEYWORDS.has(w)) return 'keyword';
      if (FUNCTIONS.has(w)) return 'function';
      return 'variableName';
    }
    if (stream.match(/^(<=|>=|!=|=|<|>|-\[|\]->|->|<-)/)) return 'operator';
    stream.next();
    return null;
  },
  tokenTable: { function: tags.function(tags.variableName) },
});

export const adtQueryHighlight = syntaxHighlighting(HighlightStyle.define([
  { tag: tags.keyword, color: '#0033b3', fontWeight: 'bold' },
  { tag: tags.string, color: '#067d17' },
  { tag: tags.number, color: '#1750eb' },
  { tag: tags.atom, color: '#871094' },
  { tag: tags.function(tags.variableName), color: '#00627a' },
  { tag: tags.operator, color: '#555' },
]));
