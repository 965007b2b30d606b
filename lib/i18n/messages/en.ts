/**
 * The English message catalogue: every sentence a person reads in the sign-in flow, the home page,
 * the header, the 404 page and the server's refusals. It is also the shape every other language
 * must fill in (`Messages`, below); a test checks that each catalogue has the same keys and no
 * empty value. `{name}` is a placeholder filled in by `format` (lib/i18n/format.ts).
 */
export const en = {
  site: {
    name: "OTP Shield",
    description: "Phone-number sign-in with 8x8 Verify, hardened against SMS pumping.",
    mainNav: "Main",
    signIn: "Sign in",
    signedInAs: "Signed in as",
    account: "Account",
    admin: "Admin",
    welcome: "Welcome! Your account has been created.",
    sandbox: "Sandbox — no SMS is sent.",
    sandboxCodesIn: "Codes appear in the",
    sandboxInbox: "sandbox inbox",
  },
  home: {
    title: "Phone sign-in",
    heading: "Phone sign-in that doesn't pay for SMS pumping",
    intro:
      "This is a reference app for signing people in with a one-time code sent by SMS through the 8x8 Verify API. New numbers are signed up, known numbers are signed in — and nobody can tell which from outside.",
    defenses:
      "Every code costs its owner money, so each request passes client-IP resolution, bot checks and rate limits before any SMS is sent.",
    cta: "Sign in with your phone",
    accountDeleted: "Your account has been deleted, and your phone number with it. You have been signed out.",
  },
  notFound: {
    title: "Page not found",
    heading: "We can't find that page",
    body: "The link may be out of date, or the address may have a typo.",
    home: "Go to the home page",
  },
  signIn: {
    title: "Sign in",
    heading: "Sign in or sign up",
    country: "Country",
    phone: "Phone number",
    phoneHint: "We'll text you a code. Message and data rates may apply.",
    send: "Send code",
    sending: "Sending code…",
    noScript:
      "Sending a code needs JavaScript: your browser first solves a small puzzle that keeps bots from sending texts at our expense. Turn JavaScript on and reload this page. If you already have a code, you can enter it without JavaScript.",
    preparing: "Getting this browser ready to send a code… this can take a few seconds on a slower device.",
    preparationFailed: "We couldn't get this browser ready. Check your connection and try again.",
    codeSentTo: "We sent a {length}-digit code to {phone}.",
    codeStillValid: "The code we sent to {phone} still works: enter it below.",
    code: "Verification code",
    verify: "Verify",
    verifying: "Checking…",
    changeNumber: "Use a different number",
    resend: "Resend code",
    resendIn: "Resend code in {seconds} s",
    resending: "Sending…",
    resent: "We sent the code again to {phone}.",
    wrongCode: "That code is not right. Check the SMS and try again.",
    expiredCode: "This code has expired. Send a new code.",
    attemptsSpent: "Too many wrong codes. Send a new code to try again.",
    ended: "This code request has ended. Send a new code.",
    tryAgainIn: "You can try again in {time}.",
    waitFor: "Wait {time}",
    unreachable: "We couldn't reach the server. Check your connection and try again.",
  },
  phone: {
    empty: "Enter your phone number.",
    tooLongInput: "That is too long for a phone number.",
    characters: "Use digits only, with an optional + and spaces.",
    needCountry: "Pick a country, or start the number with + and its country code.",
    tooShort: "Too short{where}.",
    tooLong: "Too long{where}.",
    invalidLength: "Not a valid length{where}.",
    unknownCallingCode: "Unknown country code. Check the digits after +.",
    notANumber: "That doesn't look like a phone number.",
    invalid: "Not a valid number{where}.",
    forCountry: " for {country}",
    forCallingCode: " for +{code} numbers",
    countryFormat: "Use a two-letter country code such as SG.",
    unknownCountry: "Unknown country.",
    codeEmpty: "Enter the code from the SMS.",
    codeDigits: "The code is digits only.",
    codeLength: "The code has {length} digits.",
    captchaTooLong: "The verification token is too long.",
  },
  /** The messages of lib/http/refusals.ts, by the key each refusal names. */
  refusals: {
    methodNotAllowed: "This endpoint does not support that method.",
    crossSite: "Requests from other sites are not accepted.",
    mediaType: "Send the request body as JSON (Content-Type: application/json).",
    bodySize: "The request body is too large.",
    bodySizeAtMost: "The request body must be at most {bytes} bytes.",
    malformedJson: "The request body is not valid JSON.",
    bodyShape: "The request body is not valid.",
    noSuchEndpoint: "There is no such endpoint.",
    invalidPhone: "Enter a valid phone number.",
    invalidCode: "Enter the code from the SMS.",
    notAccepted: "We can't accept this request. Please try again from another network.",
    completeVerification: "Please complete the verification and try again.",
    tooManySends: "Too many code requests. Please wait a while and try again.",
    tooManyChecks: "Too many code checks. Please wait a while and try again.",
    tooManyChallenges: "Too many requests. Please wait a while and try again.",
    tooMuchSpend: "We're sending too many codes right now. Please try again later.",
    cantSendThere: "We can't send codes to this number right now.",
    cantSendToKind: "We can't send codes to this kind of number.",
    notMobile: "We can't send codes to this kind of number. Please use a mobile number.",
    cantSendToCountries: "We can't send codes to numbers in that country.",
    cantSendToCountry: "We can't send codes to numbers in {country}.",
    notAltcha: "This deployment does not use ALTCHA challenges.",
    captchaUnavailable: "We can't verify that you are human right now. Please try again in a minute.",
    noPendingVerification: "There is no code waiting to be checked. Request a new code.",
    superseded:
      "A newer code was requested for this number, so this one no longer works. Request a new code.",
    wrongOrExpired: "That code is wrong or has expired.",
    attemptsExhausted: "Too many wrong codes. Request a new code to try again.",
    providerInvalidNumber: "We can't send a code to that number.",
    outage: "We can't send or check codes right now. Please try again in a minute.",
    sessionNotIssued: "We can't sign you in right now. Please request a new code in a minute.",
    internal: "Something went wrong on our side. Please try again.",
    passkeySignedOut: "Sign in to manage your passkeys.",
    passkeyNoChallenge: "This browser has no passkey request waiting. Please try again.",
    passkeyChallengeExpired: "This passkey request has expired or was already used. Please try again.",
    passkeyUnknown:
      "This passkey isn't registered here. Sign in with a code, then add it on your account page.",
    passkeyOtherAccount:
      "This passkey belongs to another account. Use a passkey of the account you're signed in to.",
    passkeyInvalid: "We couldn't verify this passkey. Please try again.",
    passkeyOrigin: "This passkey answer was made for another site.",
    passkeyUserVerification:
      "Your device has to confirm it's you (PIN, fingerprint or face) to use a passkey here.",
    passkeyCounter:
      "This passkey may have been copied, so it can't be used. Sign in with a code and remove it from your account.",
    passkeyAlreadyRegistered: "This passkey is already registered.",
    passkeyTooMany: "This account has as many passkeys as it can hold. Remove one to add another.",
    passkeyNotFound: "That passkey is not on your account.",
    passkeyAdminEnrollmentRequired:
      "An admin account adds its first passkey with an enrollment link from the operator (npm run admin:enroll), or confirms with an existing one first.",
    passkeyEnrollmentInvalid:
      "This enrollment link is not valid for this account, has expired, or was used. Ask for a new one.",
    passkeyNotEnrolledForAdmin:
      "This passkey can't be used for an admin account: use one added with an enrollment link.",
    passkeyConfirmRequired: "Confirm with one of your passkeys first, then remove this one.",
  },
};

/** The catalogue's shape: the same sections and keys in every language, any text. */
export type Messages = { [Section in keyof typeof en]: { [Key in keyof (typeof en)[Section]]: string } };
export type RefusalMessageKey = keyof Messages["refusals"];
