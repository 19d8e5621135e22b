// Bundle src/index.ts (panel + card) into ONE ES module for Home Assistant:
//   node build.mjs [outfile]   (default ../custom_components/anpr/frontend/anpr-panel.js)
// Deterministic: same sources + same lock file => byte-identical output (checked by
// scripts/check_frontend).
import { build } from "esbuild";

const outfile = process.argv[2] ?? "../custom_components/anpr/frontend/anpr-panel.js";
await build({
  entryPoints: ["src/index.ts"],
  bundle: true,
  format: "esm",
  target: "es2021",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  outfile,
  logLevel: "warning",
});
