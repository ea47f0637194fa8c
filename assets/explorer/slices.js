// Long work in slices that never block a frame: the work is a generator that yields every few hundred items;
// a run steps it for a few milliseconds, then gives the event loop back (keystrokes, scrolling and painting
// go first) and goes on in a later task. A run whose result is no longer wanted (a newer keystroke) stops at
// its next slice, so results never arrive out of order.

export const CANCELLED = Symbol("cancelled");
export const SLICE_MS = 8; // well under a 16 ms frame, even with the CPU slowed 4x

/** Run `steps` to its end at once (callers that need the answer now: small data, tests, panels). */
export function drain(steps) {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** A task after the ones waiting now (input first): scheduler.postTask where there is one, else a message. */
export function nextTask(callback) {
  if (globalThis.scheduler && typeof globalThis.scheduler.postTask === "function") {
    globalThis.scheduler.postTask(callback, { priority: "user-visible" });
    return;
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = () => { channel.port1.close(); callback(); };
  channel.port2.postMessage(null);
}

/** Run `steps` in slices of about `budget` ms (a number, or a function asked at each slice); the first slice
 * runs now. Returns {done: true, value} when it finished in that slice, else {done: false, value: a promise} of
 * the result, or of CANCELLED once `stale()`.
 * A step that yields {partial} hands `onPartial` a first look at the result. */
export function runSliced(steps, { budget = SLICE_MS, stale = () => false, onPartial = () => {} } = {}) {
  const slice = () => {
    const end = performance.now() + (typeof budget === "function" ? budget() : budget);
    for (;;) {
      const step = steps.next();
      if (step.done) return step;
      if (step.value && step.value.partial) onPartial(step.value.partial);
      if (performance.now() >= end) return null;
    }
  };
  const first = slice();
  if (first) return { done: true, value: first.value };
  const value = new Promise((resolve, reject) => {
    const go = () => {
      if (stale()) { resolve(CANCELLED); return; }
      try {
        const step = slice();
        if (step) resolve(step.value); else nextTask(go);
      } catch (error) {
        reject(error);
      }
    };
    nextTask(go);
  });
  return { done: false, value };
}
