import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { useToast } from "@/components/ui/toaster";
import type { Consent } from "@/lib/api/types";
import { useDownloadDocument, useUploadDocument } from "../api/consents";

/** The signed document: stored encrypted, downloadable by privacy officers only. */
export function DocumentSection({ consent }: { consent: Consent }) {
  const { t } = useTranslation();
  const toast = useToast();
  const upload = useUploadDocument(consent.id);
  const download = useDownloadDocument(consent.id);
  const input = useRef<HTMLInputElement>(null);
  const document = consent.document;
  return (
    <section className="card" aria-labelledby="consent-document">
      <h2 id="consent-document">{t("consents.detail.document")}</h2>
      {document ? (
        <p>
          {t("consents.detail.documentInfo", { name: document.filename, size: Math.ceil(document.size_bytes / 1024) })}{" "}
          <button type="button" className="button" disabled={download.isPending} onClick={() => download.mutate(document.filename)}>
            {t("consents.detail.download")}
          </button>
        </p>
      ) : (
        <p className="muted">{t("consents.detail.noDocument")}</p>
      )}
      {consent.withdrawn_at ? null : (
        <div className="field">
          <label htmlFor={`document-${consent.id}`}>{t("consents.detail.upload")}</label>
          <input
            ref={input}
            id={`document-${consent.id}`}
            type="file"
            accept="application/pdf,image/jpeg,image/png"
            aria-describedby={`document-hint-${consent.id}`}
            disabled={upload.isPending}
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (!file) return;
              upload.mutate(file, {
                onSuccess: () => toast.show(t("consents.detail.uploaded")),
                onSettled: () => {
                  if (input.current) input.current.value = "";
                },
              });
            }}
          />
          <p id={`document-hint-${consent.id}`} className="field__hint">
            {t("consents.detail.uploadHint")}
          </p>
        </div>
      )}
      <ApiErrorMessage error={upload.error ?? download.error} />
    </section>
  );
}
