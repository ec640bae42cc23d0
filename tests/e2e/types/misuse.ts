// Type-level test: each line below must be a compile error (the test counts them).
import { createClient } from "oxidc";

export async function misuse() {
  const auth = await createClient({ issuer: "https://op", clientId: "spa" }); // redirectUri missing
  auth.refreshToken; // no refresh token is ever exposed
  await auth.getAccessToken({ force: true }); // unknown option
  const n: number = await auth.getAccessToken(); // resolves to a string
  await auth.login({ returnTo: 42 }); // returnTo is a string
  void n;
}
