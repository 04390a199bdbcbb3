// @ts-check
// Polling: run a refresh now and every `ms` while a view is shown; never two at once.

/**
 * @param {() => Promise<void>} refresh
 * @param {number} ms
 */
export function createPoller(refresh, ms) {
  /** @type {ReturnType<typeof setInterval> | null} */
  let timer = null;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await refresh();
    } finally {
      busy = false;
    }
  };
  return {
    /** Refreshes now (skipped while one is under way). */
    now: tick,
    start() {
      if (timer !== null) return;
      tick();
      timer = setInterval(tick, ms);
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}
