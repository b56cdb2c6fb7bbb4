import type { Verifier, VerifierResult } from './verifier.js';

/** Phrases with which models refuse or admit they do not know. */
const REFUSAL =
  /\b(?:I(?:'m| am) (?:sorry|afraid|unable|not able)|I can(?:no|')t (?:help|assist|answer|provide|do that)|as an ai(?: language model)?|I do(?:n't| not) (?:know|have (?:enough )?(?:information|access))|I(?:'m| am) not (?:sure|certain)|cannot be determined|not enough information|impossible to (?:say|determine|know))\b/i;
/** Hedges that, several at once, signal a guess. */
const HEDGE =
  /\b(?:maybe|perhaps|possibly|probably|might be|could be|it seems|I think|I believe|likely|unclear|not sure)\b/gi;

/**
 * Fails an answer that refuses or says it does not know, or that hedges three or more times (a
 * guess dressed as an answer). A single "probably" is normal speech and passes.
 */
export const hedgingVerifier: Verifier = {
  name: 'hedging',
  verify(_prompt: string, answer: string): VerifierResult {
    const refusal = REFUSAL.exec(answer);
    if (refusal) return { pass: false, reason: `the answer refuses or hedges ("${refusal[0]}")` };
    const hedges = answer.match(HEDGE)?.length ?? 0;
    if (hedges >= 3) return { pass: false, reason: `the answer hedges ${hedges} times` };
    return { pass: true, reason: 'no refusal or hedging' };
  },
};
