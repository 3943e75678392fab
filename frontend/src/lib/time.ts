/**
 * Wall-clock times in a named IANA time zone (a clinic's), and plain calendar days.
 * Days are "YYYY-MM-DD" strings: no time zone is involved in day arithmetic.
 */

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** The wall-clock parts of an instant in `timeZone`. */
function zonedFields(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour") % 24, minute: get("minute"), second: get("second") };
}

/** "YYYY-MM-DDTHH:MM" of an instant as shown on a clock in `timeZone`. */
export function toZonedLocal(iso: string, timeZone: string): string {
  const f = zonedFields(new Date(iso), timeZone);
  return `${f.year}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}`;
}

/** The instant (ISO, UTC) of the wall-clock time `local` ("YYYY-MM-DDTHH:MM") in `timeZone`. */
export function zonedLocalToIso(local: string, timeZone: string): string {
  const [date = "", time = "00:00"] = local.split("T");
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wall = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, hh ?? 0, mm ?? 0);
  const offsetAt = (instant: number) => {
    const f = zonedFields(new Date(instant), timeZone);
    return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - instant;
  };
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  return new Date(guess).toISOString();
}

export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function toDate(day: string): Date {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
}

function fromDate(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

export function addDays(day: string, days: number): string {
  const date = toDate(day);
  date.setUTCDate(date.getUTCDate() + days);
  return fromDate(date);
}

export function addMonths(day: string, months: number): string {
  const date = toDate(day);
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  return fromDate(date);
}

/** Monday of the week containing `day`. */
export function startOfWeek(day: string): string {
  const weekday = (toDate(day).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

export function startOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** The days shown for the month of `day`: whole weeks, Monday first. */
export function monthGrid(day: string): string[] {
  const first = startOfWeek(startOfMonth(day));
  const last = addDays(startOfWeek(addDays(addMonths(startOfMonth(day), 1), -1)), 6);
  const days: string[] = [];
  for (let current = first; current <= last; current = addDays(current, 1)) days.push(current);
  return days;
}

export function weekDays(day: string): string[] {
  const first = startOfWeek(day);
  return Array.from({ length: 7 }, (_, index) => addDays(first, index));
}

/** The instant at the start of a calendar day in the browser's zone (for API ranges). */
export function dayStartIso(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1).toISOString();
}
