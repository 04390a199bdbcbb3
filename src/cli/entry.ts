// Source entry of the CLI, for development and tests (`node --import tsx src/cli/entry.ts …`); bin/aqlake.js runs the build.
import { main } from './main.js';

await main(process.argv);
