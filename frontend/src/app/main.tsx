import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@/lib/i18n";
import { createQueryClient } from "@/lib/query-client";
import "@/styles/app.css";
import { App } from "./provider";
import { createAppRouter } from "./router";

const queryClient = createQueryClient();
const router = createAppRouter(queryClient);
const container = document.getElementById("root");
if (!container) throw new Error("#root is missing from index.html");

createRoot(container).render(
  <StrictMode>
    <App queryClient={queryClient} router={router} />
  </StrictMode>,
);
