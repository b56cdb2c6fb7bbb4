import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';

type Dialect = 'draft-07' | '2019-09' | '2020-12';
type AjvInstance = Ajv | Ajv2019 | Ajv2020;

/**
 * `$schema` URIs clients send, mapped to the dialect whose rules check them. Draft-04 and
 * draft-06 schemas are checked by draft-07's rules: their shared keywords mean the same, and
 * Ajv ships no draft-04 meta-schema.
 */
const DIALECTS: Record<string, Dialect> = {
  'json-schema.org/draft-04/schema': 'draft-07',
  'json-schema.org/draft-06/schema': 'draft-07',
  'json-schema.org/draft-07/schema': 'draft-07',
  'json-schema.org/draft/2019-09/schema': '2019-09',
  'json-schema.org/draft/2020-12/schema': '2020-12',
};

// A schema's `$id` must not stay registered in the shared instance: the next request may send a
// different schema under the same `$id` (addUsedSchema: false).
const options = { strict: false, validateFormats: false, allErrors: false, addUsedSchema: false };
const instances = new Map<Dialect, AjvInstance>();

/** One Ajv per dialect, made on first use or by `loadSchemaValidators`. */
function getAjv(dialect: Dialect): AjvInstance {
  let ajv = instances.get(dialect);
  if (!ajv) {
    ajv =
      dialect === '2020-12'
        ? new Ajv2020(options)
        : dialect === '2019-09'
          ? new Ajv2019(options)
          : new Ajv(options);
    instances.set(dialect, ajv);
  }
  return ajv;
}

/**
 * Makes every dialect's Ajv and compiles its meta-schema, 30-40 ms each on one core: a serving
 * gateway does this at start-up, so the first request with tools or a response schema (in a
 * dialect) does not hold up the event loop and every other request with it.
 */
export function loadSchemaValidators(): void {
  for (const dialect of ['draft-07', '2019-09', '2020-12'] as const) getAjv(dialect).validateSchema({});
}

/** Compiled validators keyed by schema text: clients resend the same few schemas. */
const validators = new Map<string, ValidateFunction>();
const MAX_CACHED = 1_000;

/**
 * The Ajv that checks `schema`, and the schema without its `$schema` (each instance's default
 * meta-schema is its dialect, so the URI's spelling, such as a trailing '#', does not matter).
 */
function selectDialect(schema: Record<string, unknown>): { ajv: AjvInstance; body: Record<string, unknown> } {
  if (schema.$schema === undefined) return { ajv: getAjv('draft-07'), body: schema };
  const { $schema: uri, ...body } = schema;
  if (typeof uri !== 'string') throw new Error('schema/$schema must be a string');
  const dialect = DIALECTS[uri.replace(/^https?:\/\//, '').replace(/#$/, '')];
  if (!dialect) {
    throw new Error(
      `schema/$schema '${uri.slice(0, 100)}' is not a supported dialect (draft-04, draft-06, draft-07, 2019-09 or 2020-12)`,
    );
  }
  return { ajv: getAjv(dialect), body };
}

/** Why `schema` is not a usable JSON schema (dialect, meta-schema check, then compile), or undefined. */
export function findSchemaProblem(schema: Record<string, unknown>): string | undefined {
  if (validators.has(JSON.stringify(schema))) return undefined;
  try {
    const { ajv, body } = selectDialect(schema);
    if (!ajv.validateSchema(body)) return ajv.errorsText(ajv.errors, { dataVar: 'schema' });
    getSchemaValidator(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A compiled, cached validator for the schema's own dialect; throws if the schema does not compile. */
export function getSchemaValidator(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    const { ajv, body } = selectDialect(schema);
    validate = ajv.compile(body);
    if (validators.size >= MAX_CACHED) validators.delete(validators.keys().next().value as string);
    validators.set(key, validate);
  }
  return validate;
}

/** Validates `value`; returns the first problem as text, or undefined when it fits. */
export function findValueProblem(schema: Record<string, unknown>, value: unknown): string | undefined {
  let validate: ValidateFunction;
  try {
    validate = getSchemaValidator(schema);
  } catch (error) {
    return `its schema does not compile: ${(error as Error).message}`;
  }
  if (validate(value)) return undefined;
  return getAjv('draft-07').errorsText(validate.errors, { dataVar: 'value' });
}
