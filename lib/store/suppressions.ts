/**
 * Who must not be contacted, per person rather than per customer id: an address that bounced
 * permanently or complained (suppressed), an address whose owner opted out, and a customer id
 * whose owner opted out and was then erased (their contact item, which held the opt-out, is gone).
 *
 * Keyed by a keyed hash (HMAC-SHA-256 with the consent key, kept in Secrets Manager on AWS and in
 * the data dir locally) of the normalised address or the id, so the table holds no address and a
 * known address cannot be tested against it without the key. The key is never rotated: a new key
 * would lose every opt-out. Items carry no TTL: they hold no personal data, and an opt-out must
 * outlive everything else.
 *
 * Items: pk `DNC#<hmac("address:" + lower-case address)>`, sk `ADDRESS`: `suppressed` (bounce or
 * complaint) with `suppressedAt`, and/or `optedOutAt`; pk `DNC#<hmac("customer:" + id)>`, sk
 * `CUSTOMER`: `optedOutAt`. Suppressions written before the keyed hash, pk
 * `SUPP#<sha256(lower-case address)>`, sk `SUPPRESSION`, are still read, until the table is recorded
 * to hold none (legacy-shapes.ts).
 */
import {
  DeleteCommand,
  GetCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { createHash, createHmac } from 'node:crypto';
import { updateItem } from './update.js';
import { batchGetAll, KEY } from './table.js';
import type { LegacyShapes } from './legacy-shapes.js';

export type SuppressionReason = 'bounce' | 'complaint';
/** Why an address or customer must not be contacted. */
export type ContactBlock = SuppressionReason | 'opted-out';

/** An address, or its keyed hash (all an erased invitation keeps of it). */
export type Address = string | { ref: string };

/** The consent key: a secret string, loaded once per container (Secrets Manager) or fixed. */
export interface ConsentKeySource {
  load(): Promise<string>;
}

export function normalisedAddress(email: string): string {
  return email.trim().toLowerCase();
}

/** The first, unkeyed shape of a suppression: read, never written. */
export function legacySuppressionKey(email: string) {
  const hash = createHash('sha256').update(normalisedAddress(email)).digest('base64url');
  return { [KEY.pk]: `SUPP#${hash}`, [KEY.sk]: 'SUPPRESSION' };
}

export class SuppressionStore {
  private key: Promise<string> | undefined;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly consentKey: ConsentKeySource | undefined,
    /** Whether first-shape suppressions remain to be read; without it, they are always read. */
    private readonly legacy?: LegacyShapes,
  ) {}

  /** The keyed hash of an address or a customer id: the only way either is kept here. */
  async ref(kind: 'address' | 'customer', value: string): Promise<string> {
    if (!this.consentKey) throw new Error('no consent key configured (CONSENT_KEY_SECRET_ARN)');
    if (!this.key) {
      this.key = this.consentKey.load();
      this.key.catch(() => (this.key = undefined)); // a failed load is tried again next time
    }
    const input = kind === 'address' ? normalisedAddress(value) : value;
    return createHmac('sha256', await this.key)
      .update(`${kind}:${input}`)
      .digest('base64url');
  }

  /** The item of an address, given as itself or (an erased invitation's) as its keyed hash. */
  async addressKey(address: Address) {
    const ref = typeof address === 'string' ? await this.ref('address', address) : address.ref;
    return { [KEY.pk]: `DNC#${ref}`, [KEY.sk]: 'ADDRESS' };
  }

  async customerKey(customerId: string) {
    return { [KEY.pk]: `DNC#${await this.ref('customer', customerId)}`, [KEY.sk]: 'CUSTOMER' };
  }

  /** The address is never emailed again (the first reason and time are kept). */
  async suppress(address: Address, reason: SuppressionReason, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: await this.addressKey(address),
        // No invitation id: kept for good, it would tie the hash to an invitation.
        UpdateExpression:
          'SET suppressed = if_not_exists(suppressed, :reason), suppressedAt = if_not_exists(suppressedAt, :at)',
        ExpressionAttributeValues: { ':reason': reason, ':at': at.toISOString() },
      }),
    );
  }

  /** The person behind the address opted out: no program emails it again, under any customer id. */
  async optOutAddress(address: Address, at: Date): Promise<void> {
    await this.optOut(await this.addressKey(address), at);
  }

  /**
   * A customer's opt-out in the records that outlive their contact item: the id's, and the
   * address's when its keyed hash is known (the unsubscribe; intake's repair of one cut short).
   */
  async recordOptOut(customerId: string, addressRef: string | undefined, at: Date): Promise<void> {
    await Promise.all([
      this.optOutCustomer(customerId, at),
      addressRef ? this.optOutAddress({ ref: addressRef }, at) : undefined,
    ]);
  }

  /** Keeps an erased customer's opt-out, by the keyed hash of their id only. */
  async optOutCustomer(customerId: string, at: Date): Promise<void> {
    await this.optOut(await this.customerKey(customerId), at);
  }

  private async optOut(key: Record<string, string>, at: Date) {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET optedOutAt = if_not_exists(optedOutAt, :at)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  /**
   * A suppression of the first, unkeyed shape, moved to the keyed one (an erasure knows the address
   * a moment longer than anyone else): the unkeyed hash of a known address is no secret.
   */
  async moveLegacySuppression(email: string): Promise<void> {
    const { Attributes } = await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: legacySuppressionKey(email),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const reason = Attributes?.reason as SuppressionReason | undefined;
    if (reason) {
      const at = typeof Attributes?.at === 'string' ? new Date(Attributes.at) : new Date();
      await this.suppress(email, reason, at);
    }
  }

  /** The erasure of a customer, kept by keyed hash: interactions from before it store nothing of them. */
  async markErased(customerId: string, at: Date): Promise<void> {
    // The latest erasure: a customer back after one and erased again stores nothing from before
    // the second either. (`at` is the request's time, so the erasure's own retry moves nothing.)
    await updateItem(this.doc, this.tableName, await this.customerKey(customerId), {
      set: { erasedAt: at.toISOString() },
      condition: 'attribute_not_exists(erasedAt) OR erasedAt < :at',
      values: { ':at': at.toISOString() },
    });
  }

  /** The customer id's own record: its opt-out and erasure, if any (eventually consistent). */
  async customerConsent(customerId: string): Promise<{ optedOutAt?: string; erasedAt?: string }> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: await this.customerKey(customerId) }),
    );
    return {
      ...(typeof Item?.optedOutAt === 'string' ? { optedOutAt: Item.optedOutAt } : {}),
      ...(typeof Item?.erasedAt === 'string' ? { erasedAt: Item.erasedAt } : {}),
    };
  }

  /**
   * Why this address (and, when given, this customer id) must not be contacted, or undefined.
   * One BatchGetItem, eventually consistent: a suppression or an opt-out of the last second may be
   * missed, which the contact item's own opt-out (read consistently at the claim) and the
   * dispatcher's second look cover.
   */
  async reasonFor(email: string, customerId?: string): Promise<ContactBlock | undefined> {
    const legacyPresent = (await this.legacy?.present())?.suppressions ?? true;
    const keys = [await this.addressKey(email)];
    if (legacyPresent) keys.push(legacySuppressionKey(email));
    if (customerId !== undefined) keys.push(await this.customerKey(customerId));
    const items = await batchGetAll(this.doc, this.tableName, keys, { what: 'consent records' });
    const suppressed = items.find((item) => item.suppressed ?? item.reason);
    if (suppressed) return (suppressed.suppressed ?? suppressed.reason) as SuppressionReason;
    if (items.some((item) => item.optedOutAt)) return 'opted-out';
    return undefined;
  }
}
