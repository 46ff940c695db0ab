/**
 * How a CLI command is defined: once, as data. Its usage lines, what it does, and its options with
 * their help make both the parser's configuration and the `--help` text, so neither can drift from
 * the other. The code that runs it lives in `commands/<name>.ts`, loaded only when it runs: a
 * command's `--help`, `--version` and a usage error start without loading the SDK.
 */
import type { ParseArgsConfig } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  default?: string | boolean;
  /** The value's placeholder in the help (`--days N`). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  /** The synopsis: one line per form, without `afterword <name>`. */
  usage: readonly string[];
  /** What it does, for `--help` (the first sentence is the summary in the command list). */
  about: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** Whether it takes positional arguments (the usage names them). */
  positionals?: boolean;
  /**
   * With `--stack`: the deployed stack's managed policy that is enough for it (its output name), or
   * a sentence saying what access it needs.
   */
  stack?: string;
}

/** `--stack NAME [--region R] [--profile P]`: the deployed stack, with the caller's credentials. */
export const STACK_OPTIONS = {
  stack: {
    type: 'string',
    value: 'NAME',
    help: 'the deployed stack NAME instead of the local one, with your AWS credentials',
  },
  region: { type: 'string', value: 'R', help: "the stack's region (as the AWS CLI picks it)" },
  profile: { type: 'string', value: 'P', help: 'the AWS profile (as the AWS CLI picks it)' },
} as const satisfies Record<string, OptionSpec>;

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean'
  ? boolean
  : O['multiple'] extends true
    ? string[]
    : string;

/** The parsed values of a command's options: defaulted ones always present. */
export type ValuesOf<S extends CommandSpec> = {
  [K in keyof S['options']]: S['options'][K] extends { default: string | boolean }
    ? ValueOf<S['options'][K]>
    : ValueOf<S['options'][K]> | undefined;
} & (S['stack'] extends string
  ? { [K in keyof typeof STACK_OPTIONS]: string | undefined }
  : unknown);

/** What a command's code receives: its parsed options and positional arguments. */
export interface CommandInput<S extends CommandSpec> {
  values: ValuesOf<S>;
  positionals: string[];
}

/** Every option a command takes, `--stack`'s included. */
export function optionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...(spec.stack ? STACK_OPTIONS : {}) };
}

/** node:util parseArgs's configuration for a command. */
export function parseConfig(spec: CommandSpec, args: string[]): ParseArgsConfig {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, option] of Object.entries(optionsOf(spec))) {
    options[name] = {
      type: option.type,
      ...(option.multiple ? { multiple: true } : {}),
      ...(option.default !== undefined ? { default: option.default } : {}),
    };
  }
  return { args, options, allowPositionals: Boolean(spec.positionals), strict: true };
}

/** `afterword <name> --help`. */
export function helpOf(name: string, spec: CommandSpec): string {
  const options = Object.entries(optionsOf(spec)).map(([flag, option]) => {
    const head = `--${flag}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
    const fallback = option.default !== undefined && option.type === 'string';
    return [head, `${option.help}${fallback ? ` (default: ${String(option.default)})` : ''}`];
  });
  options.push(['-h, --help', 'this help']);
  const width = Math.min(28, Math.max(...options.map(([head]) => head!.length)) + 2);
  const stackNote = spec.stack
    ? `\nWith --stack: ${/^[A-Z]\w+Arn$/.test(spec.stack) ? `the stack's ${spec.stack} managed policy is enough.` : spec.stack}\n`
    : '';
  return [
    'Usage:',
    ...spec.usage.map((line) => `  afterword ${name}${line ? ` ${line}` : ''}`),
    '',
    words(spec.about, 96).join('\n'),
    '',
    'Options:',
    ...options.map(([head, help]) => {
      const lines = words(help!, 96 - width - 2);
      const pad = ' '.repeat(width + 2);
      const first =
        head!.length < width
          ? `  ${head!.padEnd(width)}${lines[0]}`
          : `  ${head}\n${pad}${lines[0]}`;
      return [first, ...lines.slice(1).map((line) => pad + line)].join('\n');
    }),
    stackNote,
  ].join('\n');
}

/** The command list of `afterword help`: each usage line, and the first sentence of what it does. */
export function commandList(specs: Record<string, CommandSpec>): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const first = /^.*?[.:](\s|$)/.exec(spec.about)?.[0].trim() ?? spec.about;
      return [
        ...spec.usage.map((line) => `  afterword ${name}${line ? ` ${line}` : ''}`),
        `      ${first.replace(/[.:]$/, '')}`,
      ].join('\n');
    })
    .join('\n');
}

/** Text broken into lines of at most `width` characters, at spaces. */
function words(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && `${line} ${word}`.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
}
