import { adminLoad } from '$lib/admin/load';
import type { ActivityCode, Machine, MqttMapping, MqttStatus } from '$lib/admin/types';
import type { PageLoad } from './$types';

export const load: PageLoad = (event) =>
  adminLoad(event, async (get) => {
    const [mappings, machines, codes, health] = await Promise.all([
      get<MqttMapping[]>('/mqtt/mappings'),
      get<Machine[]>('/machines'),
      get<ActivityCode[]>('/activity-codes'),
      get<{ mqtt?: MqttStatus }>('/health'),
    ]);
    return { mappings, machines, codes, mqtt: health.mqtt ?? ('off' as MqttStatus) };
  });
