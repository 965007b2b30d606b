import { Button } from "@/components/ui/button";
import { format, type Messages } from "@/lib/i18n";

export type SessionSummary = {
  id: string;
  current: boolean;
  method: string;
  userAgent: string;
  network: string;
  createdAt: string;
  lastSeenAt: string;
};

type AccountWords = Messages["account"];

/** A short name for a browser from its user agent: enough to recognise one's own devices. */
function describeBrowser(userAgent: string, words: AccountWords): string {
  if (!userAgent) return words.unknownBrowser;
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : words.someBrowser;
  const system = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Mac OS X/.test(userAgent)
        ? "macOS"
        : /Windows/.test(userAgent)
          ? "Windows"
          : /Linux/.test(userAgent)
            ? "Linux"
            : "";
  return system ? format(words.browserOn, { browser, system }) : browser;
}

/**
 * The account's sessions, newest activity first, each with a way to end it; forms posting to
 * server actions, so it all works without client JavaScript.
 */
export function SessionList({
  sessions,
  endSession,
  signOutEverywhere,
  words,
}: {
  sessions: SessionSummary[];
  endSession: (formData: FormData) => Promise<void>;
  signOutEverywhere: () => Promise<void>;
  words: AccountWords;
}) {
  return (
    <div className="space-y-4">
      <ul className="divide-y divide-slate-200" aria-label={words.sessionsLabel} data-testid="session-list">
        {sessions.map((session) => {
          const browser = describeBrowser(session.userAgent, words);
          return (
            <li key={session.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className="text-sm">
                <p className="font-medium">
                  {browser}
                  {session.current ? (
                    <span className="ml-2 text-emerald-700">{words.thisBrowser}</span>
                  ) : null}
                </p>
                <p className="text-slate-600">
                  {format(session.method === "passkey" ? words.signedInWithPasskey : words.signedInWithCode, {
                    createdAt: session.createdAt,
                    lastSeenAt: session.lastSeenAt,
                  })}
                  {session.network ? format(words.onNetwork, { network: session.network }) : ""}
                </p>
              </div>
              {session.current ? null : (
                <form action={endSession}>
                  <input type="hidden" name="session" value={session.id} />
                  <Button
                    type="submit"
                    variant="secondary"
                    aria-label={format(words.endLabel, { browser, lastSeenAt: session.lastSeenAt })}
                  >
                    {words.end}
                  </Button>
                </form>
              )}
            </li>
          );
        })}
      </ul>
      <form action={signOutEverywhere}>
        <Button type="submit" variant="secondary">
          {words.signOutEverywhere}
        </Button>
      </form>
    </div>
  );
}
