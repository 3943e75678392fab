import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "@/components/ui/dialog";
import { FormError, SelectField, TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { fieldErrors, hasFieldErrors } from "@/lib/api/problem";
import type { Clinic } from "@/lib/api/types";
import { timeZones } from "@/lib/format";
import { useRegions, useSaveClinic } from "../api/sites";

const DEFAULT_ZONE = "Europe/Berlin";

/** Create (clinic = "new") or edit a clinic: name, slug, time zone, region. */
export function ClinicDialog({ clinic, onClose }: { clinic: Clinic | "new" | null; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const save = useSaveClinic();
  const regions = useRegions();
  const zones = useMemo(() => timeZones(), []);
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [timezone, setTimezone] = useState(DEFAULT_ZONE);
  const [regionId, setRegionId] = useState("");
  const existing = clinic !== null && clinic !== "new" ? clinic : null;
  const { reset } = save;

  useEffect(() => {
    setName(existing?.name ?? "");
    setSlug(existing?.slug ?? "");
    setTimezone(existing?.timezone ?? DEFAULT_ZONE);
    setRegionId(existing?.region_id ?? "");
    reset();
  }, [existing, clinic, reset]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = { name: name.trim(), slug: slug.trim(), timezone, region_id: regionId === "" ? null : regionId };
    save.mutate(
      { id: existing?.id ?? null, input },
      {
        onSuccess: () => {
          toast.show(t("sites.saved", { name: input.name }));
          onClose();
        },
      },
    );
  };
  const errors = fieldErrors(save.error);
  const regionOptions = (regions.data?.pages.flatMap((page) => page.items) ?? []).filter(
    (region) => region.is_active || region.id === existing?.region_id,
  );

  return (
    <Dialog open={clinic !== null} title={existing ? t("sites.editClinic") : t("sites.newClinic")} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <FormError message={save.isError && !hasFieldErrors(save.error) ? save.error.message : null} />
        <TextField label={t("sites.name")} required value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
        <TextField
          label={t("sites.slug")}
          required
          pattern="[a-z0-9\-]+"
          value={slug}
          error={errors.slug}
          onChange={(e) => setSlug(e.target.value)}
        />
        <SelectField label={t("sites.timezone")} value={timezone} error={errors.timezone} onChange={(e) => setTimezone(e.target.value)}>
          {(zones.includes(timezone) ? zones : [timezone, ...zones]).map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("sites.region")} value={regionId} error={errors.region_id} onChange={(e) => setRegionId(e.target.value)}>
          <option value="">{t("sites.noRegion")}</option>
          {regionOptions.map((region) => (
            <option key={region.id} value={region.id}>
              {region.name}
            </option>
          ))}
        </SelectField>
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("feedback.saving") : t("feedback.save")}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t("feedback.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
