/**
 * The local dispatcher: the AWS schedule's minute tick, as a loop on a short interval.
 */
import { createDispatchHandler } from '../handlers/dispatch.js';
import { log } from '../adapters/log.js';
import type { Runtime } from '../runtime.js';

/**
 * Runs the dispatch handler every `intervalMs`, never two ticks at once; `wake` runs a tick now
 * (or right after the one in progress).
 */
export function startDispatcherLoop(rt: Runtime, intervalMs: number) {
  const tick = createDispatchHandler(rt);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let wokenWhileRunning = false;
  let stopped = false;
  const runTick = () => {
    clearTimeout(timer);
    running = tick()
      .catch((error: Error) => log.error('dispatch.tick-failed', { error: error.message }))
      .finally(() => {
        running = undefined;
        if (wokenWhileRunning) {
          wokenWhileRunning = false;
          if (!stopped) runTick();
        } else schedule();
      });
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(runTick, intervalMs);
  };
  schedule();
  return {
    wake: () => {
      if (stopped) return;
      if (running) wokenWhileRunning = true;
      else runTick();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
