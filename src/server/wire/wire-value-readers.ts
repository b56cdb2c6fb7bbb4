import { InvalidRequestError } from '../../errors/index.js';

/**
 * Small readers for untrusted JSON. Each throws an OpenAI-style 400 naming the parameter, so the
 * client learns exactly what to fix.
 */
export type JsonObject = Record<string, unknown>;

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

export function invalidType(param: string, expected: string, value: unknown): InvalidRequestError {
  return new InvalidRequestError({
    message: `Invalid type for '${param}': expected ${expected}, but got ${describeJsonType(value)} instead.`,
    param,
    code: 'invalid_type',
  });
}

export function invalidValue(param: string, message: string): InvalidRequestError {
  return new InvalidRequestError({
    message: `Invalid value for '${param}': ${message}`,
    param,
    code: 'invalid_value',
  });
}

export function missingParameter(param: string): InvalidRequestError {
  return new InvalidRequestError({
    message: `Missing required parameter: '${param}'.`,
    param,
    code: 'missing_required_parameter',
  });
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readObject(value: unknown, param: string): JsonObject {
  if (!isJsonObject(value)) throw invalidType(param, 'an object', value);
  return value;
}

export function readString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  return value;
}

export function readOptionalString(value: unknown, param: string): string | undefined {
  return value === undefined || value === null ? undefined : readString(value, param);
}

export function readOptionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidType(param, 'a boolean', value);
  return value;
}

export function readOptionalNumber(
  value: unknown,
  param: string,
  range: { min: number; max: number; integer?: boolean },
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidType(param, range.integer ? 'an integer' : 'a number', value);
  }
  if (range.integer && !Number.isInteger(value)) throw invalidType(param, 'an integer', value);
  if (value < range.min || value > range.max) {
    throw invalidValue(param, `${value} is outside the allowed range [${range.min}, ${range.max}].`);
  }
  return value;
}

export function readArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) throw invalidType(param, 'an array', value);
  return value;
}
