/**
 * The contracts Afterword publishes beyond TypeScript: JSON Schema of every event it takes and
 * emits and of the programs config, generated from the zod schemas (the single source), so that
 * producers in Python, Java or Go can validate and generate code, and editors can complete the
 * config. The files are committed under lib/contracts/schemas/ (`npm run schemas` writes them; a
 * test fails when they drift), and the stack registers the events in an EventBridge schema
 * registry, where code bindings can be downloaded.
 */
import * as z from 'zod';
import { AfterwordConfig } from '../config/schema.js';
import { INTERACTION_COMPLETED, InteractionCompletedV1 } from './interaction.js';
import {
  AFTERWORD_SOURCE,
  SURVEY_ANSWERED,
  SURVEY_FOLLOW_UP_REQUESTED,
  SURVEY_FOLLOW_UP_WITHDRAWN,
  SURVEY_FOLLOW_UP_OVERDUE,
  SurveyAnsweredV1,
  SurveyFollowUpOverdueV1,
  SurveyFollowUpRequestedV1,
  SurveyFollowUpWithdrawnV1,
} from './survey-events.js';
import {
  CUSTOMER_ERASED,
  CUSTOMER_ERASURE_REQUESTED,
  CustomerErasedV1,
  CustomerErasureRequestedV1,
} from './erasure.js';

export interface PublishedEvent {
  detailType: string;
  /** The source it comes with: Afterword's own, or any (producers choose theirs). */
  source: string | undefined;
  version: number;
  /** Who puts it on the bus. */
  direction: 'in' | 'out';
  detail: z.ZodType;
}

export const PUBLISHED_EVENTS: readonly PublishedEvent[] = [
  {
    detailType: INTERACTION_COMPLETED,
    source: undefined,
    version: 1,
    direction: 'in',
    detail: InteractionCompletedV1,
  },
  {
    detailType: SURVEY_ANSWERED,
    source: AFTERWORD_SOURCE,
    version: 1,
    direction: 'out',
    detail: SurveyAnsweredV1,
  },
  {
    detailType: SURVEY_FOLLOW_UP_REQUESTED,
    source: AFTERWORD_SOURCE,
    version: 1,
    direction: 'out',
    detail: SurveyFollowUpRequestedV1,
  },
  {
    detailType: SURVEY_FOLLOW_UP_WITHDRAWN,
    source: AFTERWORD_SOURCE,
    version: 1,
    direction: 'out',
    detail: SurveyFollowUpWithdrawnV1,
  },
  {
    detailType: SURVEY_FOLLOW_UP_OVERDUE,
    source: AFTERWORD_SOURCE,
    version: 1,
    direction: 'out',
    detail: SurveyFollowUpOverdueV1,
  },
  {
    detailType: CUSTOMER_ERASURE_REQUESTED,
    source: undefined,
    version: 1,
    direction: 'in',
    detail: CustomerErasureRequestedV1,
  },
  {
    detailType: CUSTOMER_ERASED,
    source: AFTERWORD_SOURCE,
    version: 1,
    direction: 'out',
    detail: CustomerErasedV1,
  },
];

/** Where the schemas live in the repository, relative to its root. */
export const SCHEMAS_FOLDER = 'lib/contracts/schemas';
export const CONFIG_SCHEMA_FILE = 'afterword.config.schema.json';

/** "Survey Follow-up Requested" v1 -> survey-follow-up-requested.v1.json */
export function eventSchemaFile(event: PublishedEvent): string {
  return `events/${slug(event.detailType)}.v${event.version}.json`;
}

/** "Survey Follow-up Requested" -> SurveyFollowUpRequested (a type name for code bindings). */
export function eventTypeName(event: PublishedEvent): string {
  return event.detailType
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

/**
 * JSON Schema (2020-12) of an event's `detail`: what a producer's validator checks before
 * PutEvents. Input shape: fields with defaults are optional, as a producer may leave them out.
 * Checks that JSON Schema cannot say (a real IANA time zone, the attributes' total size) are
 * stated in the descriptions and enforced by intake, which dead-letters with the reason.
 */
export function eventDetailJsonSchema(event: PublishedEvent): Record<string, unknown> {
  return {
    ...z.toJSONSchema(event.detail, { io: 'input', target: 'draft-2020-12' }),
    $id: `https://afterword.dev/schemas/${eventSchemaFile(event)}`,
    title: `${event.detailType} v${event.version} (detail)`,
    description:
      event.direction === 'in'
        ? `The detail of an EventBridge event with detail-type "${event.detailType}" that producers put on Afterword's bus, with a source of their own.`
        : `The detail of the EventBridge event with detail-type "${event.detailType}" and source "${AFTERWORD_SOURCE}" that Afterword puts on its bus.`,
  };
}

/** JSON Schema of the programs config (infra/afterword.config.json's `$schema`). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(AfterwordConfig, { io: 'input', target: 'draft-2020-12' }),
    $id: `https://afterword.dev/schemas/${CONFIG_SCHEMA_FILE}`,
    title: 'Afterword programs config',
  };
}

/** Every committed schema file, by its path under SCHEMAS_FOLDER, as it should read. */
export function publishedSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const event of PUBLISHED_EVENTS) {
    files.set(eventSchemaFile(event), `${JSON.stringify(eventDetailJsonSchema(event), null, 2)}\n`);
  }
  files.set(CONFIG_SCHEMA_FILE, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return files;
}

/**
 * The OpenAPI 3 document EventBridge's schema registry keeps for an event: the envelope as
 * `AWSEvent` with the detail beside it, in the shape of AWS's own event schemas, which is what
 * its code-binding generator (Java, Python, TypeScript, Go) reads.
 */
export function registrySchema(event: PublishedEvent): Record<string, unknown> {
  const detailName = eventTypeName(event);
  const detail: Record<string, unknown> = z.toJSONSchema(event.detail, {
    io: 'input',
    target: 'openapi-3.0',
  });
  // OpenAPI 3.0 documents have no $schema keyword.
  delete detail.$schema;
  return {
    openapi: '3.0.0',
    info: { version: `${event.version}.0.0`, title: detailName },
    paths: {},
    components: {
      schemas: {
        AWSEvent: {
          type: 'object',
          required: [
            'detail-type',
            'resources',
            'detail',
            'id',
            'source',
            'time',
            'region',
            'version',
            'account',
          ],
          'x-amazon-events-detail-type': event.detailType,
          ...(event.source ? { 'x-amazon-events-source': event.source } : {}),
          properties: {
            detail: { $ref: `#/components/schemas/${detailName}` },
            account: { type: 'string' },
            'detail-type': { type: 'string' },
            id: { type: 'string' },
            region: { type: 'string' },
            resources: { type: 'array', items: { type: 'string' } },
            source: { type: 'string' },
            time: { type: 'string', format: 'date-time' },
            version: { type: 'string' },
          },
        },
        [detailName]: detail,
      },
    },
  };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
