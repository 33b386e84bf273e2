/**
 * Runs lib/config's validator off the main thread, for large configs and for configs whose
 * validation costs more than a frame. One message in, one message out; the scheduler
 * (validation-scheduler.ts) sends one request at a time and drops answers to superseded ones.
 */
import { validateForEditor } from "./config-lib";
import type { ValidateRequest, ValidateResponse } from "./validation-scheduler";

export type { ValidateRequest, ValidateResponse };

// The project's TypeScript lib is "dom"; the worker scope needs only these two members.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ValidateRequest>) => void) | null;
  postMessage: (message: ValidateResponse) => void;
};

scope.onmessage = (event: MessageEvent<ValidateRequest>) => {
  const { id, yaml, talosVersion } = event.data;
  const start = performance.now();
  let answer: ValidateResponse;
  try {
    answer = { id, ms: 0, result: validateForEditor(yaml, talosVersion) };
  } catch (e) {
    answer = { id, ms: 0, error: e instanceof Error ? e.message : String(e) };
  }
  answer.ms = performance.now() - start;
  scope.postMessage(answer);
};
