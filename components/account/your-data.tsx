import { DeleteAccountForm, type DeleteAccountState } from "./delete-account-form";

/**
 * The account page's "Your data": a download of the account's records (GET /api/account/data, a
 * plain link: the browser saves the JSON file) and "Delete my account", which says what goes and
 * what stays before asking for the confirmation. README, "Your data", has the full account.
 */
export function YourData({
  deleteAccount,
}: {
  deleteAccount: (state: DeleteAccountState, formData: FormData) => Promise<DeleteAccountState>;
}) {
  return (
    <div className="space-y-6 text-sm text-slate-700">
      <div className="space-y-2">
        <p>
          Your account, where you&apos;re signed in, the browsers we know and your passkeys, as a JSON file.
        </p>
        <a
          href="/api/account/data"
          download
          className="inline-block rounded-md bg-white px-4 py-2 font-medium text-slate-900 ring-1 ring-slate-300 hover:bg-slate-50"
        >
          Download my data
        </a>
      </div>
      <section aria-labelledby="delete-account-heading" className="space-y-3">
        <h2 id="delete-account-heading" className="text-base font-semibold text-slate-900">
          Delete my account
        </h2>
        <p>This cannot be undone. Deleting your account removes, at once:</p>
        <ul className="list-disc space-y-1 pl-5">
          <li>
            your account, and with it every session (all your browsers are signed out), the browsers we know
            and your passkeys;
          </li>
          <li>
            your phone number from everything we store: the refused requests recorded with it, its rate limits
            and pending codes, and its mentions in the admin audit log (replaced by a masked form).
          </li>
        </ul>
        <p>
          What stays: counts that name no number (per network, number range and country), and any rule an
          operator set on your number. The SMS provider keeps its own records of the codes it sent. Signing in
          again with this number creates a new, empty account.
        </p>
        <DeleteAccountForm action={deleteAccount} />
      </section>
    </div>
  );
}
