import { useTranslation } from "react-i18next";
import type { AuditEvent } from "@/lib/api/types";
import { formatDateTime } from "@/lib/format";
import { shortId } from "../utils/audit-actions";
import { useAuditLabels } from "../utils/use-audit-labels";

/** An id cut to its first 8 characters; the full id is in the tooltip. */
function ShortId({ id }: { id: string }) {
  const { t } = useTranslation();
  return (
    <code className="audit-id" title={t("audit.fullId", { id })}>
      {shortId(id)}
    </code>
  );
}

/** The translated action with its raw code beneath it for experts; an unknown code is shown as is. */
function ActionCell({ code }: { code: string }) {
  const { actionLabel } = useAuditLabels();
  const label = actionLabel(code);
  if (!label) return <code className="audit-action__code">{code}</code>;
  return (
    <span className="audit-action">
      <span className="audit-action__label">{label}</span>
      <code className="audit-action__code">{code}</code>
    </span>
  );
}

function TargetCell({ type, id }: { type: string | null; id: string | null }) {
  const { targetLabel } = useAuditLabels();
  if (!type) return <>{id ? <ShortId id={id} /> : "–"}</>;
  return (
    <span className="audit-target">
      <span>{targetLabel(type)}</span>
      {id ? <ShortId id={id} /> : null}
    </span>
  );
}

/** The events as a table; below the phone breakpoint each row stacks into a labelled card. */
export function AuditTable({ events }: { events: AuditEvent[] }) {
  const { t } = useTranslation();
  return (
    <table className="table table--stack audit-table">
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
              <ActionCell code={event.action} />
            </td>
            <td data-label={t("audit.actor")}>
              {event.actor_name ?? (event.actor_id ? <ShortId id={event.actor_id} /> : t("audit.system"))}
            </td>
            <td data-label={t("audit.target")}>
              <TargetCell type={event.target_type} id={event.target_id} />
            </td>
            <td data-label={t("audit.ip")}>{event.ip ?? "–"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
