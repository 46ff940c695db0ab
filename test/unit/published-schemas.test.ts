/**
 * The published JSON Schemas: committed as the zod schemas generate them, saying what zod says
 * (every sample zod accepts, JSON Schema accepts; a set of broken ones both reject), and the shape
 * EventBridge's schema registry expects.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { AfterwordConfig } from '../../lib/config/schema.js';
import {
  CONFIG_SCHEMA_FILE,
  eventSchemaFile,
  PUBLISHED_EVENTS,
  publishedSchemaFiles,
  registrySchema,
  SCHEMAS_FOLDER,
} from '../../lib/contracts/published.js';

const root = resolve(import.meta.dirname, '../..');
const folder = join(root, SCHEMAS_FOLDER);
const fixtures = join(root, 'test/fixtures');

// ajv-formats is CommonJS: under Node's ESM its plugin arrives as the module's `default`.
const wrapped = addFormatsModule as unknown as { default?: FormatsPlugin };
const addFormats: FormatsPlugin = wrapped.default ?? (addFormatsModule as unknown as FormatsPlugin);

function validatorFor(file: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(folder, file), 'utf8')) as object);
}

const interaction = PUBLISHED_EVENTS.find((event) => event.direction === 'in')!;

describe('the published schemas', () => {
  it('are committed exactly as the zod schemas generate them (run `npm run schemas` after a contract change)', () => {
    const wanted = publishedSchemaFiles();
    const committed = readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
      .sort();
    expect(committed).toEqual([...wanted.keys()].sort());
    for (const [file, content] of wanted) {
      const onDisk: unknown = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      expect(onDisk, `${SCHEMAS_FOLDER}/${file} is stale: run npm run schemas`).toEqual(
        JSON.parse(content),
      );
    }
  });

  it('accept every sample event of the test fixtures', () => {
    const incoming = validatorFor(eventSchemaFile(interaction));
    for (const name of readdirSync(join(fixtures, 'events'))) {
      const sample: unknown = JSON.parse(readFileSync(join(fixtures, 'events', name), 'utf8'));
      expect(incoming(sample), `${name}: ${JSON.stringify(incoming.errors)}`).toBe(true);
    }
    for (const event of PUBLISHED_EVENTS.filter((candidate) => candidate.direction === 'out')) {
      const file = eventSchemaFile(event);
      const sample: unknown = JSON.parse(
        readFileSync(join(fixtures, 'events-out', file.replace('events/', '')), 'utf8'),
      );
      const validate = validatorFor(file);
      expect(validate(sample), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('reject what intake rejects, and accept what it accepts', () => {
    const validate = validatorFor(eventSchemaFile(interaction));
    const base = JSON.parse(
      readFileSync(join(fixtures, 'events/support-call.v1.json'), 'utf8'),
    ) as Record<string, unknown>;
    const customer = base.customer as Record<string, unknown>;
    const samples: Array<[string, unknown]> = [
      ['mixed-case touchpoint', { ...base, touchpoint: 'Support-Call' }],
      ['no journey or attributes', { ...base, journey: undefined, attributes: undefined }],
      ['a space in the touchpoint', { ...base, touchpoint: 'support call' }],
      ['no customer id', { ...base, customer: { ...customer, id: undefined } }],
      ['a date without offset', { ...base, occurredAt: '2026-11-23T10:15:00' }],
      ['a locale that is no BCP 47 tag', { ...base, customer: { ...customer, locale: 'English' } }],
      ['an attribute that is an object', { ...base, attributes: { nested: { a: 1 } } }],
      ['a journey without its step', { ...base, journey: { id: 'onboarding' } }],
    ];
    for (const [what, raw] of samples) {
      const sample: unknown = JSON.parse(JSON.stringify(raw));
      const zodSays = interaction.detail.safeParse(sample).success;
      expect(validate(sample), what).toBe(zodSays);
    }
    // The set holds both answers, so the comparison above could fail either way.
    const verdicts = samples.map(
      ([, raw]) => interaction.detail.safeParse(JSON.parse(JSON.stringify(raw))).success,
    );
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });

  it("validate the shipped config, which points at its schema for editors' completion", () => {
    const configPath = join(root, 'infra/afterword.config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { $schema?: string };
    expect(config.$schema).toBeDefined();
    expect(resolve(dirname(configPath), config.$schema!)).toBe(join(folder, CONFIG_SCHEMA_FILE));
    const validate = validatorFor(CONFIG_SCHEMA_FILE);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(AfterwordConfig.safeParse(config).success).toBe(true);
    // A misspelt metric is caught in the editor, before any deploy.
    const broken = structuredClone(config) as { programs: Array<{ metric: string }> };
    broken.programs[0]!.metric = 'nsp';
    expect(validate(broken)).toBe(false);
  });

  it.each(PUBLISHED_EVENTS.map((event) => [event.detailType, event] as const))(
    'registers %s in the shape of AWS event schemas',
    (detailType, event) => {
      const document = registrySchema(event) as {
        openapi: string;
        components: { schemas: Record<string, Record<string, unknown>> };
      };
      expect(document.openapi).toBe('3.0.0');
      const envelope = document.components.schemas.AWSEvent!;
      expect(envelope['x-amazon-events-detail-type']).toBe(detailType);
      const ref = (envelope.properties as { detail: { $ref: string } }).detail.$ref;
      const detail = document.components.schemas[ref.replace('#/components/schemas/', '')];
      expect(detail?.type).toBe('object');
      // OpenAPI 3.0 has no $schema and no $defs: a registry upload with either is rejected.
      expect(JSON.stringify(document)).not.toMatch(/"\$schema"|"\$defs"/);
      expect(existsSync(join(folder, eventSchemaFile(event)))).toBe(true);
    },
  );
});
