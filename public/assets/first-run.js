// @ts-check
// What an empty lake shows: the commands that fill it.
import { h } from './dom.js';
import { addDays, todayLocal } from './format.js';

/** First-run guidance: the commands that put data into an empty lake. */
export function firstRunGuide() {
  return h(
    'div',
    { class: 'card first-run', 'data-testid': 'first-run' },
    h('h2', {}, 'This lake has no data yet'),
    h('p', {}, 'Fill it from a terminal in the folder you serve from, then reload this page:'),
    h(
      'pre',
      { class: 'commands' },
      '# try it without an API key (built-in simulator):\naqlake demo\n\n' +
        '# or with your OpenAQ key in .env (OPENAQ_API_KEY=…):\n' +
        'aqlake init\n' +
        'aqlake locations search --near 51.5,-0.12 --add\n' +
        `aqlake run --from ${addDays(todayLocal(), -7)} --to ${addDays(todayLocal(), -1)}`,
    ),
  );
}
