// Loads the wasm-bindgen output (app.js, app_bg.wasm); the app's main() mounts it into <body>.
import init from './app.js';

await init({ module_or_path: new URL('./app_bg.wasm', import.meta.url) });
