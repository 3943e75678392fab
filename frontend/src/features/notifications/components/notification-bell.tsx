import { useNavigate } from "@tanstack/react-router";
import { useEffect, useId, useRef, useState, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { formatDateTime } from "@/lib/format";
import { useMarkAllRead, useMarkRead, useNotifications, useUnreadCount, type Notification } from "../api/notifications";

/** Header bell: unread count (polled every minute) and, on click, the newest notifications. */
export function NotificationBell() {
  const { t } = useTranslation();
  const unread = useUnreadCount();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const count = unread.data?.unread_count ?? 0;

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setOpen(false);
    const onPointer = (event: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  return (
    <div className="notification-bell" ref={rootRef}>
      <button
        type="button"
        className="notification-bell__button"
        aria-label={t("notifications.bell", { count })}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {count > 0 ? (
          <span className="notification-bell__badge" aria-hidden="true">
            {count > 99 ? "99+" : count}
          </span>
        ) : null}
      </button>
      <div id={panelId} className="notification-bell__panel" hidden={!open}>
        {open ? <NotificationList onClose={() => setOpen(false)} /> : null}
      </div>
    </div>
  );
}

function NotificationList({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const list = useNotifications(true);
  const markAll = useMarkAllRead();
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <section aria-label={t("notifications.title")}>
      <div className="notification-bell__head">
        <h2>{t("notifications.title")}</h2>
        {list.data.unread_count > 0 ? (
          <button type="button" className="button button--small" disabled={markAll.isPending} onClick={() => markAll.mutate()}>
            {t("notifications.markAll")}
          </button>
        ) : null}
      </div>
      {list.data.items.length === 0 ? (
        <Empty message={t("notifications.empty")} />
      ) : (
        <ul className="notification-bell__list">
          {list.data.items.map((item) => (
            <NotificationItem key={item.id} item={item} onOpen={onClose} />
          ))}
        </ul>
      )}
    </section>
  );
}

function NotificationItem({ item, onOpen }: { item: Notification; onOpen: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const markRead = useMarkRead();
  const open = (event: MouseEvent) => {
    event.preventDefault();
    if (!item.read_at) markRead.mutate(item.id);
    onOpen();
    void navigate({ to: item.link });
  };
  return (
    <li className={item.read_at ? "notification-bell__item" : "notification-bell__item notification-bell__item--unread"}>
      <a href={item.link} onClick={open}>
        <strong>{item.title_de}</strong>
        {item.read_at ? null : <span className="visually-hidden"> ({t("notifications.unread")})</span>}
      </a>
      <p>{item.body_de}</p>
      <time dateTime={item.created_at}>{formatDateTime(item.created_at)}</time>
    </li>
  );
}
