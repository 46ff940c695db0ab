/** Local dead-letter store: what the AWS stack sends to a DLQ, kept locally as JSON lines. */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DeadLetter {
  at: string;
  rule: string;
  target: string;
  attempts: number;
  error: string;
  event: unknown;
}

export interface DeadLetterSink {
  add(letter: DeadLetter): void;
  list(): DeadLetter[];
}

export class MemoryDeadLetters implements DeadLetterSink {
  private readonly letters: DeadLetter[] = [];
  add(letter: DeadLetter) {
    this.letters.push(letter);
  }
  list() {
    return [...this.letters];
  }
}

export class FileDeadLetters implements DeadLetterSink {
  constructor(private readonly path: string) {}
  add(letter: DeadLetter) {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify(letter)}\n`);
  }
  list(): DeadLetter[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as DeadLetter);
  }
}
