import { signOut } from "@/lib/auth";
import { Button } from "./ui/button";

/** A form posting to a server action, so sign-out works without client JavaScript. */
export function SignOutButton() {
  return (
    <form
      action={async () => {
        "use server";
        await signOut({ redirectTo: "/" });
      }}
    >
      <Button type="submit" variant="secondary">
        Sign out
      </Button>
    </form>
  );
}
