import { Button } from "./ui/button";

/** A form posting to the page's sign-out server action, so sign-out works without client JavaScript. */
export function SignOutButton({ action, label }: { action: () => Promise<void>; label: string }) {
  return (
    <form action={action}>
      <Button type="submit" variant="secondary">
        {label}
      </Button>
    </form>
  );
}
