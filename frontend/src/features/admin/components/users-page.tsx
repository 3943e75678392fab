import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { SelectField, TextField } from "@/components/ui/field";
import { useDebounced } from "@/hooks/use-debounced";
import { PERMISSIONS } from "@/lib/auth/me";
import { useUsers } from "../api/users";
import { CreateUserDialog } from "./create-user-dialog";

type StatusFilter = "all" | "active" | "inactive";

export function UsersPage() {
  return (
    <RequirePermission permission={PERMISSIONS.usersManage}>
      <UsersView />
    </RequirePermission>
  );
}

function UsersView() {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<StatusFilter>("all");
  const [creating, setCreating] = useState(false);
  const q = useDebounced(search.trim());
  const users = useUsers({ q, isActive: status === "all" ? undefined : status === "active" });
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="page">
      <div className="page__header">
        <h1>{t("users.title")}</h1>
        <button type="button" className="button button--primary" onClick={() => setCreating(true)}>
          {t("users.create")}
        </button>
      </div>
      <div className="filters" role="search">
        <TextField label={t("users.search")} type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        <SelectField
          label={t("users.statusFilter")}
          value={status}
          onChange={(event) => setStatus(event.target.value as StatusFilter)}
        >
          <option value="all">{t("users.all")}</option>
          <option value="active">{t("users.onlyActive")}</option>
          <option value="inactive">{t("users.onlyInactive")}</option>
        </SelectField>
      </div>

      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t("users.empty")} />
      ) : (
        <>
          <table className="table table--stack">
            <thead>
              <tr>
                <th scope="col">{t("users.name")}</th>
                <th scope="col">{t("users.email")}</th>
                <th scope="col">{t("users.status")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((user) => (
                <tr key={user.id}>
                  <td data-label={t("users.name")}>
                    <Link to="/einstellungen/benutzer/$userId" params={{ userId: user.id }}>
                      {user.full_name}
                    </Link>
                  </td>
                  <td data-label={t("users.email")}>{user.email}</td>
                  <td data-label={t("users.status")}>
                    <span className={`badge${user.is_active ? "" : " badge--muted"}`}>
                      {user.is_active ? t("feedback.active") : t("feedback.inactive")}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {users.hasNextPage ? (
            <button
              type="button"
              className="button load-more"
              disabled={users.isFetchingNextPage}
              aria-busy={users.isFetchingNextPage}
              onClick={() => void users.fetchNextPage()}
            >
              {users.isFetchingNextPage ? t("feedback.loadingMore") : t("feedback.loadMore")}
            </button>
          ) : null}
        </>
      )}
      <CreateUserDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}
