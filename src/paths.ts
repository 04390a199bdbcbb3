// Where the project's own files (sql/, public/) are, whether running from src/ (tests) or dist/ (the CLI).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('aqlake: cannot find the package root');
    dir = parent;
  }
  return dir;
}

const packageRoot = findPackageRoot();

export function projectPath(...segments: string[]): string {
  return join(packageRoot, ...segments);
}
