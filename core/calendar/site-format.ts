/**
 * The one home of how dates and clock times read on every screen (issue 18): in the site's zone, in the
 * site's date format, whatever the zone and locale of the browser, TV or tablet. Intl only, no date
 * library: the wall imports it and has a bundle budget (docs/architecture.md "Budgets").
 */

/** The date formats a site can choose (site setting `dateFormat`, docs/api.md "Site"). */
export const dateFormats = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY'] as const;
export type DateFormat = (typeof dateFormats)[number];
/** ISO: the only one nobody misreads. */
export const DEFAULT_DATE_FORMAT: DateFormat = 'YYYY-MM-DD';

/** A format by name, e.g. "DD/MM/YYYY (31/12/2026)", for the admin's choice. */
export const dateFormatExample: Record<DateFormat, string> = {
  'YYYY-MM-DD': '2026-12-31',
  'DD/MM/YYYY': '31/12/2026',
  'MM/DD/YYYY': '12/31/2026',
  'DD.MM.YYYY': '31.12.2026',
};

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      // An unknown zone (a browser older than the server's zone data): UTC rather than the device's zone.
      f = partsFormatter('UTC');
    }
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock reading in `zone` at `ms`. */
export function localParts(ms: number, zone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

const two = (n: number) => String(n).padStart(2, '0');
const four = (n: number) => String(n).padStart(4, '0');

/** A calendar day in the format: `2026-12-31`, `31/12/2026`, `12/31/2026`, `31.12.2026`. */
export function formatDay(day: Pick<LocalParts, 'year' | 'month' | 'day'>, format: DateFormat): string {
  const y = four(day.year);
  const m = two(day.month);
  const d = two(day.day);
  switch (format) {
    case 'DD/MM/YYYY':
      return `${d}/${m}/${y}`;
    case 'MM/DD/YYYY':
      return `${m}/${d}/${y}`;
    case 'DD.MM.YYYY':
      return `${d}.${m}.${y}`;
    default:
      return `${y}-${m}-${d}`;
  }
}

/** A local ISO day (`YYYY-MM-DD`, as the API and URLs carry them) in the format; anything else is returned as it is. */
export function formatIsoDay(iso: string, format: DateFormat): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? formatDay({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, format) : iso;
}

/**
 * What a person typed as a day in the format, as a local ISO day, or null when it is not a real day.
 * Forgiving where it cannot be misread: one-digit days and months, and any of `/ . -` between the parts.
 */
export function parseDay(text: string, format: DateFormat): string | null {
  const parts = text.trim().split(/[/.-]/);
  if (parts.length !== 3 || parts.some((p) => !/^\d{1,4}$/.test(p))) return null;
  const [a, b, c] = parts.map(Number) as [number, number, number];
  const [year, month, day] =
    format === 'YYYY-MM-DD' ? [a, b, c] : format === 'MM/DD/YYYY' ? [c, a, b] : /* DD/MM/YYYY, DD.MM.YYYY */ [c, b, a];
  const yearText = format === 'YYYY-MM-DD' ? parts[0]! : parts[2]!;
  if (yearText.length !== 4 || month < 1 || month > 12 || day < 1) return null;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return `${four(year)}-${two(month)}-${two(day)}`;
}

/** `14:05` in `zone` (`14:05:09` with seconds). Shop floors read a 24-hour clock. */
export function formatSiteTime(at: number | string | Date, zone: string, withSeconds = false): string {
  const p = localParts(new Date(at).getTime(), zone);
  return withSeconds ? `${two(p.hour)}:${two(p.minute)}:${two(p.second)}` : `${two(p.hour)}:${two(p.minute)}`;
}

/** The day of an instant in `zone`, in the format. */
export function formatSiteDate(at: number | string | Date, zone: string, format: DateFormat): string {
  return formatDay(localParts(new Date(at).getTime(), zone), format);
}

/** `31/12/2026 14:05` (with seconds: `31/12/2026 14:05:09`): an instant in `zone`, in the format. */
export function formatSiteDateTime(at: number | string | Date, zone: string, format: DateFormat, withSeconds = false): string {
  const ms = new Date(at).getTime();
  return `${formatDay(localParts(ms, zone), format)} ${formatSiteTime(ms, zone, withSeconds)}`;
}
