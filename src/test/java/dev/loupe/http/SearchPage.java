package dev.loupe.http;

import dev.loupe.testing.Browser;
import dev.loupe.testing.TestServer;

/** The search page as its browser tests reach it: signed in already, and its results awaited. */
final class SearchPage {
    private SearchPage() {}

    /** The page, signed in with the admin key (as sign-in leaves it), in {@code namespace}, showing {@code results} cards. */
    static void open(Browser browser, TestServer server, String namespace, int results) {
        browser.go(server.base() + "/");
        browser.script("sessionStorage.clear(); sessionStorage.setItem('loupe.apiKey', arguments[0]);"
                + " sessionStorage.setItem('loupe.namespace', arguments[1]);", TestServer.ADMIN_KEY, namespace);
        browser.go(server.base() + "/");
        awaitResults(browser, results);
    }

    /** Waits until a search has finished and shows {@code n} cards. */
    static void awaitResults(Browser browser, int n) {
        browser.until("document.querySelectorAll('#grid .card').length === " + n
                + " && /result/.test(document.querySelector('#status').textContent)");
    }
}
