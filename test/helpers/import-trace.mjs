// `node --import ./test/helpers/import-trace.mjs …`: writes `import: <url>` to stderr for every module resolved, so a
// test can see what a process loaded.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('import: ' + result.url + '\\n');
  return result;
}`)}`,
);
