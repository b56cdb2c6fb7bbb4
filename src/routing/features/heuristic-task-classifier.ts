import type { TaskClassifier } from './request-features.js';

/**
 * Keyword cues per task type, checked in this order; the first type with a cue wins. Deliberately
 * simple and documented: `routing.classifier` can select it, and the trained classifier falls back
 * to it for a model left out.
 */
const CUES: [string, RegExp][] = [
  [
    'code',
    /```|\b(function|def|class|import|return|const|SELECT|regex|stack trace|compile|bug|refactor)\b|=>|\w+\(\)/i,
  ],
  [
    'math',
    /\b(calculate|compute|solve|equation|integral|derivative|percent(age)?|how many|how much)\b|\d+\s*[-+*/^×÷]\s*\d+/i,
  ],
  ['summarization', /\b(summari[sz]e|summary|tl;?dr|condense|key points)\b/i],
  ['extraction', /\b(extract|pull out|list (all|every)|find (all|the)|parse|fill in the fields?)\b/i],
  [
    'classification',
    /\b(classify|categori[sz]e|which category|label|sentiment|is this (spam|positive|negative))\b/i,
  ],
  ['creative', /\b(write (a|an) (story|poem|song|haiku|essay)|imagine|slogan|creative|brainstorm)\b/i],
  [
    'reasoning',
    /\b(why|prove|explain|step by step|compare|trade-?offs?|analy[sz]e|pros and cons|evaluate)\b/i,
  ],
  ['conversation', /^\s*(hi|hello|hey|thanks|thank you|good (morning|evening))\b/i],
];

const HARD_TYPES = new Set(['code', 'math', 'reasoning', 'creative']);

/**
 * Complexity in 0..1 from cues that correlate with needing a strong model: length (saturating at
 * about 2,000 characters), several questions, multi-step wording, and a task type the small model
 * tends to get wrong. Weights are round numbers, not fitted.
 */
export function estimateComplexity(text: string, taskType: string): number {
  const length = Math.min(1, text.length / 2_000);
  const questions = Math.min(1, ((text.match(/\?/g)?.length ?? 0) - 1) / 3);
  const steps = /\b(step by step|first,|then,|finally|each of|all of the following)\b/i.test(text) ? 1 : 0;
  const hard = HARD_TYPES.has(taskType) ? 1 : 0;
  const score = 0.35 * length + 0.15 * Math.max(0, questions) + 0.2 * steps + 0.3 * hard;
  return Math.round(score * 1000) / 1000;
}

export class HeuristicTaskClassifier implements TaskClassifier {
  classify(text: string): { taskType: string; taskTypeProbability: number; complexity: number } {
    const match = CUES.find(([, cue]) => cue.test(text));
    const taskType = match?.[0] ?? (text.trim().endsWith('?') && text.length < 200 ? 'faq' : 'other');
    // A keyword hit is a weak signal; say so rather than claim certainty.
    return {
      taskType,
      taskTypeProbability: match ? 0.6 : 0.3,
      complexity: estimateComplexity(text, taskType),
    };
  }
}
