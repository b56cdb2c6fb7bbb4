import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface DashboardAsset {
  body: Buffer;
  type: string;
}

/**
 * The built page: dist/dashboard beside the compiled server (dist/server/dashboard), or the
 * repository's dist/dashboard when the server runs from its TypeScript source (tests).
 */
function findAssetFolder(): string | undefined {
  return [new URL('../../dashboard/', import.meta.url), new URL('../../../dist/dashboard/', import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((path) => existsSync(join(path, 'index.html')));
}

function readFolder(folder: string, prefix: string, assets: Map<string, DashboardAsset>): void {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) readFolder(path, `${prefix}${name}/`, assets);
    else
      assets.set(`${prefix}${name}`, {
        body: readFileSync(path),
        type: TYPES[extname(name)] ?? 'application/octet-stream',
      });
  }
}

/** Every file of the built page, by path under /dashboard/, read once; empty when not built. */
export function loadDashboardAssets(): Map<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  const folder = findAssetFolder();
  if (folder) readFolder(folder, '', assets);
  return assets;
}
