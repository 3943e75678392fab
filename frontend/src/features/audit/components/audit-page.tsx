import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { TextField } from "@/components/ui/field";
import { PERMISSIONS } from "@/lib/auth/me";
import { useAuditEvents, type AuditQuery } from "../api/audit";
import { dayEnd, dayStart } from "../utils/date-range";
import { AuditActionSelect } from "./audit-action-select";
import { AuditTable } from "./audit-table";
import { AuditTools } from "./audit-tools";

export function AuditPage() {
  return (
    <RequirePermission permission={PERMISSIONS.auditRead}>
      <AuditView />
    </RequirePermission>
  );
}

function AuditView() {
  const { t } = useTranslation();
  const [action, setAction] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [filters, setFilters] = useState<AuditQuery>({});
  const events = useAuditEvents(filters);
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next: AuditQuery = {};
    if (action) next.action = action;
    const start = dayStart(from);
    const end = dayEnd(to);
    if (start) next.from = start;
    if (end) next.to = end;
    setFilters(next);
  };
  const reset = () => {
    setAction("");
    setFrom("");
    setTo("");
    setFilters({});
  };

  return (
    <div className="page">
      <h1>{t("audit.title")}</h1>
      <form className="filters" role="search" onSubmit={apply}>
        <AuditActionSelect value={action} onChange={setAction} />
        <TextField label={t("audit.from")} type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
        <TextField label={t("audit.to")} type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} />
        <div className="filters__actions">
          <button type="submit" className="button button--primary">
            {t("audit.apply")}
          </button>
          <button type="button" className="button" onClick={reset}>
            {t("audit.reset")}
          </button>
        </div>
      </form>
      <AuditTools filters={filters} />

      {events.isPending ? (
        <Loading />
      ) : events.isError ? (
        <ErrorState error={events.error} onRetry={() => void events.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t("audit.empty")} />
      ) : (
        <>
          <AuditTable events={items} />
          {events.hasNextPage ? (
            <button
              type="button"
              className="button load-more"
              disabled={events.isFetchingNextPage}
              aria-busy={events.isFetchingNextPage}
              onClick={() => void events.fetchNextPage()}
            >
              {events.isFetchingNextPage ? t("feedback.loadingMore") : t("feedback.loadMore")}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}
