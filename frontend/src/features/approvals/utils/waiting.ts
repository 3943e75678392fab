/** A waiting time in whole minutes, hours or days, as an i18n key and count. */
export function waitingDuration(since: string, now: number = Date.now()): { key: "minutes" | "hours" | "days"; count: number } {
  const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60_000));
  if (minutes < 60) return { key: "minutes", count: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { key: "hours", count: hours };
  return { key: "days", count: Math.floor(hours / 24) };
}
