// Runs autocannon in its own process (its own core), so the load generator does not share the
// server's event loop. argv[2]: JSON { url, connections, durationSeconds, key, kind, machineIds, batchSize }.
import autocannon from 'autocannon';

const { url, connections, durationSeconds, key, kind, machineIds, batchSize } = JSON.parse(process.argv[2]);
let n = 0;
const codes = [2, 3];

function body() {
  n++;
  if (kind === 'single') {
    const machineId = machineIds[n % machineIds.length];
    return JSON.stringify({ events: [{ machineId, activityCodeId: codes[Math.floor(n / machineIds.length) % 2] }] });
  }
  const events = [];
  for (let i = 0; i < batchSize; i++) {
    const k = n * batchSize + i;
    events.push({
      machineId: machineIds[k % machineIds.length],
      activityCodeId: codes[Math.floor(k / machineIds.length) % 2],
      eventId: `b-${n}-${i}`,
    });
  }
  return JSON.stringify({ events });
}

const result = await autocannon({
  url: `${url}/api/v1/events`,
  connections,
  duration: durationSeconds,
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      setupRequest: (req) => ({ ...req, body: body() }),
    },
  ],
});
process.send({
  requests: result.requests.total,
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  duration: result.duration,
});
process.disconnect();
