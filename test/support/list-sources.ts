import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every source file under `folder` (recursively), without tests and shared test cases. */
export function listSources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.case.ts')
      ? [path]
      : [];
  });
}
