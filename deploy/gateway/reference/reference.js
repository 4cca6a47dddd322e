// The gateway's API reference: the merged document of every service (openapi/batbern.json),
// served beside this page by the gateway. Swagger UI 5.17.14, vendored from
// utoipa-swagger-ui (the services' own pages use the same release); nothing is fetched
// from elsewhere.
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  docExpansion: "none",
  filter: true,
  tryItOutEnabled: false,
});
