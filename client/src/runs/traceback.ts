// Traceback frames: the engine's structured `error.frames` when it sends them, else read
// from the Python traceback text. A frame's file is project-relative for the project's own
// files (the sandbox mounts the project at /project), the guest path otherwise. No vscode.

export interface Frame { file: string; line: number; name: string; source?: string }

/** Where the project is mounted in the sandbox. */
const PROJECT_MOUNT = '/project/';

const FRAME_LINE = /^\s*File "([^"]+)", line (\d+), in (.+)$/;

/** Frames of a Python traceback, outermost first, as Python prints them. */
export function parseTraceback(text: string): Frame[] {
  const lines = text.split('\n');
  const out: Frame[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = FRAME_LINE.exec(lines[i]!);
    if (!m) continue;
    const file = m[1]!.startsWith(PROJECT_MOUNT) ? m[1]!.slice(PROJECT_MOUNT.length) : m[1]!;
    const next = lines[i + 1];
    const source = next !== undefined && !FRAME_LINE.test(next) && /^\s{4,}\S/.test(next) ? next.trim() : undefined;
    out.push({ file, line: Number(m[2]), name: m[3]!.trim(), ...(source ? { source } : {}) });
  }
  return out;
}

function isFrame(x: unknown): x is Frame {
  const f = x as Frame;
  return !!f && typeof f.file === 'string' && typeof f.line === 'number' && typeof f.name === 'string';
}

/** The frames of an engine error: `frames` as sent, else parsed from `traceback`. */
export function framesOf(e: { traceback?: string; frames?: unknown }): Frame[] {
  if (Array.isArray(e.frames)) return e.frames.filter(isFrame);
  return e.traceback ? parseTraceback(e.traceback) : [];
}

/** A frame in the user's project (not the SDK or the standard library). */
export const isProjectFrame = (f: Frame): boolean => !f.file.startsWith('/') && !f.file.startsWith('<');

/** The line that raised: the innermost frame in the project's own files. */
export function raisingFrame(frames: readonly Frame[]): Frame | undefined {
  for (let i = frames.length - 1; i >= 0; i--) if (isProjectFrame(frames[i]!)) return frames[i];
  return undefined;
}
