// oxidc worker: the engine's home, out of the page's reach. A SharedWorker (one engine for every tab
// of the app) where the browser has one, else a dedicated Worker for one tab.
import { attach } from "./engine.js";

if (typeof SharedWorkerGlobalScope === "function" && self instanceof SharedWorkerGlobalScope) {
  self.addEventListener("connect", (event) => attach(event.ports[0]));
} else {
  attach(self);
}
