// Builds the test page with the widget's own devDependencies (vite, @vitejs/plugin-react, react);
// scripts/searchkit-page.sh copies this folder next to the widget's build and runs it there.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  root: __dirname,
  base: "./",
  plugins: [react()],
  logLevel: "warn",
  build: { outDir: "dist", emptyOutDir: true },
});
