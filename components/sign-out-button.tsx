import { Button } from "./ui/button";

/** A form posting to the page's sign-out server action, so sign-out works without client JavaScript. */
export function SignOutButton({ action }: { action: () => Promise<void> }) {
  return (
    <form action={action}>
      <Button type="submit" variant="secondary">
        Sign out
      </Button>
    </form>
  );
}
