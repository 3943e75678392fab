import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { useRoleLabel, useScopeLabel } from "@/hooks/use-role-label";
import { useMe } from "@/lib/auth/me";

/** Landing page after sign-in: a greeting and the user's roles per scope, from /me. */
export function HomePage() {
  const { t } = useTranslation();
  const me = useMe();
  const roleLabel = useRoleLabel();
  const scopeLabel = useScopeLabel();

  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;

  const { user, role_assignments: assignments, clinics } = me.data;
  return (
    <div className="page">
      <h1>{t("home.welcome", { name: user.full_name })}</h1>
      <p className="lead">{t("home.intro")}</p>

      <section className="card" aria-labelledby="home-roles">
        <h2 id="home-roles">{t("home.rolesHeading")}</h2>
        {assignments.length === 0 ? (
          <Empty message={t("home.noRoles")} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("home.roleColumn")}</th>
                <th scope="col">{t("home.scopeColumn")}</th>
              </tr>
            </thead>
            <tbody>
              {assignments.map((assignment) => (
                <tr key={assignment.id}>
                  <td data-label={t("home.roleColumn")}>{roleLabel(assignment.role)}</td>
                  <td data-label={t("home.scopeColumn")}>
                    {scopeLabel(assignment.scope_type)}: {assignment.scope_name}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="home-clinics">
        <h2 id="home-clinics">{t("home.clinicsHeading")}</h2>
        {clinics.length === 0 ? (
          <Empty message={t("home.noClinics")} />
        ) : (
          <ul className="plain-list">
            {clinics.map((clinic) => (
              <li key={clinic.clinic_id}>{clinic.clinic_name}</li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
