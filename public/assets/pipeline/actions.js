// @ts-check
// What the Pipeline view asks the server to do: run a day, clear a task, backfill a range. Each says how it went
// in a toast and resolves true when the server accepted it.
import { api } from '../api.js';
import { toast } from '../dom.js';

/** "2178, 8118" → [2178, 8118]; empty → undefined (the configured scope). */
function parseLocations(text) {
  const ids = text
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  return ids.length > 0 ? ids : undefined;
}

export async function triggerRun(date, locationsText) {
  const locations = parseLocations(locationsText);
  try {
    const run = await api.post('/api/trigger', locations ? { date, locations } : { date });
    toast(`Triggered ${run.runId}`);
    return true;
  } catch (err) {
    toast(`Trigger failed: ${err.message}`, 'error');
    return false;
  }
}

export async function clearTask(runId, taskId, downstream) {
  try {
    const res = await api.post('/api/clear', { runId, task: taskId, downstream });
    toast(`Cleared ${res.cleared.join(', ') || 'nothing'}`);
    return true;
  } catch (err) {
    toast(`Clear failed: ${err.message}`, 'error');
    return false;
  }
}

export async function startBackfill(from, to) {
  try {
    const p = await api.post('/api/backfill', { from, to });
    toast(`Backfill ${p.from} → ${p.to} started`);
    return true;
  } catch (err) {
    toast(`Backfill failed: ${err.message}`, 'error');
    return false;
  }
}
