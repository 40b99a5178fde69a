import type { z } from 'zod';
import type { dataSourcesResponseSchema, reasonQueueSchema } from '$core/schemas/andon.schema.js';
import { request, type Fetch } from '$lib/api';

/** The reason queue and the data sources (docs/api.md "Heartbeats and data sources", "The reason queue"). */
export type ReasonQueue = z.infer<typeof reasonQueueSchema>;
export type ReasonDebt = ReasonQueue['debts'][number];
export type DataSources = z.infer<typeof dataSourcesResponseSchema>;

export const reasons = {
  queue: (fetch?: Fetch) => request<ReasonQueue>('GET', '/reason-queue', fetch ? { fetch } : {}),
  /** A correction over exactly the stop, authored by the signed-in supervisor; the eventId makes a retry harmless. */
  give: (debt: ReasonDebt, activityCodeId: number, eventId: string) =>
    request('POST', '/reason-queue/reasons', {
      body: { machineId: debt.machineId, from: debt.start, to: debt.end, activityCodeId, eventId },
    }),
  dataSources: (fetch?: Fetch) => request<DataSources>('GET', '/data-sources', fetch ? { fetch } : {}),
};
