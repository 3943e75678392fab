import { useId, useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";
import { TextAreaField } from "@/components/ui/field";
import { ApiError, problemMessages } from "@/lib/api/problem";
import { useMediaUrl, useUploadMedia } from "../api/posts";
import type { DraftMedia } from "../utils/draft";

export const ACCEPTED_IMAGES = "image/jpeg,image/png,image/webp,image/gif";

interface MediaFieldProps {
  clinicId: string;
  items: DraftMedia[];
  onChange: (items: DraftMedia[]) => void;
  /** Per position: a message to show beside the image (missing alt text, backend 422). */
  errors: Record<number, string | undefined>;
}

/** Upload images for the post's clinic, one required alt text each, reorder and remove. */
export function MediaField({ clinicId, items, onChange, errors }: MediaFieldProps) {
  const { t } = useTranslation();
  const inputId = useId();
  const upload = useUploadMedia();
  const [pending, setPending] = useState<string[]>([]);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [uploaded, setUploaded] = useState<string | null>(null);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";
    if (files.length === 0) return;
    setUploadError(null);
    setUploaded(null);
    setPending(files.map((file) => file.name));
    let current = items;
    for (const file of files) {
      try {
        const media = await upload.mutateAsync({ file, clinicId });
        current = [...current, { mediaId: media.id, filename: media.filename, altText: "" }];
        onChange(current);
        setUploaded(file.name);
      } catch (error) {
        const messages = problemMessages(error);
        const fallback = error instanceof ApiError ? error.message : t("feedback.genericError");
        setUploadError(`${file.name}: ${messages.length ? messages.join(" ") : fallback}`);
      }
      setPending((names) => names.slice(1));
    }
  };

  const move = (index: number, by: number) => {
    const next = [...items];
    const [item] = next.splice(index, 1);
    if (item) next.splice(index + by, 0, item);
    onChange(next);
  };
  const update = (index: number, altText: string) => onChange(items.map((item, i) => (i === index ? { ...item, altText } : item)));

  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  return (
    <fieldset className="media-field">
      <legend>{t("posts.media.heading")}</legend>
      <div className={`field${uploadError ? " field--invalid" : ""}`}>
        <label htmlFor={inputId}>{t("posts.media.add")}</label>
        <input
          id={inputId}
          type="file"
          accept={ACCEPTED_IMAGES}
          multiple
          disabled={!clinicId || pending.length > 0}
          aria-invalid={uploadError ? true : undefined}
          aria-describedby={[hintId, uploadError ? errorId : null].filter(Boolean).join(" ")}
          onChange={(event) => void choose(event)}
        />
        <p id={hintId} className="field__hint">
          {clinicId ? t("posts.media.hint") : t("posts.media.chooseClinic")}
        </p>
        {uploadError ? (
          <p id={errorId} className="field__error" role="alert">
            {uploadError}
          </p>
        ) : null}
      </div>
      <div role="status" className="media-field__status">
        {pending[0] ? (
          <>
            <progress aria-label={t("posts.media.uploading", { name: pending[0] })} />{" "}
            {t("posts.media.uploading", { name: pending[0] })}
          </>
        ) : uploaded ? (
          <span className="visually-hidden">{t("posts.media.uploaded", { name: uploaded })}</span>
        ) : null}
      </div>
      {items.length > 0 ? (
        <ol className="media-list">
          {items.map((item, index) => {
            const n = index + 1;
            return (
              <li key={item.mediaId} className="media-item">
                <Thumbnail mediaId={item.mediaId} alt={item.altText} />
                <div className="media-item__body">
                  <p className="media-item__name">{t("posts.media.image", { n, name: item.filename })}</p>
                  <TextAreaField
                    label={t("posts.media.altText")}
                    hint={t("posts.media.altTextHint")}
                    rows={2}
                    maxLength={1500}
                    required
                    value={item.altText}
                    onChange={(event) => update(index, event.target.value)}
                    error={errors[index]}
                  />
                  <div className="media-item__actions">
                    <button type="button" className="button" disabled={index === 0} aria-label={t("posts.media.moveUp", { n })} onClick={() => move(index, -1)}>
                      {t("posts.media.up")}
                    </button>
                    <button
                      type="button"
                      className="button"
                      disabled={index === items.length - 1}
                      aria-label={t("posts.media.moveDown", { n })}
                      onClick={() => move(index, 1)}
                    >
                      {t("posts.media.down")}
                    </button>
                    <button
                      type="button"
                      className="button"
                      aria-label={t("posts.media.removeImage", { n })}
                      onClick={() => onChange(items.filter((_, i) => i !== index))}
                    >
                      {t("posts.media.remove")}
                    </button>
                  </div>
                </div>
              </li>
            );
          })}
        </ol>
      ) : null}
    </fieldset>
  );
}

/** The stored image, loaded through the authenticated content endpoint. */
export function Thumbnail({ mediaId, alt }: { mediaId: string; alt: string }) {
  const { t } = useTranslation();
  const url = useMediaUrl(mediaId);
  if (url.data) return <img className="media-thumb" src={url.data} alt={alt} />;
  return <div className="media-thumb media-thumb--empty">{url.isError ? "–" : t("posts.media.loadingImage")}</div>;
}
