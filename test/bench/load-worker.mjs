// Runs autocannon in its own process (its own core), so the load generator does not share the
// server's event loop. argv[2]: JSON { url, connections, durationSeconds, key, kind, machineIds, batchSize, runId, paths }.
// kind: 'single' (one event per POST /api/v1/events), 'batch' (batchSize events per POST, ids unique per runId),
// 'legacy' (POST /api/machine-state-change, anonymous from loopback, machine_state 1/0), 'get' (GET each of paths in turn).
// With 1 connection the requests are sent one after another by a plain keep-alive client timed with
// performance.now(), because autocannon's latencies have whole-millisecond resolution (p50 ≤ 1.5 ms needs better).
import http from 'node:http';
import autocannon from 'autocannon';

const { url, connections, durationSeconds, key, kind, machineIds, batchSize, runId, paths } = JSON.parse(process.argv[2]);
let n = 0;
// Up and Down by turns: the machines run a job each, so Up is accepted.
const codes = [1, 2];

function body() {
  n++;
  const pass = Math.floor(n / machineIds.length);
  if (kind === 'legacy') return JSON.stringify({ machine_id: machineIds[n % machineIds.length], machine_state: pass % 2 ? 0 : 1 });
  if (kind === 'single')
    return JSON.stringify({ events: [{ machineId: machineIds[n % machineIds.length], activityCodeId: codes[pass % 2] }] });
  const events = [];
  for (let i = 0; i < batchSize; i++) {
    const k = n * batchSize + i;
    events.push({
      machineId: machineIds[k % machineIds.length],
      activityCodeId: codes[Math.floor(k / machineIds.length) % 2],
      eventId: `b-${runId}-${n}-${i}`,
    });
  }
  return JSON.stringify({ events });
}

const headers = key ? { authorization: `Bearer ${key}` } : {};
const request =
  kind === 'get'
    ? { method: 'GET', headers, setupRequest: (req) => ({ ...req, path: paths[n++ % paths.length] }) }
    : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) };

const target = kind === 'legacy' ? `${url}/api/machine-state-change` : kind === 'get' ? url : `${url}/api/v1/events`;

/** One connection, one request at a time, for durationSeconds. */
async function sequential() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(target);
  const latencies = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const end = started + durationSeconds * 1000;
  while (performance.now() < end) {
    const payload = kind === 'get' ? undefined : body();
    const path = kind === 'get' ? paths[n++ % paths.length] : base.pathname;
    const t0 = performance.now();
    try {
      const status = await new Promise((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            path,
            method: request.method,
            headers: { ...request.headers, ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}) },
          },
          (res) => {
            res.resume();
            res.once('end', () => resolve(res.statusCode));
          },
        );
        req.once('error', reject);
        req.end(payload);
      });
      if (status < 200 || status > 299) non2xx++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 100) / 100;
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: q(0.5),
    p99: q(0.99),
    non2xx,
    errors,
    timeouts: 0,
    duration: seconds,
  };
}

async function cannon() {
  const result = await autocannon({ url: target, connections, duration: durationSeconds, requests: [request] });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    duration: result.duration,
  };
}

process.send(connections === 1 ? await sequential() : await cannon());
process.disconnect();
