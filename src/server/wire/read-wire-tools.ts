import type { ResponseFormat, ToolChoice, ToolDefinition } from '../../contract/index.js';
import { checkJsonSchema } from './check-json-schema.js';
import {
  invalidValue,
  missingParameter,
  readArray,
  readObject,
  readOptionalBoolean,
  readOptionalString,
  readString,
} from './wire-value-readers.js';

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

function readName(value: unknown, param: string): string {
  if (value === undefined) throw missingParameter(param);
  const name = readString(value, param);
  if (!NAME_PATTERN.test(name)) {
    throw invalidValue(
      param,
      `'${name.slice(0, 80)}'. Names use a-z, A-Z, 0-9, _ and -, at most 64 characters.`,
    );
  }
  return name;
}

export function readWireTools(value: unknown): ToolDefinition[] {
  const items = readArray(value, 'tools');
  if (items.length > 128) throw invalidValue('tools', `${items.length} tools; at most 128 are allowed.`);
  const names = new Set<string>();
  return items.map((item, index) => {
    const param = `tools[${index}]`;
    const tool = readObject(item, param);
    if (tool.type !== 'function') {
      throw invalidValue(`${param}.type`, `'${String(tool.type)}'. Supported values are: 'function'.`);
    }
    if (tool.function === undefined) throw missingParameter(`${param}.function`);
    const fn = readObject(tool.function, `${param}.function`);
    const name = readName(fn.name, `${param}.function.name`);
    if (names.has(name)) throw invalidValue(`${param}.function.name`, `'${name}' is defined twice.`);
    names.add(name);
    const parameters =
      fn.parameters === undefined
        ? { type: 'object', properties: {} }
        : readObject(fn.parameters, `${param}.function.parameters`);
    checkJsonSchema(parameters, `${param}.function.parameters`);
    const description = readOptionalString(fn.description, `${param}.function.description`);
    const strict = readOptionalBoolean(fn.strict, `${param}.function.strict`);
    return {
      name,
      parameters,
      ...(description !== undefined ? { description } : {}),
      ...(strict !== undefined ? { strict } : {}),
    };
  });
}

export function readWireToolChoice(
  value: unknown,
  tools: ToolDefinition[] | undefined,
): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (!tools?.length) throw invalidValue('tool_choice', 'tool_choice is only allowed when tools are given.');
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (typeof value === 'string') {
    throw invalidValue(
      'tool_choice',
      `'${value}'. Supported values are: 'none', 'auto', 'required' or a named function.`,
    );
  }
  const choice = readObject(value, 'tool_choice');
  const fn = readObject(choice.function, 'tool_choice.function');
  const name = readName(fn.name, 'tool_choice.function.name');
  if (!tools.some((tool) => tool.name === name)) {
    throw invalidValue('tool_choice.function.name', `'${name}' is not one of the given tools.`);
  }
  return { name };
}

export function readWireResponseFormat(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const format = readObject(value, 'response_format');
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type };
  if (format.type !== 'json_schema') {
    throw invalidValue(
      'response_format.type',
      `'${String(format.type)}'. Supported values are: 'text', 'json_object' and 'json_schema'.`,
    );
  }
  if (format.json_schema === undefined) throw missingParameter('response_format.json_schema');
  const jsonSchema = readObject(format.json_schema, 'response_format.json_schema');
  const name = readName(jsonSchema.name, 'response_format.json_schema.name');
  if (jsonSchema.schema === undefined) throw missingParameter('response_format.json_schema.schema');
  const schema = readObject(jsonSchema.schema, 'response_format.json_schema.schema');
  checkJsonSchema(schema, 'response_format.json_schema.schema');
  const strict = readOptionalBoolean(jsonSchema.strict, 'response_format.json_schema.strict');
  return { type: 'json_schema', name, schema, ...(strict !== undefined ? { strict } : {}) };
}
