import type { ReactNode } from "react";

import { Card } from "@/components/ui/card";

/** The frame of the sign-in, setup and invitation pages: Minos's name above one card. */
export function AuthCard({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center bg-bg px-4 py-12">
      <div className="w-full max-w-md">
        <p className="mb-6 text-center text-sm font-semibold tracking-wide text-fg-muted">MINOS · Talos fleet dashboard</p>
        <Card className="p-6 shadow-sm">
          <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
          {description ? <div className="mt-1 text-sm text-fg-muted">{description}</div> : null}
          <div className="mt-6">{children}</div>
        </Card>
      </div>
    </main>
  );
}

/** An inline message under a form: red for errors, neutral otherwise; announced to screen readers. */
export function FormMessage({ tone, children }: { tone: "error" | "info"; children: ReactNode }) {
  return (
    <p role={tone === "error" ? "alert" : "status"} className={tone === "error" ? "mt-3 text-sm text-danger" : "mt-3 text-sm text-fg-muted"}>
      {children}
    </p>
  );
}
