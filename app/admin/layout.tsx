import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";
import { requireAdminForPage } from "@/lib/admin/access";

export const metadata: Metadata = { title: { default: "Admin", template: "%s · Admin · OTP Shield" } };

/**
 * Checks too, so that not even the navigation reaches a non-admin; but every admin page and data
 * function checks again where it reads its data (a layout alone is not enough).
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireAdminForPage();
  return (
    // The page's own margin stays on a phone: no card touches the screen's edges. The console speaks
    // English to its operators whatever the visitor's language (the page around it may not).
    <div className="min-w-0" lang="en">
      <AdminNav />
      {children}
    </div>
  );
}
