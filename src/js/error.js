/** The error every oxidc promise rejects with. `code` is stable; see the README for each code. */
export class OidcError extends Error {
  constructor(code, message, detail, hint, error, errorDescription, status) {
    super(message);
    this.name = "OidcError";
    this.code = code;
    this.detail = detail ?? null;
    this.hint = hint;
    this.error = error ?? null;
    this.errorDescription = errorDescription ?? null;
    this.status = status ?? null;
  }
}

export function makeOidcError(code, message, detail, hint, error, errorDescription, status) {
  return new OidcError(code, message, detail, hint, error, errorDescription, status);
}
