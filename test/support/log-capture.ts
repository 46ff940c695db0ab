/**
 * Catches the log lines written from now until `restore()`, at `level` (LOG_LEVEL): both streams,
 * nothing printed. Tests that assert what a log says, or that it holds no personal data.
 */
import { vi } from 'vitest';

export function captureLog(level: 'debug' | 'info' | 'warn'): {
  lines: string[];
  restore: () => void;
} {
  const lines: string[] = [];
  const capture = (stream: NodeJS.WriteStream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  const before = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = level;
  const spies = [capture(process.stdout), capture(process.stderr)];
  return {
    lines,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
      process.env.LOG_LEVEL = before;
    },
  };
}
