import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { SandboxBanner } from "@/components/sandbox/sandbox-banner";
import { SiteHeader } from "@/components/site-header";
import { isAdminPhone } from "@/lib/admin/access";
import { auth } from "@/lib/auth";
import { getEnv } from "@/lib/env";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "OTP Shield", template: "%s · OTP Shield" },
  description: "Phone-number sign-in with 8x8 Verify, hardened against SMS pumping.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page depends on runtime settings and the session: render on request, never at build.
  await connection();
  const env = getEnv();
  const sandbox = env.otpProvider === "sandbox";
  const phone = (await auth())?.user?.phone;
  return (
    <html lang="en">
      <body className="min-h-screen">
        {sandbox ? <SandboxBanner /> : null}
        <SiteHeader phone={phone ?? null} isAdmin={isAdminPhone(env, phone)} />
        <main className="mx-auto max-w-5xl px-4 py-10">{children}</main>
      </body>
    </html>
  );
}
