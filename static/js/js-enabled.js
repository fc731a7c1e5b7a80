// Tells GOV.UK Frontend's styles that JavaScript runs (and whether its components are supported)
// before the page is drawn. Loaded as the first thing in <body>: document.body exists by then.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
