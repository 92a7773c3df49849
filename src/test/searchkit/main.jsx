// A test page (PublishedWidgetBrowserTest): Mixpeek's SearchKit, built from
// ../shared/clients/mixpeek-searchkit, mounted as a site would mount it, against the Loupe whose
// base URL, public key and public name the page's query string gives:
//   index.html?api=http://127.0.0.1:8080&key=ret_sk_...&slug=shop-search
// window.loupeSearch(query, limit) runs the widget's own non-streaming client, MixpeekClient.search.
import React from "react";
import { createRoot } from "react-dom/client";
import { SearchKit, MixpeekClient } from "../dist/searchkit.esm.js";
import "../dist/style.css";

const params = new URLSearchParams(window.location.search);
const config = { projectKey: params.get("key"), retrieverSlug: params.get("slug"), apiBaseUrl: params.get("api") };

window.loupeSearch = (query, limit) =>
  new MixpeekClient({ projectKey: config.projectKey, baseUrl: config.apiBaseUrl, retrieverSlug: config.retrieverSlug })
    .search({ query, limit });

createRoot(document.getElementById("search")).render(
  <SearchKit
    projectKey={config.projectKey}
    retrieverSlug={config.retrieverSlug}
    apiBaseUrl={config.apiBaseUrl}
    maxResults={Number(params.get("max") || 5)}
    placeholder="Search the shop"
    theme="light"
    defaultOpen
  />
);
