// Progressive enhancement only: every page works as plain form posts without it.
// Initialises GOV.UK Frontend's components (error summary focus, buttons that resist double submits).
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();
