import { recordVerifiedSignIn } from "@/lib/accounts/users";
import { rememberDevice } from "@/lib/sign-in/known-device";

/** The known-device cookie a browser gets when it signs in with `phone` (the account is created). */
export async function knownDeviceCookieFor(phone: string) {
  const { user } = await recordVerifiedSignIn(phone);
  return rememberDevice(new Request("http://localhost/"), user.id, phone);
}
