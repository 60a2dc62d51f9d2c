import type { Literal, Operand, Predicate, StringFunction } from './ast';
import { ENVELOPE_ATTRIBUTES, type EnvelopeAttribute } from './event';
import { EventFilterError, quoted } from './event-filter-error';
import { legacyEventTypes } from './legacy-event-types';
import { tokenize } from './lexer';
import { EVENT_FILTER_LIMITS } from './limits';
import { describeToken, isComparisonOperator, type ComparisonOperator, type SymbolText, type Token } from './token';

const STRING_FUNCTIONS: readonly StringFunction[] = ['STARTS_WITH', 'ENDS_WITH', 'CONTAINS'];
/** Words that are never a field name. */
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'TRUE', 'FALSE', 'NULL', ...STRING_FUNCTIONS, 'CHANGED']);

/**
 * Parses route filter text (reference §5.3 plus the extensions in the README) into a predicate.
 * Throws `EventFilterError` with the offending position.
 */
export function parseEventFilter(text: string): Predicate {
  if (text.length > EVENT_FILTER_LIMITS.maxLength) {
    throw new EventFilterError(
      EVENT_FILTER_LIMITS.maxLength,
      `a filter is at most ${EVENT_FILTER_LIMITS.maxLength} characters (this one has ${text.length})`,
    );
  }
  const parser = new Parser(tokenize(text));
  if (parser.peek().kind === 'end') throw new EventFilterError(0, 'the filter is empty');
  const predicate = parser.parseOr();
  parser.expectEnd();
  return predicate;
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') {
      throw new EventFilterError(token.position, `expected AND, OR or the end of the filter, found ${describeToken(token)}`);
    }
  }

  parseOr(): Predicate {
    const items = [this.parseAnd()];
    while (this.isKeyword(this.peek(), 'OR')) {
      this.index += 1;
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private parseAnd(): Predicate {
    const items = [this.parseUnary()];
    while (this.isKeyword(this.peek(), 'AND')) {
      this.index += 1;
      items.push(this.parseUnary());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private parseUnary(): Predicate {
    const token = this.peek();
    if (this.isKeyword(token, 'NOT')) {
      this.index += 1;
      return this.nested(token, () => ({ kind: 'not', item: this.parseUnary() }));
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Predicate {
    const token = this.peek();
    if (this.isSymbol(token, '(')) {
      this.index += 1;
      return this.nested(token, () => {
        const inner = this.parseOr();
        this.expectSymbol(')', 'to close the parenthesis');
        return inner;
      });
    }
    if (token.kind === 'end') throw new EventFilterError(token.position, 'expected a condition, found the end of the filter');
    if (token.kind === 'word' && this.isSymbol(this.peek(1), '(')) {
      const name = token.text.toUpperCase();
      if (name === 'CHANGED') return this.parseChanged(token);
      const stringFunction = STRING_FUNCTIONS.find((f) => f === name);
      if (stringFunction) return this.parseStringFunction(token, stringFunction);
      throw new EventFilterError(token.position, `unknown function ${quoted(token.text)}`);
    }
    if (token.kind === 'word' && token.text.toLowerCase() === '$eventtype') return this.parseLegacyEventType(token, true);
    const left = this.parseOperand();
    const operatorToken = this.peek();
    if (operatorToken.kind === 'symbol' && isComparisonOperator(operatorToken.symbol)) {
      this.index += 1;
      const next = this.peek();
      if (next.kind === 'word' && next.text.toLowerCase() === '$eventtype') {
        return this.parseLegacyEventType(next, false, left, operatorToken.symbol, operatorToken.position);
      }
      return { kind: 'compare', operator: operatorToken.symbol, left, right: this.parseOperand() };
    }
    if (left.kind === 'literal' && typeof left.value === 'boolean') return { kind: 'constant', value: left.value };
    throw new EventFilterError(
      operatorToken.position,
      `expected a comparison operator (=, !=, <, <=, >, >=), found ${describeToken(operatorToken)}`,
    );
  }

  private parseStringFunction(token: Token, name: StringFunction): Predicate {
    this.index += 2;
    return this.nested(token, () => {
      const value = this.parseStringArgument(name);
      this.expectSymbol(',', `${name} takes two arguments`);
      const argument = this.parseStringArgument(name);
      this.expectSymbol(')', `${name} takes two arguments`);
      return { kind: 'function', name, value, argument };
    });
  }

  private parseStringArgument(name: StringFunction): Operand {
    const operand = this.parseOperand();
    if (operand.kind === 'literal' && typeof operand.value !== 'string') {
      throw new EventFilterError(operand.position, `the arguments of ${name} are strings`);
    }
    return operand;
  }

  private parseChanged(token: Token): Predicate {
    this.index += 2;
    return this.nested(token, () => {
      const argument = this.peek();
      if (argument.kind !== 'string') {
        throw new EventFilterError(argument.position, `CHANGED takes a JSON pointer string such as '/Temperature'`);
      }
      if (argument.value !== '' && !argument.value.startsWith('/')) {
        throw new EventFilterError(argument.position, `${quoted(argument.value)} is not a JSON pointer (it must start with '/')`);
      }
      this.index += 1;
      this.expectSymbol(')', 'CHANGED takes one argument');
      return { kind: 'changed', pointer: argument.value };
    });
  }

  /** `$eventType = 'Name'`, `$eventType != 'Name'` or the same with the sides swapped. */
  private parseLegacyEventType(
    token: Token,
    leftSide: boolean,
    literal?: Operand,
    operator?: ComparisonOperator,
    operatorPosition?: number,
  ): Predicate {
    this.index += 1;
    let op = operator;
    let opPosition = operatorPosition ?? token.position;
    let name = literal;
    if (leftSide) {
      const operatorToken = this.peek();
      if (operatorToken.kind !== 'symbol' || !isComparisonOperator(operatorToken.symbol)) {
        throw new EventFilterError(operatorToken.position, `expected = or != after $eventType, found ${describeToken(operatorToken)}`);
      }
      this.index += 1;
      op = operatorToken.symbol;
      opPosition = operatorToken.position;
      name = this.parseOperand();
    }
    if (op !== '=' && op !== '!=') throw new EventFilterError(opPosition, '$eventType can only be compared with = or !=');
    if (name?.kind !== 'literal' || typeof name.value !== 'string') {
      throw new EventFilterError(name?.position ?? token.position, '$eventType is compared with a string such as \'DigitalTwinTelemetryMessages\'');
    }
    const types = legacyEventTypes(name.value);
    if (!types) throw new EventFilterError(name.position, `unknown event type ${quoted(name.value)}`);
    return { kind: 'eventType', types, negated: op === '!=' };
  }

  private parseOperand(): Operand {
    const token = this.peek();
    const position = token.position;
    switch (token.kind) {
      case 'string':
        this.index += 1;
        return { kind: 'literal', value: token.value, position };
      case 'number':
        this.index += 1;
        return { kind: 'literal', value: token.value, position };
      case 'patch':
        this.index += 1;
        return { kind: 'patch', pointer: token.pointer, position };
      case 'symbol': {
        const next = this.peek(1);
        if (token.symbol === '-' && next.kind === 'number' && next.position === position + 1) {
          this.index += 2;
          return { kind: 'literal', value: -next.value, position };
        }
        throw new EventFilterError(position, `expected a field or a value, found ${describeToken(token)}`);
      }
      case 'end':
        throw new EventFilterError(position, 'expected a field or a value, found the end of the filter');
      case 'word':
        this.index += 1;
        return this.wordOperand(token.text, position);
    }
  }

  private wordOperand(text: string, position: number): Operand {
    const upper = text.toUpperCase();
    const literals: Record<string, Literal> = { TRUE: true, FALSE: false, NULL: null };
    if (upper in literals) return { kind: 'literal', value: literals[upper], position };
    if (KEYWORDS.has(upper)) throw new EventFilterError(position, `expected a field or a value, found '${text}'`);
    if (text.toLowerCase() === '$body') return { kind: 'body', path: this.parsePath(position + text.length), position };
    if (text.toLowerCase() === '$eventtype') {
      throw new EventFilterError(position, '$eventType can only be compared with = or != to a string');
    }
    const attribute = ENVELOPE_ATTRIBUTES.find((name) => name === text.toLowerCase());
    if (attribute) return { kind: 'attribute', name: attribute as EnvelopeAttribute, position };
    throw new EventFilterError(
      position,
      `unknown field ${quoted(text)} (use ${ENVELOPE_ATTRIBUTES.join(', ')} or $body.<path>)`,
    );
  }

  /** The `.name.$name…` after `$body`, written without spaces. */
  private parsePath(end: number): string[] {
    const path: string[] = [];
    let expected = end;
    for (let dot = this.peek(); this.isSymbol(dot, '.') && dot.position === expected; dot = this.peek()) {
      const segment = this.peek(1);
      if (segment.kind !== 'word' || segment.position !== dot.position + 1) {
        throw new EventFilterError(dot.position + 1, `expected a property name after '.'`);
      }
      path.push(segment.text);
      expected = segment.position + segment.text.length;
      this.index += 2;
    }
    const after = this.peek();
    if (this.isSymbol(after, '.')) throw new EventFilterError(after.position, 'a $body path is written without spaces');
    return path;
  }

  private nested<T>(token: Token, parse: () => T): T {
    this.depth += 1;
    if (this.depth > EVENT_FILTER_LIMITS.maxDepth) {
      throw new EventFilterError(token.position, `the filter nests more than ${EVENT_FILTER_LIMITS.maxDepth} levels deep`);
    }
    const result = parse();
    this.depth -= 1;
    return result;
  }

  private expectSymbol(symbol: SymbolText, why: string): void {
    const token = this.peek();
    if (!this.isSymbol(token, symbol)) {
      throw new EventFilterError(token.position, `expected '${symbol}' (${why}), found ${describeToken(token)}`);
    }
    this.index += 1;
  }

  private isSymbol(token: Token, symbol: SymbolText): boolean {
    return token.kind === 'symbol' && token.symbol === symbol;
  }

  private isKeyword(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toUpperCase() === word;
  }
}
