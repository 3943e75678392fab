import { Link, useNavigate } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { useToast } from "@/components/ui/toaster";
import type { ConsentRead } from "@/lib/api/types";
import { PERMISSIONS } from "@/lib/auth/me";
import { useConsent, useCreateConsent, useUpdateConsent } from "../api/consents";
import { ConsentForm } from "./consent-form";

/** /einwilligungen/neu and /einwilligungen/$consentId/bearbeiten. */
export function ConsentFormPage({ consentId }: { consentId?: string }) {
  const { t } = useTranslation();
  return (
    <RequirePermission permission={PERMISSIONS.consentsManage}>
      <div className="page">
        <Link to="/einwilligungen" className="back-link">
          {t("consents.back")}
        </Link>
        <h1>{consentId ? t("consents.edit") : t("consents.new")}</h1>
        {consentId ? <EditConsent consentId={consentId} /> : <NewConsent />}
      </div>
    </RequirePermission>
  );
}

function NewConsent() {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const create = useCreateConsent();
  return (
    <ConsentForm
      pending={create.isPending}
      error={create.error}
      onSubmit={(input) =>
        create.mutate(input, {
          onSuccess: (consent) => {
            toast.show(t("consents.form.created"));
            void navigate({ to: "/einwilligungen/$consentId", params: { consentId: consent.id } });
          },
        })
      }
    />
  );
}

function EditConsent({ consentId }: { consentId: string }) {
  const consent = useConsent(consentId);
  if (consent.isPending) return <Loading />;
  if (consent.isError) return <ErrorState error={consent.error} onRetry={() => void consent.refetch()} />;
  return <EditForm consent={consent.data} />;
}

function EditForm({ consent }: { consent: ConsentRead }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const update = useUpdateConsent(consent.id);
  return (
    <ConsentForm
      initial={consent}
      pending={update.isPending}
      error={update.error}
      onSubmit={({ clinic_id: _clinic, ...input }) =>
        update.mutate(input, {
          onSuccess: () => {
            toast.show(t("consents.form.saved"));
            void navigate({ to: "/einwilligungen/$consentId", params: { consentId: consent.id } });
          },
        })
      }
    />
  );
}
