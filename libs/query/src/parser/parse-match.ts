import type { HopRange, MatchEdge, MatchNode, MatchPattern } from '../ast';
import type { TokenStream } from './token-stream';

/** `(node) (edge (node))*` after MATCH. */
export function parseMatchPattern(tokens: TokenStream): MatchPattern {
  const nodes = [parseNode(tokens)];
  const edges: MatchEdge[] = [];
  while (tokens.atSymbol('-') || tokens.atSymbol('<')) {
    edges.push(parseEdge(tokens));
    nodes.push(parseNode(tokens));
  }
  return { nodes, edges };
}

/** `(alias)` or `()`. */
function parseNode(tokens: TokenStream): MatchNode {
  const at = tokens.position();
  tokens.expectSymbol('(');
  const alias = tokens.peek().kind === 'identifier' ? tokens.expectName('a twin alias') : undefined;
  tokens.expectSymbol(')');
  return { alias, at };
}

/** `-[condition]->`, `<-[condition]-` or `-[condition]-`. */
function parseEdge(tokens: TokenStream): MatchEdge {
  const at = tokens.position();
  const pointsLeft = tokens.acceptSymbol('<');
  tokens.expectSymbol('-');
  tokens.expectSymbol('[');
  const variable = tokens.peek().kind === 'identifier' ? tokens.expectName('a relationship variable') : undefined;
  const names: string[] = [];
  if (tokens.acceptSymbol(':')) {
    do names.push(tokens.expectMemberName('a relationship name'));
    while (tokens.acceptSymbol('|'));
  }
  const hops = tokens.atSymbol('*') ? parseHops(tokens) : { min: 1, max: 1 };
  tokens.expectSymbol(']');
  tokens.expectSymbol('-');
  const arrowHead = tokens.peek();
  const pointsRight = tokens.acceptSymbol('>');
  if (pointsLeft && pointsRight) throw tokens.errorAt(arrowHead, 'a relationship condition points one way (-[]-> or <-[]-) or either way (-[]-), not both ways');
  return { direction: pointsRight ? 'out' : pointsLeft ? 'in' : 'any', variable, names, hops, at };
}

/**
 * ADT's hop counts: `*n` exactly n, `*..b` 1 to b, `*a..b` more than a and at most b (the lower
 * bound is exclusive: `*1..3` is 2 or 3 hops).
 */
function parseHops(tokens: TokenStream): HopRange {
  const star = tokens.next();
  const hops = readHops(tokens);
  if (hops.min < 1 || hops.max < hops.min) {
    throw tokens.errorAt(star, `no path has ${hops.written} hops (*a..b means more than a and at most b)`);
  }
  return { min: hops.min, max: hops.max };
}

function readHops(tokens: TokenStream): HopRange & { written: string } {
  if (tokens.acceptSymbol('..')) {
    const max = tokens.expectInteger('a hop count');
    return { min: 1, max, written: `*..${max}` };
  }
  const first = tokens.expectInteger('a hop count');
  if (!tokens.acceptSymbol('..')) return { min: first, max: first, written: `*${first}` };
  const max = tokens.expectInteger('a hop count');
  return { min: first + 1, max, written: `*${first}..${max}` };
}
