// npm run bench: runs every benchmark in this folder, prints a line each, then one JSON line with all figures.
import { benchmarks } from './benchmarks.js';

const figures: Record<string, number | string> = {};
for (const { name, run } of benchmarks) {
  process.stderr.write(`bench: ${name}…\n`);
  const result = await run();
  for (const [key, value] of Object.entries(result)) {
    figures[`${name}.${key}`] = value;
    process.stdout.write(`${name}.${key}: ${value}\n`);
  }
}
process.stdout.write(`${JSON.stringify(figures)}\n`);
