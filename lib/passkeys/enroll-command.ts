/**
 * `npm run admin:enroll -- +6581234567 [--url https://otp.example.com]`: prints a link that lets
 * that admin add a passkey enrolled for admin use (lib/passkeys/enrollment.ts). Run it where the
 * app's environment is set: the link is signed with AUTH_SECRET, so only a server with the same
 * secret accepts it. It is good for one passkey, within minutes; the token sits in the link's
 * fragment (after #), which browsers never send to a server, so it stays out of access logs.
 *
 * The admin signs in on the app (with a code), then opens the link and adds the passkey.
 */
import { config } from "@/lib/config";
import { getEnv } from "@/lib/env";
import { createEnrollmentToken } from "@/lib/passkeys/enrollment";
import { parsePhone } from "@/lib/phone";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const args = process.argv.slice(2);
const urlFlag = args.indexOf("--url");
const baseUrl = urlFlag >= 0 ? args[urlFlag + 1] : undefined;
const number = args.find((arg, index) => !arg.startsWith("--") && (urlFlag < 0 || index !== urlFlag + 1));
if (!number) fail("Usage: npm run admin:enroll -- +6581234567 [--url https://otp.example.com]");

const parsed = parsePhone(number);
if (!parsed.ok) fail(`${number}: ${parsed.message}`);
const phone = parsed.phone.e164;

const env = getEnv();
if (!process.env.AUTH_SECRET) {
  console.warn("AUTH_SECRET is not set: this link works only on a development server (its public secret).");
}
if (env.adminPhoneNumbers.length > 0 && !env.adminPhoneNumbers.includes(phone)) {
  fail(`${phone} is not in ADMIN_PHONE_NUMBERS: add it there first (and restart the app).`);
}

const origin = baseUrl ?? env.publicUrl ?? "http://localhost:3000";
let link: URL;
try {
  link = new URL("/account/enroll-passkey", origin);
} catch {
  fail(`--url ${origin} is not a URL such as https://otp.example.com`);
}
link.hash = createEnrollmentToken(phone);
const minutes = config.passkeys.enrollmentLinkLifetime.value;
console.log(
  `Enrollment link for ${phone}, good for one passkey within ${minutes} minutes:\n\n${link.href}\n`,
);
console.log("Sign in with that number first, then open the link in the same browser.");
