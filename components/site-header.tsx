import Link from "next/link";
import { maskPhone } from "@/lib/phone";

/** The header; the layout reads the session and passes what it shows. */
export function SiteHeader({ phone, isAdmin }: { phone: string | null; isAdmin: boolean }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav aria-label="Main" className="mx-auto flex max-w-5xl items-center justify-between px-4 py-3">
        <Link href="/" className="font-semibold text-slate-900">
          OTP Shield
        </Link>
        {phone ? (
          <div className="flex items-center gap-3 text-sm">
            <span className="text-slate-600">
              Signed in as <span className="font-medium text-slate-900">{maskPhone(phone)}</span>
            </span>
            <Link href="/account" className="text-indigo-700 hover:underline">
              Account
            </Link>
            {isAdmin ? (
              <Link href="/admin" className="text-indigo-700 hover:underline">
                Admin
              </Link>
            ) : null}
          </div>
        ) : (
          <Link href="/sign-in" className="text-sm font-medium text-indigo-700 hover:underline">
            Sign in
          </Link>
        )}
      </nav>
    </header>
  );
}
