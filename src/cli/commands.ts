// Every aqlake command, one module each.
import type { Command } from 'commander';
import { registerExtract } from './extract.js';
import { registerInit } from './init.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';

export const commandModules: ((program: Command) => void)[] = [
  registerInit,
  registerExtract,
  registerSimulate,
  registerServe,
];
