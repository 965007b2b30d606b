import Link from "next/link";
import type { Messages } from "@/lib/i18n";
import { maskPhone } from "@/lib/phone";
import { SignInLink } from "./sign-in-link";

/** The header; the layout reads the session and the language and passes what it shows. */
export function SiteHeader({
  phone,
  isAdmin,
  words,
}: {
  phone: string | null;
  isAdmin: boolean;
  words: Messages["site"];
}) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav
        aria-label={words.mainNav}
        className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-2 px-4 py-3"
      >
        <Link href="/" className="font-semibold text-slate-900">
          {words.name}
        </Link>
        {phone ? (
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span className="text-slate-600">
              {words.signedInAs} <span className="font-medium text-slate-900">{maskPhone(phone)}</span>
            </span>
            <Link href="/account" className="text-indigo-700 hover:underline">
              {words.account}
            </Link>
            {isAdmin ? (
              <Link href="/admin" className="text-indigo-700 hover:underline">
                {words.admin}
              </Link>
            ) : null}
          </div>
        ) : (
          <SignInLink label={words.signIn} />
        )}
      </nav>
    </header>
  );
}
