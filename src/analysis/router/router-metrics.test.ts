import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calibrateThreshold } from './calibrate-threshold.js';
import { evaluateIntents } from './evaluate-intents.js';
import { computeQualityCurve, evaluateOutcomeRouting } from './evaluate-outcome-routing.js';
import { parseCsv } from './parse-csv.js';
import type { OutcomeRow } from './read-router-data.js';

const row = (weakCorrect: boolean, strongCorrect: boolean): OutcomeRow => ({
  prompt: '',
  weakCorrect,
  strongCorrect,
});
// Weak right on 1 of 4, strong on 3 of 4: the gap is 0.5.
const rows = [row(false, true), row(false, true), row(true, true), row(false, false)];

describe('outcome routing metrics', () => {
  it('computes quality per strong-call count, PGR area and CPT by hand', () => {
    const report = evaluateOutcomeRouting(rows, [0.9, 0.8, 0.2, 0.1]);
    assert.equal(report.weakAccuracy, 0.25);
    assert.equal(report.strongAccuracy, 0.75);
    // Quality after k strong calls: .25, .5, .75, .75, .75 → PGR 0, .5, 1, 1, 1.
    // Trapezoid area over shares of 1/4: (0+.5)/2 + (.5+1)/2 + 1 + 1, times 1/4 = 0.75.
    assert.equal(report.apgr, 0.75);
    assert.equal(report.cpt50, 0.25);
    assert.equal(report.cpt95, 0.5);
    assert.deepEqual(report.curve[0], [0, 0.25]);
    assert.deepEqual(report.curve.at(-1), [1, 0.75]);
  });

  it('scores random order at an APGR of about 0.5 and averages ties instead of trusting their order', () => {
    const tied = computeQualityCurve(rows, [1, 1, 1, 1]);
    assert.deepEqual(Array.from(tied), [0.25, 0.375, 0.5, 0.625, 0.75]);
    assert.equal(evaluateOutcomeRouting(rows, [1, 1, 1, 1]).apgr, 0.5);
  });

  it('calibrates a threshold for a strong-call share or a quality target', () => {
    const byShare = calibrateThreshold(rows, [0.9, 0.8, 0.2, 0.1], { strongShare: 0.5 });
    assert.equal(byShare.threshold, 0.5);
    assert.equal(byShare.strongShare, 0.5);
    assert.equal(byShare.pgr, 1);
    const byQuality = calibrateThreshold(rows, [0.9, 0.8, 0.2, 0.1], { quality: 0.5 }, 'gpt4');
    assert.equal(byQuality.threshold, 0.85);
    assert.equal(byQuality.strongShare, 0.25);
    assert.equal(
      byQuality.rule,
      '- { name: calibrated-complexity, when: { complexity: { gt: 0.85 } }, then: gpt4 }',
    );
  });
});

describe('intent metrics', () => {
  it('reports accuracy, macro-F1, in-scope accuracy and out-of-scope recall', () => {
    const report = evaluateIntents(['a', 'a', 'b', 'oos', 'oos'], ['a', 'b', 'b', 'oos', 'a'], 'oos');
    assert.equal(report.accuracy, 0.6);
    assert.equal(report.inScopeAccuracy, 0.6667);
    assert.equal(report.oosRecall, 0.5);
    // F1: a = 2·(.5·.5)/(1) = .5; b = 2·(.5·1)/1.5 = .6667; oos = 2·(1·.5)/1.5 = .6667.
    assert.equal(report.macroF1, 0.6111);
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and newlines', () => {
    const records = parseCsv('text,category\r\n"Hi, ""there""\nfriend",greeting\nplain,other\n');
    assert.deepEqual(records, [
      { text: 'Hi, "there"\nfriend', category: 'greeting' },
      { text: 'plain', category: 'other' },
    ]);
  });
});
