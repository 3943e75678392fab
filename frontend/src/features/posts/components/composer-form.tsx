import { useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { ApiError, fieldErrors } from "@/lib/api/problem";
import type { Post, PostCategory } from "@/lib/api/types";
import { clinicsWith, PERMISSIONS, useMe } from "@/lib/auth/me";
import { useSavePost, useTargetChannels } from "../api/posts";
import { CATEGORIES, emptyDraft, mediaErrors, mediaOf, validLink, variantsOf, type Draft } from "../utils/draft";
import { MediaField } from "./media-field";
import { ChannelTargets } from "./channel-targets";
import { PreviewPanel } from "./preview-panel";

/** What a checker shown under the base text gets while the author types (set by the app). */
export interface AssistInput {
  text: string;
  language: string;
  category: PostCategory | "";
  showsPatient: boolean;
  altTexts: string[];
}
export type ComposerAssist = (input: AssistInput) => ReactNode;

interface ComposerFormProps {
  postId?: string;
  initial?: Draft;
  onSaved: (post: Post) => void;
  assist?: ComposerAssist | undefined;
}

export function ComposerForm({ postId, initial, onSaved, assist }: ComposerFormProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const clinics = clinicsWith(me.data, PERMISSIONS.postsWrite);
  const [draft, setDraft] = useState<Draft>(() => initial ?? emptyDraft(clinics.length === 1 ? clinics[0]?.clinic_id : ""));
  const [missing, setMissing] = useState<Record<string, boolean>>({});
  const channels = useTargetChannels();
  const save = useSavePost();
  const serverErrors = fieldErrors(save.error);
  const serverMediaErrors = mediaErrors(save.error instanceof ApiError ? save.error.problem?.errors : undefined);
  const [missingAlt, setMissingAlt] = useState<Record<number, boolean>>({});

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const absent = { title: !draft.title.trim(), category: !draft.category, clinic: !draft.clinicId };
    setMissing(absent);
    const noAlt = Object.fromEntries(draft.media.map((item, index) => [index, !item.altText.trim()]));
    setMissingAlt(noAlt);
    if (Object.values(absent).some(Boolean) || Object.values(noAlt).some(Boolean)) return;
    const link = draft.link.trim();
    save.mutate(
      {
        ...(postId ? { id: postId } : {}),
        fields: {
          clinic_id: draft.clinicId,
          title: draft.title.trim(),
          category: draft.category as PostCategory,
          language: draft.language,
          base_text: draft.baseText,
          link_url: link ? validLink(link) ?? link : null,
          shows_patient: draft.showsPatient,
          holding_statement: draft.category === "crisis" && draft.holdingStatement,
        },
        variants: variantsOf(draft),
        media: mediaOf(draft),
      },
      {
        onSuccess: (post) => {
          toast.show(t(postId ? "posts.composer.saved" : "posts.composer.created"));
          onSaved(post);
        },
      },
    );
  };

  const required = t("posts.composer.required");
  return (
    <div className="composer">
      <form className="form card composer__form" onSubmit={submit} noValidate>
        <TextField
          label={t("posts.composer.postTitle")}
          value={draft.title}
          maxLength={200}
          required
          onChange={(e) => set("title", e.target.value)}
          error={missing.title ? required : serverErrors.title}
        />
        <div className="composer__row">
          <SelectField
            label={t("posts.composer.clinic")}
            value={draft.clinicId}
            required
            disabled={Boolean(postId)}
            onChange={(e) => setDraft((current) => ({ ...current, clinicId: e.target.value, targets: {}, media: [] }))}
            error={missing.clinic ? required : serverErrors.clinic_id}
          >
            <option value="">{t("posts.composer.choose")}</option>
            {clinics.map((clinic) => (
              <option key={clinic.clinic_id} value={clinic.clinic_id}>
                {clinic.clinic_name}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t("posts.composer.category")}
            value={draft.category}
            required
            onChange={(e) => set("category", e.target.value as PostCategory)}
            error={missing.category ? required : serverErrors.category}
          >
            <option value="">{t("posts.composer.choose")}</option>
            {CATEGORIES.map((category) => (
              <option key={category} value={category}>
                {t(`posts.category.${category}`)}
              </option>
            ))}
          </SelectField>
          <SelectField label={t("posts.composer.language")} value={draft.language} onChange={(e) => set("language", e.target.value)}>
            <option value="de">{t("posts.composer.languages.de")}</option>
            <option value="en">{t("posts.composer.languages.en")}</option>
          </SelectField>
        </div>
        <TextAreaField
          label={t("posts.composer.baseText")}
          hint={t("posts.composer.baseTextHint")}
          rows={7}
          value={draft.baseText}
          onChange={(e) => set("baseText", e.target.value)}
          error={serverErrors.base_text}
        />
        {assist?.({
          text: draft.baseText,
          language: draft.language,
          category: draft.category,
          showsPatient: draft.showsPatient,
          altTexts: draft.media.map((item) => item.altText),
        })}
        <TextField
          label={t("posts.composer.link")}
          hint={t("posts.composer.linkHint")}
          type="url"
          inputMode="url"
          value={draft.link}
          onChange={(e) => set("link", e.target.value)}
          error={serverErrors.link_url}
        />
        <label className="check">
          <input type="checkbox" checked={draft.showsPatient} onChange={(e) => set("showsPatient", e.target.checked)} />
          {t("posts.composer.showsPatient")}
        </label>
        {draft.category === "crisis" ? (
          <label className="check">
            <input type="checkbox" checked={draft.holdingStatement} onChange={(e) => set("holdingStatement", e.target.checked)} />
            {t("posts.composer.holdingStatement")}
          </label>
        ) : null}
        <MediaField
          clinicId={draft.clinicId}
          items={draft.media}
          onChange={(media) => {
            setDraft((current) => ({ ...current, media }));
            setMissingAlt({});
          }}
          errors={Object.fromEntries(
            draft.media.map((item, index) => [index, missingAlt[index] && !item.altText.trim() ? t("posts.media.altTextMissing") : serverMediaErrors[index]]),
          )}
        />
        <ChannelTargets draft={draft} channels={channels} onChange={(targets) => set("targets", targets)} />
        <ApiErrorMessage error={save.error} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("feedback.saving") : t(postId ? "posts.composer.saveChanges" : "posts.composer.save")}
          </button>
        </div>
      </form>
      <PreviewPanel draft={draft} channels={channels.data?.items ?? []} />
    </div>
  );
}
