/** Start of a local calendar day ("YYYY-MM-DD") as an ISO instant: the API's inclusive `from`. */
export function dayStart(day: string): string | undefined {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Start of the day after `day`: the API's `to` is exclusive, so the chosen day is included. */
export function dayEnd(day: string): string | undefined {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  date.setDate(date.getDate() + 1);
  return date.toISOString();
}
