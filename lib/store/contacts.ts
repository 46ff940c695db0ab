/**
 * Contact state per customer, and the customer directory on the same item.
 *
 * Item: pk `CONTACTS#<shard>` (16 shards by a hash of the customer id), sk `<customerId>`. One
 * partition per shard rather than per customer, so the directory is 16 Queries away (the tracking
 * and periodic programs draw from it) with no index to keep up to date: the profile rides along
 * with the contact claim a scheduled survey writes anyway. Claims are conditional on the version
 * read, so concurrent interactions of one customer cannot both pass the contact rules.
 *
 * Items of the first shape (pk `CUST#<customerId>`, sk `CONTACT`) are still read when a customer
 * has no current item, and moved to the current key by the next write (a claim, a profile update),
 * history and opt-out included; not read at all once the table is recorded to hold none
 * (legacy-shapes.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { EMPTY_CONTACT_STATE, type ContactState } from '../domain/contact-rules.js';
import { PROFILE_FIELDS, type CustomerProfile } from '../domain/customer-profile.js';
import { KEY, TTL_ATTRIBUTE } from './table.js';
import { updateItem } from './update.js';
import type { LegacyShapes } from './legacy-shapes.js';
import {
  CONTACT_SHARDS,
  type DirectoryEntry,
  contactKey,
  expiryOf,
  itemOf,
  legacyContactKey,
  profileOf,
  stateOf,
} from './contact-items.js';

/** What taking a customer's review email of the period came to (`claimReviewAsk`). */
export type ReviewAsk = 'asked' | 'asked-recently' | 'opted-out' | 'no-contact-item';

export class ContactStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** How long a customer's profile is kept after they were last seen (config). */
    private readonly retentionDays = 400,
    /** Whether first-shape items remain to be read; without it, they are always read. */
    private readonly legacy?: LegacyShapes,
  ) {}

  /**
   * The customer's contact state. An eventually consistent read (`consistent: false`) costs half;
   * a stale version only makes the conditional claim fail, and the caller reads again, consistently.
   * A customer without a current item costs a second read, of the first key shape, while the table
   * may still hold that shape.
   */
  async get(
    customerId: string,
    { consistent = true }: { consistent?: boolean } = {},
  ): Promise<ContactState> {
    const read = async (key: Record<string, string>) =>
      (
        await this.doc.send(
          new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }),
        )
      ).Item;
    // Asked alongside the first read: once per container, and only its first call waits on it.
    const legacyPresent = this.legacy?.present().then((presence) => presence.contacts) ?? true;
    const current = await read(contactKey(customerId));
    if (current) return stateOf(current, 'current');
    if (await legacyPresent) {
      const legacy = await read(legacyContactKey(customerId));
      if (legacy) return stateOf(legacy, 'legacy');
    }
    return { ...EMPTY_CONTACT_STATE };
  }

  /**
   * Writes `next` (its profile included) only if nobody changed the state since `read` was read;
   * false when someone did (the caller reads again and decides again). From nothing or from the
   * first key shape, the current item must not exist yet.
   */
  async claim(customerId: string, read: ContactState, next: ContactState): Promise<boolean> {
    const fresh = read.stored !== 'current';
    return this.put(
      itemOf(customerId, next, this.retentionDays),
      fresh
        ? {
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': KEY.pk },
          }
        : {
            ConditionExpression: '#version = :expected AND attribute_not_exists(optedOutAt)',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': read.version },
          },
    );
  }

  /**
   * Takes back a claim made for a decision recorded already (a redelivery, intake.ts): the state
   * read before it, with the profile claimed, only while nothing was written since. False when
   * something was: the claim then stays, a contact counted once too often (never too rarely).
   */
  async releaseClaim(customerId: string, read: ContactState, claimed: ContactState) {
    return this.put(
      itemOf(
        customerId,
        { ...read, profile: claimed.profile, version: claimed.version + 1 },
        this.retentionDays,
      ),
      {
        ConditionExpression: '#version = :expected AND attribute_not_exists(optedOutAt)',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': claimed.version },
      },
    );
  }

  /**
   * Records a profile seen without a claim (a skipped interaction, an import). On a current item,
   * only the profile's attributes change (the contact history is left alone); otherwise the whole
   * state read is written under the current key, so a customer of the first shape keeps their
   * history and opt-out. A lost race to create the item is harmless: the next sighting writes.
   */
  async recordProfile(customerId: string, read: ContactState, profile: CustomerProfile) {
    if (read.stored !== 'current') {
      await this.put(itemOf(customerId, { ...read, profile }, this.retentionDays), {
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': KEY.pk },
      });
      return;
    }
    if (read.optedOutAt) return; // nothing personal is kept of an opted-out customer
    const fields = PROFILE_FIELDS.filter((field) => profile[field] !== undefined);
    if (!fields.length) return;
    const values: Record<string, unknown> = Object.fromEntries(
      fields.map((field) => [`:${field}`, profile[field]]),
    );
    const sets = fields.map((field) => `#${field} = :${field}`);
    const names: Record<string, string> = Object.fromEntries(
      fields.map((field) => [`#${field}`, field]),
    );
    if (profile.seenOn) {
      sets.push('#ttl = :ttl');
      names['#ttl'] = TTL_ATTRIBUTE;
      values[':ttl'] = expiryOf(profile.seenOn, this.retentionDays);
    }
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: contactKey(customerId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          // An opt-out between the read and this write wins: no profile lands on it.
          ConditionExpression: 'attribute_not_exists(optedOutAt)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  /**
   * Opts the customer out of every program, at once (the first time is kept). The profile goes
   * (the address only as its keyed hash, so an erasure by address still finds the customer); the
   * item itself expires `retentionDays` after the opt-out at the latest, as everything personal
   * does: the opt-out outlives it as keyed hashes of the address and the id (SuppressionStore),
   * which the caller writes too. A customer of the first key shape gets a current item.
   */
  async optOut(customerId: string, at: Date, addressRef?: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: contactKey(customerId),
        UpdateExpression: `SET optedOutAt = if_not_exists(optedOutAt, :at), #version = if_not_exists(#version, :zero) + :one, #ttl = :ttl${addressRef ? ', addressRef = :ref' : ''} REMOVE #email, #locale, #timeZone, #segment`,
        ExpressionAttributeNames: {
          '#version': 'version',
          '#email': 'email',
          '#locale': 'locale',
          '#timeZone': 'timeZone',
          '#segment': 'segment',
          '#ttl': TTL_ATTRIBUTE,
        },
        ExpressionAttributeValues: {
          ':at': at.toISOString(),
          ':zero': 0,
          ':one': 1,
          ':ttl': expiryOf(at.toISOString(), this.retentionDays),
          ...(addressRef ? { ':ref': addressRef } : {}),
        },
      }),
    );
  }

  /**
   * Takes the customer's one review email of the period (domain/review.ts): `asked`, and recorded,
   * only when their contact item exists, they have not opted out, and no review email went to them
   * since `since`. Otherwise why not, from the item the failed condition returns: `asked-recently`
   * (too soon, or a concurrent one took it), `opted-out`, or `no-contact-item` (erased, or gone
   * with the retention period: nobody to ask without the state that records the opt-out).
   */
  async claimReviewAsk(customerId: string, at: Date, since: Date): Promise<ReviewAsk> {
    const outcome = await updateItem(this.doc, this.tableName, contactKey(customerId), {
      set: { reviewAskedAt: at.toISOString() },
      // a new version: a contact claim written from an older read must read again (and keep it)
      setExpressions: ['version = version + :one'],
      condition:
        'attribute_exists(#pk) AND attribute_not_exists(optedOutAt) AND (attribute_not_exists(reviewAskedAt) OR reviewAskedAt < :since)',
      names: { '#pk': KEY.pk },
      values: { ':since': since.toISOString(), ':one': 1 },
    });
    if (outcome.updated) return 'asked';
    if (!outcome.current) return 'no-contact-item';
    return outcome.current.optedOutAt !== undefined ? 'opted-out' : 'asked-recently';
  }

  /** Deletes the customer's contact item, in both key shapes (erasure); how many there were. */
  async forget(customerId: string): Promise<number> {
    const deleted = await Promise.all(
      [contactKey(customerId), legacyContactKey(customerId)].map(async (key) => {
        const { Attributes } = await this.doc.send(
          new DeleteCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' }),
        );
        return Attributes ? 1 : 0;
      }),
    );
    return deleted[0]! + deleted[1]!;
  }

  /**
   * The customer ids the directory holds with this address (any letter case), or, for an
   * opted-out customer whose address was removed, with its keyed hash. Reads the whole directory:
   * an erasure by address is rare, and no index keeps addresses.
   */
  async idsWithAddress(email: string, addressRef: string): Promise<string[]> {
    const wanted = email.trim().toLowerCase();
    const ids: string[] = [];
    await this.forEachInDirectory((entries) => {
      for (const entry of entries) {
        if (entry.email?.trim().toLowerCase() === wanted || entry.addressRef === addressRef)
          ids.push(entry.customerId);
      }
    });
    return ids.sort();
  }

  /**
   * The whole directory, a page at a time: one paginated Query per shard, the shards read in
   * parallel (eventually consistent: a draw does not need the last second). Customers only of the
   * first key shape are not listed until their next interaction moves them.
   */
  async forEachInDirectory(onPage: (entries: DirectoryEntry[]) => void): Promise<void> {
    await Promise.all(
      Array.from({ length: CONTACT_SHARDS }, async (_, shard) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': KEY.pk },
              ExpressionAttributeValues: { ':pk': `CONTACTS#${shard}` },
              ExclusiveStartKey: startKey,
            }),
          );
          onPage(
            (page.Items ?? []).map((item) => ({
              customerId: String(item[KEY.sk]),
              ...profileOf(item),
              optedOutAt: item.optedOutAt as string | undefined,
              addressRef: item.addressRef as string | undefined,
            })),
          );
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }),
    );
  }

  private async put(
    item: Record<string, unknown>,
    condition: Pick<
      ConstructorParameters<typeof PutCommand>[0],
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
