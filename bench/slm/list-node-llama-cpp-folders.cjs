// Prints node-llama-cpp's dependency closure as npm laid it out (nested node_modules included),
// one folder a line, relative to the working directory: what a copy of it needs.
const fs = require('node:fs');
const path = require('node:path');

const seen = new Set();
function walk(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(candidate)) {
      if (seen.has(candidate)) return;
      seen.add(candidate);
      const pkg = JSON.parse(fs.readFileSync(path.join(candidate, 'package.json'), 'utf8'));
      for (const dependency of Object.keys(pkg.dependencies ?? {})) walk(dependency, candidate);
      return;
    }
    if (path.dirname(dir) === dir) return;
  }
}
walk('node-llama-cpp', process.cwd());
for (const folder of seen) console.log(path.relative(process.cwd(), folder));
