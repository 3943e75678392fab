import { useTranslation } from "react-i18next";
import type { PostStatus, PublicationStatus } from "@/lib/api/types";

export function PostStatusBadge({ status }: { status: PostStatus }) {
  const { t } = useTranslation();
  return <span className={`status status--${status}`}>{t(`posts.status.${status}`)}</span>;
}

export function PublicationStatusBadge({ status }: { status: PublicationStatus }) {
  const { t } = useTranslation();
  return <span className={`status status--${status}`}>{t(`posts.publications.status.${status}`)}</span>;
}
