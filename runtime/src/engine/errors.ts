// Errors raised before anything runs: a bad request, a bad file, a bad config.
// They are not task outcomes, so `TaskHandle.result` rejects with them.

export interface ConfigProblemAt {
  /** Absolute path, or as given. */
  file: string;
  /** 1-based; 0 when the problem has no position (a missing file). */
  line: number;
  column: number;
  message: string;
}

/** One or more problems in the task's file or capsule.toml; printed as file:line:col: message. */
export class ConfigError extends Error {
  readonly problems: ConfigProblemAt[];
  constructor(problems: ConfigProblemAt[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblemAt): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.column}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** The engine was used wrongly (bad start request, used after dispose). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
