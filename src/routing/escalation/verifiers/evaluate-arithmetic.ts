/**
 * Evaluates a plain arithmetic expression (numbers, + - * / × ÷ ^, parentheses, unary minus,
 * `$`, `%` after a number, thousands commas). Returns undefined for anything else, so text that
 * merely looks like maths is never judged.
 */
export function evaluateArithmetic(expression: string): number | undefined {
  const text = expression
    .replace(/\$/g, '')
    .replace(/(\d),(\d{3})/g, '$1$2')
    .replace(/×/g, '*')
    .replace(/÷/g, '/');
  let position = 0;
  const skipSpaces = () => {
    while (text[position] === ' ') position += 1;
  };
  const parseNumber = (): number | undefined => {
    skipSpaces();
    const match = /^\d+(?:\.\d+)?|^\.\d+/.exec(text.slice(position));
    if (!match) return undefined;
    position += match[0].length;
    let value = Number(match[0]);
    skipSpaces();
    if (text[position] === '%') {
      position += 1;
      value /= 100;
    }
    return value;
  };
  const parsePrimary = (): number | undefined => {
    skipSpaces();
    if (text[position] === '(') {
      position += 1;
      const value = parseSum();
      skipSpaces();
      if (text[position] !== ')') return undefined;
      position += 1;
      return value;
    }
    if (text[position] === '-') {
      position += 1;
      const value = parsePrimary();
      return value === undefined ? undefined : -value;
    }
    return parseNumber();
  };
  const parsePower = (): number | undefined => {
    const base = parsePrimary();
    skipSpaces();
    if (base === undefined || (text[position] !== '^' && text.slice(position, position + 2) !== '**'))
      return base;
    position += text[position] === '^' ? 1 : 2;
    const exponent = parsePower();
    return exponent === undefined ? undefined : base ** exponent;
  };
  const parseProduct = (): number | undefined => {
    let value = parsePower();
    for (;;) {
      skipSpaces();
      const operator = text[position];
      if (value === undefined || (operator !== '*' && operator !== '/' && operator !== 'x')) return value;
      position += 1;
      const right = parsePower();
      if (right === undefined) return undefined;
      value = operator === '/' ? value / right : value * right;
    }
  };
  function parseSum(): number | undefined {
    let value = parseProduct();
    for (;;) {
      skipSpaces();
      const operator = text[position];
      if (value === undefined || (operator !== '+' && operator !== '-')) return value;
      position += 1;
      const right = parseProduct();
      if (right === undefined) return undefined;
      value = operator === '+' ? value + right : value - right;
    }
  }
  const value = parseSum();
  skipSpaces();
  return position === text.length && value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** True when `stated` is `actual` written to the precision it shows (3.3 for 3.333, 33% for 0.333). */
export function matchesStatedValue(actual: number, statedText: string): boolean {
  const cleaned = statedText.replace(/[$,]/g, '');
  const stated = Number(cleaned.replace(/%$/, ''));
  if (!Number.isFinite(stated)) return true;
  const decimals = cleaned.includes('.') ? (cleaned.split('.')[1]?.replace(/%$/, '').length ?? 0) : 0;
  const tolerance = Math.max(0.5 * 10 ** -decimals, Math.abs(stated) * 1e-9);
  const candidates = cleaned.endsWith('%') ? [actual, actual * 100] : [actual];
  return candidates.some((candidate) => Math.abs(candidate - stated) <= tolerance + 1e-9);
}
