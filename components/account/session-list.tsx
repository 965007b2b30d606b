import { Button } from "@/components/ui/button";

export type SessionSummary = {
  id: string;
  current: boolean;
  method: string;
  userAgent: string;
  network: string;
  createdAt: string;
  lastSeenAt: string;
};

/** A short name for a browser from its user agent: enough to recognise one's own devices. */
function describeBrowser(userAgent: string): string {
  if (!userAgent) return "Unknown browser";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : "Browser";
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
  return system ? `${browser} on ${system}` : browser;
}

/**
 * The account's sessions, newest activity first, each with a way to end it; forms posting to
 * server actions, so it all works without client JavaScript.
 */
export function SessionList({
  sessions,
  endSession,
  signOutEverywhere,
}: {
  sessions: SessionSummary[];
  endSession: (formData: FormData) => Promise<void>;
  signOutEverywhere: () => Promise<void>;
}) {
  return (
    <div className="space-y-4">
      <ul className="divide-y divide-slate-200" aria-label="Active sessions" data-testid="session-list">
        {sessions.map((session) => (
          <li key={session.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
            <div className="text-sm">
              <p className="font-medium">
                {describeBrowser(session.userAgent)}
                {session.current ? <span className="ml-2 text-emerald-700">(this browser)</span> : null}
              </p>
              <p className="text-slate-600">
                Signed in {session.createdAt} with {session.method === "passkey" ? "a passkey" : "a code"} ·
                last seen {session.lastSeenAt}
                {session.network ? ` · network ${session.network}` : ""}
              </p>
            </div>
            {session.current ? null : (
              <form action={endSession}>
                <input type="hidden" name="session" value={session.id} />
                <Button
                  type="submit"
                  variant="secondary"
                  aria-label={`End session: ${describeBrowser(session.userAgent)}, last seen ${session.lastSeenAt}`}
                >
                  End
                </Button>
              </form>
            )}
          </li>
        ))}
      </ul>
      <form action={signOutEverywhere}>
        <Button type="submit" variant="secondary">
          Sign out everywhere
        </Button>
      </form>
    </div>
  );
}
