import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import { useRoleLabel, useScopeLabel } from "@/hooks/use-role-label";
import type { RoleAssignment } from "@/lib/api/types";
import { useAssignments, useRemoveAssignment } from "../api/role-assignments";
import { AddAssignmentForm } from "./add-assignment-form";

/** The user's role assignments: list, remove (confirmed) and add. */
export function RoleAssignments({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const roleLabel = useRoleLabel();
  const scopeLabel = useScopeLabel();
  const assignments = useAssignments(userId);
  const remove = useRemoveAssignment(userId);
  const [removing, setRemoving] = useState<RoleAssignment | null>(null);

  const describe = (assignment: RoleAssignment) => ({
    role: roleLabel(assignment.role),
    scope: `${scopeLabel(assignment.scope_type)} ${assignment.scope_name}`,
  });

  const confirmRemove = () => {
    if (!removing) return;
    remove.mutate(removing.id, {
      onSuccess: () => {
        setRemoving(null);
        toast.show(t("users.removed"));
      },
      onError: (error) => toast.show(error.message, "error"),
    });
  };

  return (
    <section className="card" aria-labelledby="user-assignments" aria-busy={assignments.isFetching}>
      <h2 id="user-assignments">{t("users.assignmentsHeading")}</h2>
      {assignments.isPending ? (
        <Loading />
      ) : assignments.isError ? (
        <ErrorState error={assignments.error} onRetry={() => void assignments.refetch()} />
      ) : assignments.data.items.length === 0 ? (
        <Empty message={t("users.noAssignments")} />
      ) : (
        <ul className="assignment-list">
          {assignments.data.items.map((assignment) => (
            <li key={assignment.id} className="assignment">
              <span>
                <strong>{roleLabel(assignment.role)}</strong> · {scopeLabel(assignment.scope_type)}: {assignment.scope_name}
              </span>
              <button
                type="button"
                className="button button--small"
                aria-label={t("users.removeLabel", describe(assignment))}
                onClick={() => setRemoving(assignment)}
              >
                {t("users.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <AddAssignmentForm userId={userId} />
      <ConfirmDialog
        open={removing !== null}
        title={t("users.remove")}
        message={removing ? t("users.confirmRemove", describe(removing)) : ""}
        confirmLabel={t("users.remove")}
        pending={remove.isPending}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(null)}
      />
    </section>
  );
}
