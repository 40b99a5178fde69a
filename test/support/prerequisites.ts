import { existsSync } from 'node:fs';
import { testPrerequisiteEnv } from '../../env.js';

/**
 * The one rule for optional test prerequisites (README, "Test"): on a machine without one, the tests
 * that need it are skipped and the run says so, naming what was skipped and what to install; with `CI`
 * set, a missing prerequisite fails the run instead, so CI can never skip anything silently.
 */
export interface Prerequisite {
  /** What it is, e.g. "victoria-metrics (an InfluxDB line-protocol server)". */
  name: string;
  /** Where it was looked for. */
  path: string;
  /** Which tests need it. */
  neededBy: string;
  /** How to get it. */
  install: string;
}

const OPTIONAL: Prerequisite[] = [];

/** One sentence per optional prerequisite that is missing; throws under CI when any is. */
export function missingPrerequisites(): string[] {
  const missing = OPTIONAL.filter((p) => !existsSync(p.path)).map(describeMissing);
  if (missing.length > 0 && testPrerequisiteEnv().ci) throw new Error(`CI requires every test prerequisite:\n${missing.join('\n')}`);
  return missing;
}

function describeMissing(p: Prerequisite): string {
  return `${p.name} not found at ${p.path}: ${p.neededBy} ${testPrerequisiteEnv().ci ? 'cannot run' : 'are SKIPPED'}. Install it with: ${p.install}`;
}

/** True when present. When missing: throws under CI, otherwise prints the skip and returns false. */
export function optionalPrerequisite(p: Prerequisite): boolean {
  if (existsSync(p.path)) return true;
  const message = describeMissing(p);
  if (testPrerequisiteEnv().ci) throw new Error(`CI requires every test prerequisite. ${message}`);
  console.warn(`[prerequisite missing] ${message}`);
  return false;
}

/** Debian's victoria-metrics, or another build at VICTORIA_METRICS_BIN. */
export const VICTORIA_METRICS: Prerequisite = {
  name: 'victoria-metrics (an InfluxDB line-protocol server)',
  path: testPrerequisiteEnv().victoriaMetricsBin ?? '/usr/bin/victoria-metrics',
  neededBy: 'the InfluxDB relay tests against a real server (test/influx-outbox.test.ts, "InfluxDB outbox relay against victoria-metrics")',
  install: '`apt-get install -y victoria-metrics` (Debian), or set VICTORIA_METRICS_BIN',
};
OPTIONAL.push(VICTORIA_METRICS);

/** Debian's mosquitto (an MQTT broker with persistence on disk), or another build at MOSQUITTO_BIN. */
export const MOSQUITTO: Prerequisite = {
  name: 'mosquitto (an MQTT broker)',
  path: testPrerequisiteEnv().mosquittoBin ?? '/usr/sbin/mosquitto',
  neededBy: 'the MQTT tests against a broker that restarts with its persistence (test/mqtt-broker-restart.test.ts)',
  install: '`apt-get install -y mosquitto` (Debian), or set MOSQUITTO_BIN',
};
OPTIONAL.push(MOSQUITTO);
