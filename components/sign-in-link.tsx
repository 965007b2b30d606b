"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signInPathFrom } from "@/lib/sign-in/return-path";

/** "Sign in", coming back to this page afterwards. */
export function SignInLink({ label }: { label: string }) {
  const pathname = usePathname();
  return (
    <Link href={signInPathFrom(pathname)} className="text-sm font-medium text-indigo-700 hover:underline">
      {label}
    </Link>
  );
}
