import { type FeatureSettings, hashAlike } from './feature-settings.js';
import { STRUCTURAL_FEATURE_COUNT, writeStructuralFeatures } from './structural-features.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MAX_WORD_CHARS = 48;
/** A code no text character maps to: marks a word's start and end for character n-grams. */
const BOUNDARY = 1;

/** Feature indices and values of one text, in preallocated arrays reused for every call. */
export interface FeatureBuffer {
  indices: Int32Array;
  values: Float32Array;
  length: number;
}

/** A second hasher that takes its features from another's pass (`FeatureHasher.extract`). */
export interface HasherFork {
  /** The other hasher's `maxChars`: where its part of the text ends. */
  at: number;
  hasher: FeatureHasher;
  out: FeatureBuffer;
  /** Set by `extract`: whether `out` now holds the other hasher's features of the text. */
  done: boolean;
}

export function createFeatureBuffer(capacity: number): FeatureBuffer {
  return { indices: new Int32Array(capacity), values: new Float32Array(capacity), length: 0 };
}

function mix(hash: number, value: number): number {
  return Math.imul(hash ^ value, FNV_PRIME);
}

/** murmur3's final avalanche, so the low bits are usable as a bucket index. */
function finish(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Letters and digits of any script (after lower-casing); everything else separates words. */
function isWordChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 48 && code <= 57) ||
    (code >= 0xc0 && code !== 0xd7 && code !== 0xf7)
  );
}

/**
 * The part of `text` a model reads: all of it, or for a longer text its first `maxChars`
 * characters and, when `tailChars` is set, a space and its last `tailChars` (the space keeps the
 * two parts' edge words apart).
 */
export function readPart(text: string, maxChars: number, tailChars: number): string {
  if (maxChars <= 0 || text.length <= maxChars + tailChars) return text;
  const head = text.slice(0, maxChars);
  return tailChars > 0 ? `${head} ${text.slice(text.length - tailChars)}` : head;
}

/**
 * Hashes a text into n-gram features without building a string per token: word n-grams and the
 * character n-grams of each word (with boundary marks, as in fastText) are hashed as the characters
 * stream past, into `2^bucketBits` buckets; meaningful punctuation (`?`, `=`, `{`, ...) becomes a
 * token of its own. Every emitted n-gram is worth 1/sqrt(emitted count), so long and short texts
 * score on one scale; a bucket hit again adds to its one entry (scoring is linear, so the sum is
 * the same, and each stored weight row is read once per text). Categorical values (an MMLU
 * subject, say) are one feature each; structural features follow at fixed indices after the
 * buckets. One lower-cased copy of the text is the only
 * allocation per call.
 */
export class FeatureHasher {
  /** Number of feature indices: the buckets plus the structural features. */
  readonly dimension: number;
  readonly bucketCount: number;
  private readonly settings: FeatureSettings;
  private readonly mask: number;
  private readonly word = new Int32Array(MAX_WORD_CHARS + 2);
  private readonly recentWords: Int32Array;
  private readonly maxWordOrder: number;
  private readonly wordOrders: Uint8Array;
  /**
   * Per bucket, two slots: at `2b` its entry in the current call's output, at `2b + 1` the call
   * (`generation`) that wrote it; a repeated n-gram adds to its entry instead of taking a new one.
   * Long prompts repeat common n-grams, which carry the most weights, so each stored weight row is
   * read once per text rather than once per repeat. Side by side, the two share a cache line.
   */
  private readonly slotOf: Int32Array;
  private generation = 0;
  // Per-call state, kept in fields so the hot loop allocates nothing.
  private outIndices: Int32Array = new Int32Array(0);
  private outValues: Float32Array = new Float32Array(0);
  /** Distinct features written so far (entries of the output). */
  private count = 0;
  /** Features emitted so far, repeats included: the count the 1/sqrt scale uses. */
  private emitted = 0;
  private wordLength = 0;
  private wordHash = FNV_OFFSET;
  private wordsSeen = 0;
  private charLimit = 0;

  constructor(settings: FeatureSettings) {
    this.settings = settings;
    this.bucketCount = 2 ** settings.bucketBits;
    this.mask = this.bucketCount - 1;
    this.dimension = this.bucketCount + (settings.structural ? STRUCTURAL_FEATURE_COUNT : 0);
    this.maxWordOrder = Math.max(1, ...settings.wordNgrams);
    this.recentWords = new Int32Array(this.maxWordOrder);
    this.wordOrders = new Uint8Array(this.maxWordOrder + 1);
    for (const order of settings.wordNgrams) this.wordOrders[order] = 1;
    this.slotOf = new Int32Array(this.bucketCount * 2);
  }

  /** An upper bound on the features a text of this length (plus categories) can produce. */
  capacityFor(textLength: number, categoryCount = 0): number {
    const charOrders = this.settings.charNgramMax - this.settings.charNgramMin + 1;
    const { maxChars = 0, tailChars = 0 } = this.settings;
    // A long text is read in part (`readPart`): its buffer need not grow with it.
    const readLength = maxChars > 0 ? Math.min(textLength, maxChars + tailChars + 1) : textLength;
    return (
      (readLength + 1) * (charOrders + this.settings.wordNgrams.length + 1) +
      categoryCount +
      STRUCTURAL_FEATURE_COUNT
    );
  }

  /**
   * Writes the features of the text (the part `readPart` picks when the settings say so) and
   * `categories` into `out` (sized by `capacityFor` of the full text's length).
   *
   * With `fork`, a hasher with the same settings that reads only the first `fork.at` characters
   * gets its features of this text too, in `fork.out`, from this one pass: at character `fork.at`
   * this hasher's state is what that one's would be at the end of its part, so it is copied there
   * and finished. `fork.done` says whether it happened (the text must be longer than `fork.at`
   * and this hasher must read that far; `canForkTo` checks the settings).
   */
  extract(fullText: string, out: FeatureBuffer, categories?: readonly string[], fork?: HasherFork): void {
    const text = readPart(fullText, this.settings.maxChars ?? 0, this.settings.tailChars ?? 0);
    const lower = text.toLowerCase();
    this.begin(out, lower.length);
    // Lower-casing that changes a text's length (U+0130) would shift positions: no fork then.
    const forkAt = fork && lower.length === text.length && fork.at < lower.length ? fork.at : -1;
    if (fork) fork.done = false;
    const foldDigits = this.settings.foldDigits;
    for (let position = 0; position < lower.length; position += 1) {
      if (position === forkAt) this.forkInto(fork as HasherFork, fullText);
      let code = lower.charCodeAt(position);
      if (isWordChar(code)) {
        if (foldDigits && code >= 49 && code <= 57) code = 48;
        if (this.wordLength === 0) this.word[this.wordLength++] = BOUNDARY;
        this.wordHash = mix(this.wordHash, code);
        // Very long "words" (hashes, base64) stop adding character n-grams past the buffer.
        if (this.wordLength <= MAX_WORD_CHARS) {
          this.word[this.wordLength++] = code;
          if (position < this.charLimit) this.emitCharNgrams();
        }
      } else {
        if (this.wordLength > 0) this.endWord(position);
        if (code > 32 && code < 127) this.emit(finish(mix(0x3000, code)));
      }
    }
    this.finishText(fullText, text, lower.length, out, categories);
  }

  /** Whether `other` can take a fork of this hasher's pass (`extract`'s `fork`) at its `maxChars`. */
  canForkTo(other: FeatureHasher): boolean {
    const head = this.settings.maxChars ?? 0;
    const otherHead = other.settings.maxChars ?? 0;
    return (
      otherHead > 0 &&
      (other.settings.tailChars ?? 0) === 0 &&
      (head === 0 || head >= otherHead) &&
      hashAlike(this.settings, other.settings)
    );
  }

  /** Starts a call: the output, an empty word, and a new generation for the repeat table. */
  private begin(out: FeatureBuffer, lowerLength: number): void {
    this.outIndices = out.indices;
    this.outValues = out.values;
    this.count = 0;
    this.emitted = 0;
    if (this.generation === 0x7fffffff) {
      this.slotOf.fill(0);
      this.generation = 0;
    }
    this.generation += 1;
    this.wordLength = 0;
    this.wordHash = FNV_OFFSET;
    this.wordsSeen = 0;
    this.charLimit = this.settings.charNgramChars > 0 ? this.settings.charNgramChars : lowerLength;
  }

  /** Hands this pass's state at character `fork.at` to `fork.hasher`, which finishes its part. */
  private forkInto(fork: HasherFork, fullText: string): void {
    const other = fork.hasher;
    other.begin(fork.out, fork.at);
    other.word.set(this.word.subarray(0, this.wordLength));
    other.wordLength = this.wordLength;
    other.wordHash = this.wordHash;
    other.recentWords.set(this.recentWords);
    other.wordsSeen = this.wordsSeen;
    other.emitted = this.emitted;
    const slots = other.slotOf;
    for (let entry = 0; entry < this.count; entry += 1) {
      const bucket = this.outIndices[entry] as number;
      other.outIndices[entry] = bucket;
      other.outValues[entry] = this.outValues[entry] as number;
      slots[2 * bucket] = entry;
      slots[2 * bucket + 1] = other.generation;
    }
    other.count = this.count;
    const part = fullText.slice(0, fork.at);
    other.finishText(part, part, fork.at, fork.out);
    fork.done = true;
  }

  /** Ends the last word, scales the n-grams, then adds categories and structural features. */
  private finishText(
    fullText: string,
    text: string,
    lowerLength: number,
    out: FeatureBuffer,
    categories?: readonly string[],
  ): void {
    if (this.wordLength > 0) this.endWord(lowerLength);
    let count = this.count;
    const scale = this.emitted > 0 ? 1 / Math.sqrt(this.emitted) : 0;
    for (let index = 0; index < count; index += 1) out.values[index] = (out.values[index] as number) * scale;
    if (categories) {
      for (const category of categories) {
        let hash = 0x4000;
        for (let index = 0; index < category.length; index += 1) hash = mix(hash, category.charCodeAt(index));
        out.indices[count] = finish(hash) & this.mask;
        out.values[count++] = 1;
      }
    }
    if (this.settings.structural) {
      // A head-and-tail reading stands for the whole text; an opening alone stands for itself.
      const wholeLength = this.settings.tailChars ? fullText.length : text.length;
      count = writeStructuralFeatures(text, out, count, this.bucketCount, wholeLength);
    }
    out.length = count;
  }

  private emit(hash: number, weight = 1): void {
    const bucket = hash & this.mask;
    const slots = this.slotOf;
    this.emitted += 1;
    if (slots[2 * bucket + 1] === this.generation) {
      const slot = slots[2 * bucket] as number;
      this.outValues[slot] = (this.outValues[slot] as number) + weight;
      return;
    }
    slots[2 * bucket + 1] = this.generation;
    slots[2 * bucket] = this.count;
    this.outIndices[this.count] = bucket;
    this.outValues[this.count++] = weight;
  }

  /**
   * The character n-grams that end at the word buffer's last character. Their hashes are built
   * backwards from that character, so each longer n-gram costs one more mix, not n.
   */
  private emitCharNgrams(): void {
    const { charNgramMin, charNgramMax, charNgramWeight } = this.settings;
    const end = this.wordLength;
    let hash = FNV_OFFSET;
    for (let n = 1; n <= charNgramMax && n <= end; n += 1) {
      hash = mix(hash, this.word[end - n] as number);
      if (n >= charNgramMin) this.emit(finish(mix(hash, 0x100 + n)), charNgramWeight);
    }
  }

  private endWord(position: number): void {
    this.word[this.wordLength++] = BOUNDARY;
    if (position <= this.charLimit) this.emitCharNgrams();
    const recent = this.recentWords;
    for (let index = this.maxWordOrder - 1; index > 0; index -= 1)
      recent[index] = recent[index - 1] as number;
    recent[0] = this.wordHash;
    this.wordsSeen += 1;
    let combined = 0x2000;
    for (let order = 1; order <= this.maxWordOrder && order <= this.wordsSeen; order += 1) {
      combined = mix(combined, recent[order - 1] as number);
      if (this.wordOrders[order]) this.emit(finish(mix(combined, order)));
    }
    this.wordLength = 0;
    this.wordHash = FNV_OFFSET;
  }
}
