// Type-level test: a TypeScript app written against the package's declarations.
import { createClient, OidcError, type AuthState, type ClientOptions } from "oxidc";

const options: ClientOptions = {
  issuer: "https://login.example.com",
  clientId: "spa",
  redirectUri: "https://app.example/callback",
  scope: "openid offline_access",
  extraAuthParams: { prompt: "consent" },
};

// The provider options of the README's Providers table.
export const entra: ClientOptions = {
  ...options,
  issuer: "https://login.microsoftonline.com/organizations/v2.0",
  allowedTenants: ["8a1b2c3d-0000-4000-8000-00000000e1d0"],
};
export const anyTenant: ClientOptions = { ...entra, allowedTenants: "any" };
export const auth0Legacy: ClientOptions = {
  ...options,
  logoutEndpoint: { url: "https://tenant.example/v2/logout", redirectParam: "returnTo", clientIdParam: "client_id", idTokenHintParam: null },
};

export async function main(): Promise<string | null> {
  const auth = await createClient(options);
  if (auth.isCallback()) {
    const { returnTo }: { returnTo: string | null } = await auth.handleRedirectCallback();
    void returnTo;
  }
  const unsubscribe: () => void = auth.subscribe((state: AuthState) => {
    const status: "signed_in" | "signed_out" = state.status;
    void status;
  });
  unsubscribe();
  try {
    const token: string = await auth.getAccessToken({ forceRefresh: true });
    const claims: Record<string, unknown> | null = auth.user();
    void claims;
    return token;
  } catch (err) {
    if (err instanceof OidcError) {
      const code: string = err.code;
      const hint: string = err.hint;
      const status: number | null = err.status;
      void [code, hint, status];
      if (err.code === "login_required") await auth.login({ returnTo: "/" });
    }
    return null;
  }
}
