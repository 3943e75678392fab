import { useTranslation } from "react-i18next";
import { useQueueCount } from "../api/approvals";

/** The navigation badge: how many posts wait for the user's decision (shown when > 0). */
export function QueueBadge() {
  const { t } = useTranslation();
  const count = useQueueCount(true);
  if (!count.data) return null;
  return (
    <span className="nav-badge">
      <span aria-hidden="true">{count.data > 99 ? "99+" : count.data}</span>
      <span className="visually-hidden">{t("approvals.queue.badge", { count: count.data })}</span>
    </span>
  );
}
