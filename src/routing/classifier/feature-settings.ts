/** How text becomes features; stored in each model file so inference hashes exactly as training did. */
export interface FeatureSettings {
  /** log2 of the number of hash buckets for n-gram features. */
  bucketBits: number;
  /** Word n-gram orders, e.g. [1, 2]. */
  wordNgrams: number[];
  /** Character n-grams of each word (with `<` and `>` marking its ends): smallest and largest n. */
  charNgramMin: number;
  charNgramMax: number;
  /**
   * Character n-grams are taken from the first this-many characters only (0: all). Word n-grams
   * cover the whole text; past a few hundred characters character n-grams add little but cost the
   * most, so routers cap them to keep long prompts fast.
   */
  charNgramChars: number;
  /** Value of a character n-gram relative to a word n-gram (there are several per character). */
  charNgramWeight: number;
  /** Map every digit to 0, so `17` and `42` share features (magnitude still shows in length). */
  foldDigits: boolean;
  /** Add the structural features (length, digits, operators, code, questions, lists, script). */
  structural: boolean;
  /**
   * Read only the first this-many characters of a text (absent or 0: all of it), for models
   * trained on short texts: an intent model whose examples are one sentence judges a long message
   * by its opening, and stays fast on it.
   */
  maxChars?: number;
  /**
   * With `maxChars`: a text longer than `maxChars + tailChars` is read as its first `maxChars` and
   * its last `tailChars` characters (absent or 0: the opening only). A long prompt usually says
   * what it wants at its start or its end (an instruction, then a pasted text, then the question),
   * and reading a bounded part keeps a decision's cost flat however long the prompt is. Counts in
   * the structural features are scaled up to the whole text, and its length is the whole length.
   */
  tailChars?: number;
}

/**
 * Whether two models hash text the same way apart from how much of it they read (`maxChars`,
 * `tailChars`): then a text both read whole hashes the same for both, and one's pass can serve
 * the other.
 */
export function hashAlike(a: FeatureSettings, b: FeatureSettings): boolean {
  const { maxChars: _headA, tailChars: _tailA, ...restA } = a;
  const { maxChars: _headB, tailChars: _tailB, ...restB } = b;
  const canonical = (settings: object) => JSON.stringify(Object.entries(settings).sort());
  return canonical(restA) === canonical(restB);
}
