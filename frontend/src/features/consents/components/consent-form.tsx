import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { SelectField, TextField } from "@/components/ui/field";
import type { ConsentCreateInput, ConsentRead, LegalBasis, PostCategory, SubjectKind } from "@/lib/api/types";
import { fieldErrors } from "@/lib/api/problem";
import { clinicsWith, PERMISSIONS, useMe } from "@/lib/auth/me";
import { useScopeChannels } from "../api/consents";

const KINDS: SubjectKind[] = ["patient", "guardian_for_minor", "employee", "other"];
const BASES: LegalBasis[] = ["dsgvo_art9_2a", "kug_22", "hipaa_164_508"];
const CATEGORIES: PostCategory[] = ["patient_story", "behind_the_scenes", "health_tip", "jobs", "event", "press", "crisis", "other"];

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : "");
const instant = (value: string) => new Date(`${value}T00:00:00`).toISOString();

interface Props {
  initial?: ConsentRead;
  pending: boolean;
  error: unknown;
  onSubmit: (input: ConsentCreateInput) => void;
}

/** Create or edit a consent record; the FEAT-4 rules are checked here and again by the API. */
export function ConsentForm({ initial, pending, error, onSubmit }: Props) {
  const { t } = useTranslation();
  const me = useMe();
  const channels = useScopeChannels();
  const clinics = clinicsWith(me.data, PERMISSIONS.consentsManage);
  const [clinicId, setClinicId] = useState(initial?.clinic_id ?? clinics[0]?.clinic_id ?? "");
  const [label, setLabel] = useState(initial?.subject_label ?? "");
  const [kind, setKind] = useState<SubjectKind>(initial?.subject_kind ?? "patient");
  const [basis, setBasis] = useState<LegalBasis>(initial?.legal_basis ?? "dsgvo_art9_2a");
  const [channelIds, setChannelIds] = useState<string[]>(initial?.channel_ids ?? []);
  const [categories, setCategories] = useState<PostCategory[]>(initial?.categories ?? ["patient_story"]);
  const [from, setFrom] = useState(day(initial?.valid_from ?? new Date().toISOString()));
  const [until, setUntil] = useState(day(initial?.valid_until));
  const [reference, setReference] = useState(initial?.document_reference ?? "");
  const [signer, setSigner] = useState(initial?.signer ?? "");
  const [checked, setChecked] = useState(false);
  const server = fieldErrors(error);
  const local = {
    subject_label: label.trim() ? undefined : t("consents.form.labelRequired"),
    valid_until:
      until && from && until <= from ? t("consents.form.untilAfter") : basis === "hipaa_164_508" && !until ? t("consents.form.untilHint") : undefined,
    document_reference: kind === "employee" && !reference.trim() ? t("consents.form.referenceHint") : undefined,
  };
  const shown = (name: keyof typeof local) => (checked ? local[name] : undefined) ?? server[name];
  const inClinic = (channels.data?.items ?? []).filter((c) => c.clinic_id === clinicId || c.clinic_id === null);
  const toggle = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (Object.values(local).some(Boolean)) return;
    onSubmit({
      clinic_id: clinicId,
      subject_label: label.trim(),
      subject_kind: kind,
      legal_basis: basis,
      channel_ids: channelIds,
      categories,
      valid_from: instant(from),
      valid_until: until ? instant(until) : null,
      document_reference: reference.trim() || null,
      signer: signer.trim() || null,
    });
  };

  return (
    <form className="card form" onSubmit={submit} noValidate>
      {initial ? null : (
        <SelectField label={t("consents.form.clinic")} value={clinicId} onChange={(e) => setClinicId(e.target.value)} required>
          {clinics.map((clinic) => (
            <option key={clinic.clinic_id} value={clinic.clinic_id}>
              {clinic.clinic_name}
            </option>
          ))}
        </SelectField>
      )}
      <TextField label={t("consents.form.label")} hint={t("consents.form.labelHint")} value={label} maxLength={100} required onChange={(e) => setLabel(e.target.value)} error={shown("subject_label")} />
      <SelectField label={t("consents.form.kind")} value={kind} onChange={(e) => setKind(e.target.value as SubjectKind)}>
        {KINDS.map((value) => (
          <option key={value} value={value}>
            {t(`consents.kind.${value}`)}
          </option>
        ))}
      </SelectField>
      <SelectField label={t("consents.form.basis")} value={basis} onChange={(e) => setBasis(e.target.value as LegalBasis)}>
        {BASES.map((value) => (
          <option key={value} value={value}>
            {t(`consents.basis.${value}`)}
          </option>
        ))}
      </SelectField>
      <fieldset className="fieldset">
        <legend>{t("consents.form.channels")}</legend>
        {inClinic.length === 0 ? <p className="muted">{t("consents.form.noChannels")}</p> : null}
        {inClinic.map((channel) => (
          <label key={channel.id} className="check">
            <input type="checkbox" checked={channelIds.includes(channel.id)} onChange={() => setChannelIds(toggle(channelIds, channel.id))} />
            {channel.display_name} ({t(`posts.platform.${channel.platform}`)})
          </label>
        ))}
      </fieldset>
      <fieldset className="fieldset">
        <legend>{t("consents.form.categories")}</legend>
        {CATEGORIES.map((category) => (
          <label key={category} className="check">
            <input type="checkbox" checked={categories.includes(category)} onChange={() => setCategories(toggle(categories, category))} />
            {t(`posts.category.${category}`)}
          </label>
        ))}
      </fieldset>
      <div className="composer__row">
        <TextField label={t("consents.validFrom")} type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
        <TextField label={t("consents.validUntil")} hint={t("consents.form.untilHint")} type="date" value={until} onChange={(e) => setUntil(e.target.value)} error={shown("valid_until")} />
      </div>
      <TextField label={t("consents.form.reference")} hint={t("consents.form.referenceHint")} value={reference} maxLength={200} onChange={(e) => setReference(e.target.value)} error={shown("document_reference")} />
      <TextField label={t("consents.form.signer")} value={signer} maxLength={200} onChange={(e) => setSigner(e.target.value)} />
      <ApiErrorMessage error={error} />
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={pending || !clinicId}>
          {pending ? t("feedback.saving") : t("consents.form.save")}
        </button>
      </div>
    </form>
  );
}
