// Loupe's /docs page: Swagger UI over this server's /openapi.json. A file of its own, not an
// inline script, so the page's Content-Security-Policy can refuse every inline script.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#api",
  deepLinking: true,
  // No validator badge: it would send the document to a third-party service.
  validatorUrl: null,
  tryItOutEnabled: false,
  // Shows x-loupe-extension on the operations that are Loupe's own.
  showExtensions: true,
});
