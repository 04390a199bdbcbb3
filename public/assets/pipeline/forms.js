// @ts-check
// The Pipeline view's toolbar: "Run a day" and "Backfill" forms, and the backfill progress next to them.
import { h } from '../dom.js';
import { addDays, todayLocal } from '../format.js';
import { startBackfill, triggerRun } from './actions.js';

/** @param {() => Promise<void>} afterAction refreshes the view once the server accepted an action */
export function pipelineToolbar(afterAction) {
  const triggerDate = h('input', {
    type: 'date',
    id: 'trigger-date',
    value: addDays(todayLocal(), -1),
    'data-testid': 'trigger-date',
    required: true,
  });
  const triggerLocations = h('input', {
    type: 'text',
    id: 'trigger-locations',
    placeholder: 'all configured',
    inputmode: 'numeric',
    'data-testid': 'trigger-locations',
    size: 14,
  });
  const from = h('input', {
    type: 'date',
    id: 'backfill-from',
    value: addDays(todayLocal(), -7),
    'data-testid': 'backfill-from',
  });
  const to = h('input', {
    type: 'date',
    id: 'backfill-to',
    value: addDays(todayLocal(), -1),
    'data-testid': 'backfill-to',
  });
  const backfillEl = h('div', { class: 'backfill', 'data-testid': 'backfill-progress', hidden: true });
  const submit = (action) => async (e) => {
    e.preventDefault();
    if (await action()) await afterAction();
  };
  const toolbar = h(
    'div',
    { class: 'toolbar card' },
    h(
      'form',
      {
        class: 'inline-form',
        'data-testid': 'trigger-form',
        onsubmit: submit(() => triggerRun(triggerDate.value, triggerLocations.value)),
      },
      h('span', { class: 'form-title' }, 'Run a day'),
      h('label', { for: 'trigger-date' }, 'Date'),
      triggerDate,
      h('label', { for: 'trigger-locations' }, 'Locations'),
      triggerLocations,
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'trigger-button' }, 'Trigger run'),
    ),
    h('div', { class: 'toolbar-sep', 'aria-hidden': 'true' }),
    h(
      'form',
      {
        class: 'inline-form',
        'data-testid': 'backfill-form',
        onsubmit: submit(() => startBackfill(from.value, to.value)),
      },
      h('span', { class: 'form-title' }, 'Backfill'),
      h('label', { for: 'backfill-from' }, 'From'),
      from,
      h('label', { for: 'backfill-to' }, 'To'),
      to,
      h('button', { type: 'submit', 'data-testid': 'backfill-button' }, 'Start backfill'),
    ),
    backfillEl,
  );
  return { toolbar, backfillEl };
}
