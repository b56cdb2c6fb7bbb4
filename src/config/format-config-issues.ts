import type { z } from 'zod';
import type { ConfigIssue } from '../errors/index.js';

/** Renders a path the way a user reads the YAML: `models.local.queue.maxWaiting`, `rules[2].then`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** Turns zod's issues into one message per problem, each naming its config path. */
export function convertZodIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        result.push({ path: formatConfigPath([...issue.path, key]), message: 'unknown key' });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message === 'Invalid input') {
      // A union with no matching branch: report the branch errors, which are the useful ones.
      const nested = issue.errors.flat().map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
      result.push(...convertZodIssues(nested as z.core.$ZodIssue[]));
      continue;
    }
    result.push({ path: formatConfigPath(issue.path), message: lowerFirst(issue.message) });
  }
  return result;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
