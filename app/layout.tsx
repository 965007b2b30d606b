import type { Metadata } from "next";
import { connection } from "next/server";
import { Suspense, type ReactNode } from "react";
import { ErrorWordsProvider } from "@/components/error-words";
import { SandboxBanner } from "@/components/sandbox/sandbox-banner";
import { SiteHeader } from "@/components/site-header";
import { WelcomeNotice } from "@/components/welcome-notice";
import { isAdminPhone } from "@/lib/admin/access";
import { auth } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import { getMessages } from "@/lib/i18n/server";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const { messages } = await getMessages();
  return {
    title: { default: messages.site.name, template: `%s · ${messages.site.name}` },
    description: messages.site.description,
  };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page depends on runtime settings, the session and the visitor's language: render on
  // request, never at build.
  await connection();
  const env = getEnv();
  const sandbox = env.otpProvider === "sandbox";
  const phone = (await auth())?.user?.phone;
  const { locale, messages } = await getMessages();
  return (
    <html lang={locale}>
      <body className="min-h-screen">
        {sandbox ? <SandboxBanner words={messages.site} /> : null}
        <SiteHeader phone={phone ?? null} isAdmin={isAdminPhone(env, phone)} words={messages.site} />
        <main className="mx-auto max-w-5xl px-4 py-10">
          <Suspense fallback={null}>
            <WelcomeNotice text={messages.site.welcome} />
          </Suspense>
          <ErrorWordsProvider words={messages.errorPage}>{children}</ErrorWordsProvider>
        </main>
      </body>
    </html>
  );
}
