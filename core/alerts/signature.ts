import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (docs/alerts.md "Webhooks"): `X-OEE-Signature: sha256=<hex>` over `<timestamp>.<body>`
 * with the webhook's secret, `X-OEE-Timestamp` the Unix seconds of the attempt. A receiver recomputes it
 * and compares; the timestamp lets it refuse old replays.
 */
export const SIGNATURE_HEADER = 'x-oee-signature';
export const TIMESTAMP_HEADER = 'x-oee-timestamp';
export const DELIVERY_HEADER = 'x-oee-delivery';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function verifyWebhook(secret: string, timestamp: number, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
