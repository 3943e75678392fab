import { useTranslation } from "react-i18next";
import type { AuditEvent } from "@/lib/api/types";
import { formatDateTime } from "@/lib/format";

/** The events as a table; below the phone breakpoint each row stacks into a labelled card. */
export function AuditTable({ events }: { events: AuditEvent[] }) {
  const { t } = useTranslation();
  return (
    <table className="table table--stack">
      <thead>
        <tr>
          <th scope="col">{t("audit.occurredAt")}</th>
          <th scope="col">{t("audit.action")}</th>
          <th scope="col">{t("audit.actor")}</th>
          <th scope="col">{t("audit.target")}</th>
          <th scope="col">{t("audit.ip")}</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id}>
            <td data-label={t("audit.occurredAt")}>
              <time dateTime={event.occurred_at}>{formatDateTime(event.occurred_at)}</time>
            </td>
            <td data-label={t("audit.action")}>
              <code>{event.action}</code>
            </td>
            <td data-label={t("audit.actor")}>{event.actor_name ?? event.actor_id ?? t("audit.system")}</td>
            <td data-label={t("audit.target")}>
              {event.target_type ? `${event.target_type}${event.target_id ? ` ${event.target_id}` : ""}` : "–"}
            </td>
            <td data-label={t("audit.ip")}>{event.ip ?? "–"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
