import { z } from 'zod';
import { LEGACY_ANONYMOUS_MODES } from './core/net/legacy-network.js';

/**
 * The one place that reads process.env for the server runtime. A bad variable stops the start with
 * one message naming every bad variable. No secret has a default.
 */
const roleNames = ['ingest', 'realtime', 'scheduler', 'web'] as const;

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());

const envSchema = z
  .object({
    NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65_535).default(3000)),
    HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
    DATABASE_URL: optionalUrl,
    OEE_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
    OEE_ADMIN_PASSWORD: z.preprocess(emptyToUndefined, z.string().min(10, 'at least 10 characters').optional()),
    OEE_SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'at least 32 characters').optional()),
    INFLUX_URL: optionalUrl,
    INFLUX_TOKEN: optionalString,
    INFLUX_ORG: optionalString,
    INFLUX_BUCKET: optionalString,
    MONGODB_URL: optionalUrl,
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    OEE_ROLES: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default(roleNames.join(','))
        .transform((s) => s.split(',').map((r) => r.trim()))
        .pipe(z.array(z.enum(roleNames)).min(1)),
    ),
    /** Who may call the legacy device route without a key: `private` (loopback + private networks), `loopback`, or `off`. */
    OEE_LEGACY_ANONYMOUS: z.preprocess(emptyToUndefined, z.enum(LEGACY_ANONYMOUS_MODES).default('private')),
    OEE_DISCOVERY_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65_535).default(8090)),
    OEE_PUBLIC_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65_535).optional()),
    /** Express `trust proxy`: set to the number of proxies in front (or a subnet list) when behind HTTPS termination. */
    OEE_TRUST_PROXY: z.preprocess(emptyToUndefined, z.string().default('loopback')),
    /**
     * Host names (comma-separated) the app answers to on the legacy routes and accepts as its own origin,
     * besides IP literals and localhost, which are always accepted; `*` accepts any (docs/security.md).
     */
    OEE_ALLOWED_HOSTS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default('')
        .transform((s) =>
          s
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean),
        ),
    ),
    /**
     * Origins (space- or comma-separated, e.g. `https://intranet.example`) whose pages may embed the
     * wall screen in a frame; unset: no page may frame any page of the app.
     */
    OEE_FRAME_ANCESTORS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default('')
        .transform((s) => s.split(/[\s,]+/).filter(Boolean))
        .pipe(
          z
            .array(
              z
                .url({ protocol: /^https?$/ })
                .refine((u) => new URL(u).origin === u.replace(/\/$/, ''), 'an origin: scheme://host[:port], no path'),
            )
            .transform((list) => list.map((u) => new URL(u).origin)),
        ),
    ),
    /** E-mail (alerts, shift reports): `SMTP_URL` (smtp://user:pass@host:587, smtps://…), or `SMTP_HOST` and the rest; off when neither is set. */
    SMTP_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^smtps?$/ }).optional()),
    SMTP_HOST: optionalString,
    SMTP_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65_535).default(587)),
    /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
    SMTP_SECURE: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false')),
    SMTP_USER: optionalString,
    SMTP_PASS: optionalString,
    SMTP_FROM: optionalString,
    /** The MQTT broker (mqtt://, mqtts://, ws://, wss://, credentials allowed in the URL); unset: no MQTT at all (docs/mqtt.md). */
    MQTT_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^(mqtts?|wss?)$/ }).optional()),
    MQTT_USERNAME: optionalString,
    MQTT_PASSWORD: optionalString,
    /** PEM files: the broker's CA (a private CA), and a client certificate with its key. */
    MQTT_CA_FILE: optionalString,
    MQTT_CERT_FILE: optionalString,
    MQTT_KEY_FILE: optionalString,
    /** The persistent session's client id, shared by the instances of one cluster (only the lease holder connects). */
    MQTT_CLIENT_ID: z.preprocess(emptyToUndefined, z.string().max(64).default('oee-monitor')),
    /** When set, each machine's state and shift OEE are published, retained, under this prefix. */
    MQTT_PUBLISH_PREFIX: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .refine((p) => !/[#+]/.test(p) && !p.includes('\u0000'), 'a topic prefix without + or #')
        .transform((p) => p.replace(/\/+$/, ''))
        .optional(),
    ),
    OEE_DB_POOL_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(2).max(200).default(20)),
    /** `off` for a pooler in transaction mode that cannot keep prepared statements (PgBouncer before 1.21, or max_prepared_statements = 0). */
    OEE_DB_PREPARED_STATEMENTS: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('on')),
  })
  .superRefine((env, ctx) => {
    if ((env.SMTP_URL || env.SMTP_HOST) && !env.SMTP_FROM)
      ctx.addIssue({ code: 'custom', path: ['SMTP_FROM'], message: 'required when SMTP_URL or SMTP_HOST is set' });
    if ((env.MQTT_CERT_FILE === undefined) !== (env.MQTT_KEY_FILE === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_KEY_FILE'], message: 'MQTT_CERT_FILE and MQTT_KEY_FILE go together' });
    }
    if (env.INFLUX_URL) {
      for (const key of ['INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when INFLUX_URL is set' });
      }
    }
  });

export type Env = z.infer<typeof envSchema>;

/** The InfluxDB settings (db/influx/influx-writer.ts InfluxConfig), or null when INFLUX_URL is unset (the schema requires the rest when it is set). */
export function influxSettings(env: Env): { url: string; token: string; org: string; bucket: string } | null {
  if (!env.INFLUX_URL) return null;
  return { url: env.INFLUX_URL, token: env.INFLUX_TOKEN ?? '', org: env.INFLUX_ORG ?? '', bucket: env.INFLUX_BUCKET ?? '' };
}

/** The SMTP settings (services/alerts/mailer.ts SmtpSettings), or null when e-mail is off. */
export function smtpSettings(
  env: Env,
): ({ from: string } & ({ url: string } | { host: string; port: number; secure: boolean; user?: string; pass?: string })) | null {
  if (!env.SMTP_FROM) return null;
  if (env.SMTP_URL) return { from: env.SMTP_FROM, url: env.SMTP_URL };
  if (!env.SMTP_HOST) return null;
  return {
    from: env.SMTP_FROM,
    host: env.SMTP_HOST,
    port: env.SMTP_PORT,
    secure: env.SMTP_SECURE === 'true',
    ...(env.SMTP_USER ? { user: env.SMTP_USER } : {}),
    ...(env.SMTP_PASS ? { pass: env.SMTP_PASS } : {}),
  };
}

/** The MQTT connection (ingest/mqtt/mqtt-bridge.ts MqttConnection), or null when MQTT_URL is unset. */
export function mqttSettings(env: Env): {
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  clientId: string;
} | null {
  if (!env.MQTT_URL) return null;
  return {
    url: env.MQTT_URL,
    clientId: env.MQTT_CLIENT_ID,
    ...(env.MQTT_USERNAME !== undefined ? { username: env.MQTT_USERNAME } : {}),
    ...(env.MQTT_PASSWORD !== undefined ? { password: env.MQTT_PASSWORD } : {}),
    ...(env.MQTT_CA_FILE !== undefined ? { caFile: env.MQTT_CA_FILE } : {}),
    ...(env.MQTT_CERT_FILE !== undefined ? { certFile: env.MQTT_CERT_FILE } : {}),
    ...(env.MQTT_KEY_FILE !== undefined ? { keyFile: env.MQTT_KEY_FILE } : {}),
  };
}

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function loadEnv(): Env {
  return parseEnv(process.env);
}

/** Variables the test harness reads (test runtime only). */
export function testDatabaseUrl(): string | undefined {
  return emptyToUndefined(process.env.TEST_DATABASE_URL) as string | undefined;
}

/**
 * Settings of the test and bench runs: `TEST_LOG_LEVEL` (the test app's log level; silent when unset),
 * `PROPERTY_RUNS` and `PROPERTY_SEED` (test/timeline-property.test.ts), and `DATABASE_URL`, which `npm run bench`
 * uses instead of an embedded PostgreSQL when set, and `OEE_BENCH_CPU_PROF`, a folder where the bench's servers write
 * a V8 CPU profile (`node --cpu-prof`) when they stop.
 */
export function testRunEnv(): {
  logLevel?: string;
  propertyRuns?: number;
  propertySeed?: number;
  databaseUrl?: string;
  cpuProfileDir?: string;
} {
  const text = (name: string) => emptyToUndefined(process.env[name]) as string | undefined;
  const logLevel = text('TEST_LOG_LEVEL');
  const propertyRuns = text('PROPERTY_RUNS');
  const propertySeed = text('PROPERTY_SEED');
  const databaseUrl = text('DATABASE_URL');
  const cpuProfileDir = text('OEE_BENCH_CPU_PROF');
  return {
    ...(logLevel ? { logLevel } : {}),
    ...(propertyRuns ? { propertyRuns: Number(propertyRuns) } : {}),
    ...(propertySeed ? { propertySeed: Number(propertySeed) } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  };
}

/**
 * What the test harness needs to find its optional prerequisites: `CI` makes a missing one fail the run
 * instead of skipping it; `CHROMIUM_PATH`, `VICTORIA_METRICS_BIN` and `MOSQUITTO_BIN` point at other builds.
 */
export function testPrerequisiteEnv(): { ci: boolean; chromiumPath?: string; victoriaMetricsBin?: string; mosquittoBin?: string } {
  const ci = emptyToUndefined(process.env.CI);
  const mosquittoBin = emptyToUndefined(process.env.MOSQUITTO_BIN) as string | undefined;
  const chromiumPath = emptyToUndefined(process.env.CHROMIUM_PATH) as string | undefined;
  const victoriaMetricsBin = emptyToUndefined(process.env.VICTORIA_METRICS_BIN) as string | undefined;
  return {
    ci: ci !== undefined && ci !== 'false' && ci !== '0',
    ...(chromiumPath ? { chromiumPath } : {}),
    ...(victoriaMetricsBin ? { victoriaMetricsBin } : {}),
    ...(mosquittoBin ? { mosquittoBin } : {}),
  };
}

/**
 * SvelteKit's adapter-node reads its settings from process.env alone, once, when web/build/handler.js is
 * first imported (ingest/web/sveltekit-handler.ts calls this just before). The one write to process.env.
 */
export function setAdapterNodeEnv(settings: Readonly<Record<string, string>>): void {
  Object.assign(process.env, settings);
}

/**
 * The environment of a child process started by a script (`npm run soak` starts the server): this
 * process's own plus `overrides`, where an empty string unsets a variable for the child's env.ts.
 */
export function childProcessEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
