import { DomainError } from '@odt/contracts';
import { checkGraphId, GRAPH_ID } from './ids';

function rejection(id: unknown): DomainError {
  try {
    checkGraphId('digital twin', id);
  } catch (err) {
    return err as DomainError;
  }
  throw new Error(`${JSON.stringify(id)} was accepted`);
}

describe('checkGraphId', () => {
  it.each([
    'room1',
    'Room-1.floor_2~a',
    "a:b@c!d$e&f'g(h)i*j+k,l;m=n",
    'x',
    'x'.repeat(128),
    '...',
    '.hidden',
  ])('accepts %s', (id) => {
    expect(() => checkGraphId('digital twin', id)).not.toThrow();
    expect(GRAPH_ID.test(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'x'.repeat(129)],
    ['1 KB', 'x'.repeat(1024)],
    ['a slash', 'a/b'],
    ['a percent sign', 'a%2Fb'],
    ['a question mark', 'a?b'],
    ['a hash', 'a#b'],
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['a control character', 'a\u0001b'],
    ['DEL', 'a\u007fb'],
    ['non-ASCII', 'café'],
    ['an emoji', 'room🙂'],
    ['a double quote', 'a"b'],
    ['angle brackets', 'a<b>'],
    ['a backslash', 'a\\b'],
    ['the dot segment .', '.'],
    ['the dot segment ..', '..'],
    ['a non-string', 42],
  ])('rejects an id that is %s with InvalidArgument naming the rule', (_what, id) => {
    const err = rejection(id);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('1 to 128 characters from A-Z a-z 0-9');
  });

  it('echoes an offending id with its unprintable characters escaped', () => {
    expect(rejection('a\nb').message).toContain("'a\\u{a}b'");
  });
});
