/** Fixed values shared by the config and the specs. */
export const PORT = 8765;
export const DEMO_PASSWORD = "E2e-Demo-Passwort-2026";
export const DOMAIN = "klinikfunk.example";
export const ADMIN = `admin@${DOMAIN}`;
export const EDITOR = `redaktion@${DOMAIN}`;
export const MODERATOR = `moderation@${DOMAIN}`;
