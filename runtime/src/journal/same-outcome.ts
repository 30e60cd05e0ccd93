// Did a replay end as the recorded run did? The same result (compared as exact
// JSON values, so 3.0 is not 3), or a failure of the same kind.
import type { Envelope } from '../engine/types';
import { parseExact, toExactJson } from '../values/exact-json';

export interface RecordedOutcome {
  state: string;
  /** The recorded result's JSON text (null when it was too large to keep). */
  resultJson: string | null;
  errorType: string | null;
}

export function sameOutcome(recorded: RecordedOutcome, env: Envelope): boolean {
  if (recorded.state === 'completed') {
    if (!env.success || recorded.resultJson === null) return false;
    return canonical(recorded.resultJson) === canonical(env.resultJson ?? 'null');
  }
  return !env.success && env.error?.error_type === recorded.errorType;
}

function canonical(text: string): string {
  return toExactJson(parseExact(text), 'the result');
}
