/**
 * `tfc build`'s progress on a terminal: one stderr line naming the current
 * stage and its elapsed time, e.g. `tfc build: compiling to WebAssembly
 * (2.4 s)`, drawn once a stage has run for a second and redrawn in place;
 * cleared when the stage ends. When stderr is not a terminal nothing is shown.
 *
 * Most stages are synchronous (binaryen, the passes), so the main thread's
 * timers cannot fire while they run: the line is drawn by a small worker
 * thread with its own timer, writing straight to file descriptor 2.
 */
import { Worker } from 'node:worker_threads';

/** Shown once a stage has run this long. */
const DELAY_MS = 1000;
const REDRAW_MS = 100;

/** The worker: plain CommonJS, run from this string so it needs no file of its own in src or dist. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { label, columns, delayMs, redrawMs } = workerData;
let stage;
let start = 0;
let drawn = false;
const clear = () => {
  if (drawn) writeSync(2, '\\r\\x1b[2K');
  drawn = false;
};
const timer = setInterval(() => {
  const ms = Date.now() - start;
  if (stage === undefined || ms < delayMs) return;
  const line = label + ': ' + stage + ' (' + (ms / 1000).toFixed(1) + ' s)';
  writeSync(2, '\\r\\x1b[2K' + line.slice(0, columns - 1));
  drawn = true;
}, redrawMs);
parentPort.on('message', (message) => {
  clear();
  if (message.stage !== undefined) {
    stage = message.stage;
    start = message.at;
    return;
  }
  clearInterval(timer);
  parentPort.postMessage('stopped');
  parentPort.close();
});
`;

type ProgressMessage = { stage: string; at: number } | { stop: true };

export interface Progress {
  /** A new stage starts now. */
  stage(name: string): void;
  /** Clears the line; call before anything else is printed. */
  stop(): Promise<void>;
}

const SILENT: Progress = { stage: () => {}, stop: async () => {} };

/** A progress line labelled `label` on stderr when it is a terminal, else nothing. */
export function startProgress(label: string): Progress {
  if (!process.stderr.isTTY) return SILENT;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { label, columns: process.stderr.columns || 80, delayMs: DELAY_MS, redrawMs: REDRAW_MS },
    stdout: false,
    stderr: false,
  });
  const send = (message: ProgressMessage): void => worker.postMessage(message);
  const stopped = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
  return {
    stage: (name) => send({ stage: name, at: Date.now() }),
    stop: async () => {
      send({ stop: true });
      await stopped;
      await worker.terminate();
    },
  };
}
