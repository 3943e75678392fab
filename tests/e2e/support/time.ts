/** Date ("YYYY-MM-DD") and time ("HH:MM") `minutes` from now in `zone`. */
export function localIn(zone: string, minutes: number): { date: string; time: string } {
  const moment = new Date(Date.now() + minutes * 60_000);
  const text = new Intl.DateTimeFormat("sv-SE", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(moment);
  const [date = "", time = ""] = text.split(" ");
  return { date, time };
}
