// oxidc: the package entry (the page facade; the engine runs in worker.js).
export { createClient, load, OidcClient, OidcError } from "./facade.js";
