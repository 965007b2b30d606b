import type { Messages } from "@/lib/i18n";
import { DeleteAccountForm, type DeleteAccountState } from "./delete-account-form";

/**
 * The account page's "Your data": a download of the account's records (GET /api/account/data, a
 * plain link: the browser saves the JSON file) and "Delete my account", which says what goes and
 * what stays before asking for the confirmation. README, "Your data", has the full account.
 */
export function YourData({
  deleteAccount,
  words,
}: {
  deleteAccount: (state: DeleteAccountState, formData: FormData) => Promise<DeleteAccountState>;
  words: Messages["account"];
}) {
  return (
    <div className="space-y-6 text-sm text-slate-700">
      <div className="space-y-2">
        <p>{words.dataIntro}</p>
        <a
          href="/api/account/data"
          download
          className="inline-block rounded-md bg-white px-4 py-2 font-medium text-slate-900 ring-1 ring-slate-300 hover:bg-slate-50"
        >
          {words.download}
        </a>
      </div>
      <section aria-labelledby="delete-account-heading" className="space-y-3">
        <h2 id="delete-account-heading" className="text-base font-semibold text-slate-900">
          {words.deleteHeading}
        </h2>
        <p>{words.deleteWarning}</p>
        <ul className="list-disc space-y-1 pl-5">
          <li>{words.deleteAccount}</li>
          <li>{words.deleteNumber}</li>
        </ul>
        <p>{words.deleteStays}</p>
        <DeleteAccountForm action={deleteAccount} words={words} />
      </section>
    </div>
  );
}
