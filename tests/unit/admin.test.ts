import { describe, expect, it } from "vitest";
import { isAdminPhone } from "@/lib/admin/access";

const admins = { adminPhoneNumbers: ["+6589990001"], adminRequirePasskey: false };

describe("admin rights", () => {
  it("are never granted through a sandbox code in production, even if the startup check was bypassed", () => {
    expect(isAdminPhone({ ...admins, isProduction: true, otpProvider: "sandbox" }, "+6589990001")).toBe(
      false,
    );
  });

  it("go to listed numbers on the sandbox in production only with the passkey second factor", () => {
    expect(
      isAdminPhone(
        { ...admins, adminRequirePasskey: true, isProduction: true, otpProvider: "sandbox" },
        "+6589990001",
      ),
    ).toBe(true);
  });

  it("go to listed numbers with real SMS in production, and on the sandbox in development", () => {
    expect(isAdminPhone({ ...admins, isProduction: true, otpProvider: "8x8" }, "+6589990001")).toBe(true);
    expect(isAdminPhone({ ...admins, isProduction: false, otpProvider: "sandbox" }, "+6589990001")).toBe(
      true,
    );
    expect(isAdminPhone({ ...admins, isProduction: true, otpProvider: "8x8" }, "+6589990002")).toBe(false);
    expect(isAdminPhone({ ...admins, isProduction: true, otpProvider: "8x8" }, undefined)).toBe(false);
  });
});
