// Builds Pathway's CSS and JS from the govuk-frontend npm package into app/static/dist.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "app", "static", "dist");
mkdirSync(out, { recursive: true });

const result = sass.compile(join(root, "assets", "scss", "main.scss"), {
  loadPaths: [join(root, "node_modules", "govuk-frontend", "dist"), join(root, "assets", "scss")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "pathway.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
// Images only (no GDS Transport fonts, no crown favicons: ours live in app/static).
cpSync(join(govuk, "assets", "images"), join(out, "images"), { recursive: true });
console.log("Built", join(out, "pathway.css"));
