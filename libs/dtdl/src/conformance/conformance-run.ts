import { DomainError } from '@odt/contracts';
import type { DtdlParser } from '../parser/dtdl-parser';
import { validateModels } from '../validate-models/validate-models';
import { batchOf, storedModelsOf, type LocatedCase } from './conformance-cases';
import { skipReasonOf } from './conformance-skips';

// Test support: runs the conformance model cases through `validateModels` and tallies the verdicts.

const INLINE_INTERFACE = 'inlineInterface';
const INLINE_SKIP_REASON = 'valid but defines an Interface inline, which ADT rejects';

export interface Disagreement {
  file: string;
  index: number;
  expected: 'valid' | 'invalid';
  got: 'accepted' | 'rejected' | 'failed';
  /** First problem reported (rejected/failed), absent when accepted. */
  firstError?: string;
}

export interface VersionTally {
  run: number;
  agreed: number;
  disagreed: Disagreement[];
  skipped: Record<string, number>;
  /** Cases that expect `unresolvedIdentifiers`, and how many of them our error names exactly. */
  missingReferences: { checked: number; named: number };
}

export async function runModelCases(cases: LocatedCase[], parser: DtdlParser): Promise<Record<number, VersionTally>> {
  const tallies: Record<number, VersionTally> = {};
  for (const located of cases) {
    const tally = (tallies[located.dtdlVersion] ??= { run: 0, agreed: 0, disagreed: [], skipped: {}, missingReferences: { checked: 0, named: 0 } });
    const skipReason = skipReasonOf(located);
    if (skipReason) {
      countSkip(tally, skipReason);
      continue;
    }
    const verdict = await verdictOf(located, parser);
    // ADT (unlike DTDL) requires every Interface to be a top-level model. A valid case rejected for
    // that alone passed the parser, so it says nothing about agreement with DTDL; set it aside.
    if (verdict.code === INLINE_INTERFACE && located.modelCase.valid) {
      countSkip(tally, INLINE_SKIP_REASON);
      continue;
    }
    tally.run++;
    const expectedMissing = located.modelCase.expect?.unresolvedIdentifiers;
    if (expectedMissing) {
      tally.missingReferences.checked++;
      if (sameSet(expectedMissing, verdict.missingIds ?? [])) tally.missingReferences.named++;
    }
    if ((verdict.got === 'accepted') === located.modelCase.valid && verdict.got !== 'failed') {
      tally.agreed++;
    } else {
      const { got, firstError } = verdict;
      tally.disagreed.push({ file: located.file, index: located.index, expected: located.modelCase.valid ? 'valid' : 'invalid', got, firstError });
    }
  }
  return tallies;
}

function countSkip(tally: VersionTally, reason: string): void {
  tally.skipped[reason] = (tally.skipped[reason] ?? 0) + 1;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

type Verdict = Pick<Disagreement, 'got' | 'firstError'> & { code?: string; missingIds?: string[] };

async function verdictOf(located: LocatedCase, parser: DtdlParser): Promise<Verdict> {
  try {
    await validateModels(batchOf(located.modelCase), parser, storedModelsOf(located.modelCase));
    return { got: 'accepted' };
  } catch (error) {
    if (error instanceof DomainError) {
      const first = error.details?.[0];
      const missingIds = error.details?.filter((detail) => detail.code === 'unresolvedReference').map((detail) => detail.target ?? '');
      return { got: 'rejected', code: first?.code, firstError: first?.message ?? error.message, missingIds };
    }
    return { got: 'failed', firstError: error instanceof Error ? error.message : String(error) };
  }
}
