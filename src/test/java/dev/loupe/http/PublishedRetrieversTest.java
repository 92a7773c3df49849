package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.Products;
import dev.loupe.testing.PublicClient;
import dev.loupe.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing retrievers and calling them as a web page does, over six products of six colours
 * (the fixture encoder puts "red" nearest the red one). Each test publishes its own retrievers.
 */
class PublishedRetrieversTest {
    private static final List<String> COLOURS = List.of("red", "orange", "yellow", "green", "blue", "purple");
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void products() {
        server = new TestServer(data);
        api = server.admin(null);
        Products products = Products.bucket(api, "p");
        for (int i = 0; i < COLOURS.size(); i++) {
            products.add(COLOURS.get(i), i, "{\"name\": \"%s bag\", \"price\": %d}".formatted(COLOURS.get(i), 10 * (i + 1)));
        }
        products.collection("c");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A retriever over {@code c}: a text search for {@code inputs.query}, then a limit stage. */
    static String retriever(Api api, String name) {
        return api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "%s", "collection_ids": ["c"], "input_schema": {"query": {"type": "text", "required": true}},
                 "stages": [
                   {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {
                     "feature_uri": "mixpeek://image_extractor@v1/embedding", "query": "{{INPUT.query}}", "top_k": 20}}},
                   {"stage_name": "first", "config": {"stage_id": "limit", "parameters": {"limit": 20}}}]}""".formatted(name))
                .path("retriever_id").asText();
    }

    private static JsonNode publish(String retriever, String body) {
        return api.ok("POST", "/v1/retrievers/" + retriever + "/publish", body);
    }

    private static JsonNode json(HttpResponse<String> r) {
        return Api.parse(r.body());
    }

    private static List<String> names(JsonNode documents) {
        List<String> out = new ArrayList<>();
        documents.forEach(d -> out.add(d.path("title").asText()));
        return out;
    }

    private static final String DISPLAY = """
            "display_config": {"title": "Bags", "inputs": [{"field_name": "query", "field_schema": {"type": "text"}, "label": "Search"}],
              "exposed_fields": ["metadata.price"], "field_mappings": {"title": "metadata.name", "image_url": "thumbnail_url"}}""";

    @Test
    void aPublicationIsCreatedReadChangedListedAndRemoved() {
        String id = retriever(api, "lifecycle");
        JsonNode created = publish(id, "{\"public_name\": \"bag-search\", \"description\": \"Find bags\", \"tags\": [\"demo\"]}");
        OpenApi.assertConforms("PublishRetrieverResponse", created);
        String key = created.path("public_api_key").asText();
        assertTrue(key.startsWith("ret_sk_") && key.length() == 47, key);
        assertEquals(id, created.path("retriever_id").asText());
        assertTrue(created.path("public_url").asText().endsWith("/v1/public/retrievers/bag-search"), created.toString());

        JsonNode got = api.ok("GET", "/v1/retrievers/" + id + "/publish", null);
        OpenApi.assertConforms("PublishedRetrieverResponse", got);
        assertEquals("bag-search", got.path("public_name").asText());
        assertTrue(got.path("public_api_key").isNull(), "the key is shown only when published: only its hash is kept");
        assertEquals("lifecycle", got.path("display_config").path("title").asText(), "a display made from the retriever");
        assertEquals("query", got.path("display_config").path("inputs").get(0).path("field_name").asText());
        assertEquals("standard", got.path("rate_limit_config").path("tier").asText());
        assertEquals(2, got.path("retriever_metadata").path("stages").size());
        assertTrue(got.path("is_active").asBoolean());
        assertTrue(api.ok("GET", "/v1/retrievers/" + id, null).path("is_published").asBoolean(), "the retriever says it is published");
        // is_published sent back as GET answered it is an accepted update.
        api.ok("PATCH", "/v1/retrievers/" + id, "{\"description\": \"bags\", \"is_published\": true}");

        JsonNode taken = api.ok("GET", "/v1/retrievers/" + id + "/publish/availability?name=bag-search", null);
        OpenApi.assertConforms("PublicNameAvailabilityResponse", taken);
        assertFalse(taken.path("available").asBoolean());
        assertTrue(api.ok("GET", "/v1/retrievers/" + id + "/publish/availability?name=other-name", null).path("available").asBoolean());
        assertEquals(409, api.post("/v1/retrievers/" + id + "/publish", "{\"public_name\": \"again-name\"}").status(), "published once");
        String other = retriever(api, "lifecycle-other");
        assertEquals(409, api.post("/v1/retrievers/" + other + "/publish", "{\"public_name\": \"bag-search\"}").status(), "a name is taken once");

        JsonNode listed = api.ok("GET", "/v1/retrievers/published", null);
        assertTrue(listed.path("results").findValuesAsText("public_name").contains("bag-search"), listed.toString());

        PublicClient page = new PublicClient(server.base(), key);
        String query = "{\"inputs\": {\"query\": \"red\"}}";
        assertEquals(200, page.execute("bag-search", query).statusCode());
        JsonNode off = api.ok("PATCH", "/v1/retrievers/" + id + "/publish", "{\"is_active\": false, \"tags\": [\"off\"]}");
        OpenApi.assertConforms("PublishedRetrieverResponse", off);
        assertFalse(off.path("is_active").asBoolean());
        assertEquals("off", off.path("tags").get(0).asText());
        assertEquals(403, page.execute("bag-search", query).statusCode(), "an inactive publication answers nobody");
        api.ok("PATCH", "/v1/retrievers/" + id + "/publish", "{\"is_active\": true}");
        assertEquals(200, page.execute("bag-search", query).statusCode());

        JsonNode deleted = api.ok("DELETE", "/v1/retrievers/" + id + "/publish", null);
        OpenApi.assertConforms("GenericDeleteResponse", deleted);
        assertEquals(401, page.execute("bag-search", query).statusCode(), "an unpublished retriever's key is void");
        assertEquals(404, api.get("/v1/retrievers/" + id + "/publish").status());
        assertFalse(api.ok("GET", "/v1/retrievers/" + id, null).path("is_published").asBoolean());
        assertEquals(404, api.send("DELETE", "/v1/retrievers/" + id + "/publish", null).status());

        // Deleting a retriever removes its publication and frees the name.
        String gone = retriever(api, "lifecycle-gone");
        String goneKey = publish(gone, "{\"public_name\": \"gone-search\"}").path("public_api_key").asText();
        api.ok("DELETE", "/v1/retrievers/" + gone, null);
        assertEquals(401, new PublicClient(server.base(), goneKey).execute("gone-search", query).statusCode());
        assertTrue(api.ok("GET", "/v1/retrievers/" + other + "/publish/availability?name=gone-search", null).path("available").asBoolean());
    }

    @Test
    void aPublicKeyExecutesItsOwnRetrieverAndNothingElse() {
        String mine = retriever(api, "scope-mine");
        String theirs = retriever(api, "scope-theirs");
        String key = publish(mine, "{\"public_name\": \"scope-mine\", " + DISPLAY + "}").path("public_api_key").asText();
        publish(theirs, "{\"public_name\": \"scope-theirs\"}");
        PublicClient page = new PublicClient(server.base(), key);
        String query = "{\"inputs\": {\"query\": \"red\"}}";

        HttpResponse<String> ok = page.execute("scope-mine", query);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("red bag", names(json(ok).path("documents")).getFirst(), ok.body());
        HttpResponse<String> other = page.execute("scope-theirs", query);
        assertEquals(403, other.statusCode(), "another retriever's public name");
        assertEquals("PermissionError", json(other).path("error").path("type").asText());
        assertTrue(json(other).path("detail").asText().contains("another published retriever"), "the widget reads 'detail'");
        assertEquals(401, new PublicClient(server.base(), null).execute("scope-mine", query).statusCode(), "no key");
        assertEquals(401, new PublicClient(server.base(), key + "x").execute("scope-mine", query).statusCode(), "a wrong key");
        // The nameless route the widget calls when it has a key and no public name runs the key's own retriever.
        HttpResponse<String> nameless = page.send("POST", "/v1/public/retrievers/execute", query);
        assertEquals(200, nameless.statusCode(), nameless.body());
        assertEquals("red bag", names(json(nameless).path("documents")).getFirst());

        // The public key is no API key: not as a bearer token, not beside one.
        assertEquals(401, api.withKey(key).get("/v1/buckets/p").status());
        assertEquals(401, api.withKey(key).post("/v1/retrievers/" + mine + "/execute", query).status());
        assertEquals(401, page.send("GET", "/v1/buckets/p", null).statusCode(), "X-Public-API-Key alone on a private route");
        assertEquals(401, page.send("POST", "/v1/buckets/list", "{}").statusCode());

        HttpResponse<String> config = page.send("GET", "/v1/public/retrievers/scope-mine/config", null);
        assertEquals(200, config.statusCode(), config.body());
        OpenApi.assertConforms("PublicRetrieverConfigResponse", json(config));
        assertEquals("Bags", json(config).path("display_config").path("title").asText());
        assertEquals(403, page.send("GET", "/v1/public/retrievers/scope-theirs/config", null).statusCode());
    }

    @Test
    void resultsCarryTheExposedFieldsAndHonourSettingsLimitUpToTheMaximum() {
        String id = retriever(api, "limits");
        String key = publish(id, "{\"public_name\": \"limits\", \"rate_limit_config\": {\"max_results_per_query\": 3}, " + DISPLAY + "}")
                .path("public_api_key").asText();
        PublicClient page = new PublicClient(server.base(), key);
        JsonNode two = json(page.execute("limits", "{\"inputs\": {\"query\": \"red\"}, \"settings\": {\"limit\": 2}}"));
        assertEquals(2, two.path("documents").size(), two.toString());
        OpenApi.assertConforms("ExecutionDetail", two);
        JsonNode first = two.path("documents").get(0);
        assertEquals("red bag", first.path("title").asText());
        assertEquals(10, first.path("metadata").path("price").asInt(), "an exposed field at its path");
        assertFalse(first.path("metadata").has("name"), "metadata not exposed stays out");
        assertTrue(first.path("image_url").asText().startsWith(server.base() + "/thumbnails/"), first.toString());
        assertTrue(first.has("document_id") && first.has("score"));
        assertFalse(first.has("image_extractor_v1_embedding"), "never vectors");
        assertFalse(first.has("collection_id") || first.has("root_object_id"), "nothing that was not exposed: " + first);

        JsonNode capped = json(page.execute("limits", "{\"inputs\": {\"query\": \"red\"}, \"settings\": {\"limit\": 10}}"));
        assertEquals(3, capped.path("documents").size(), "max_results_per_query caps settings.limit");
        assertEquals(3, capped.path("pagination").path("page_size").asInt());

        HttpResponse<String> bad = page.execute("limits", "{\"inputs\": {\"query\": \"red\"}, \"settings\": {\"limit\": 0}}");
        assertEquals(422, bad.statusCode());
        assertEquals("settings.limit", json(bad).path("error").path("details").path("field").asText());
        assertEquals(422, page.execute("limits", "{\"inputs\": {\"query\": \"red\"}, \"settings\": {\"colour\": 1}}").statusCode());
        assertEquals(422, page.execute("limits", "{\"inputs\": {\"query\": \"red\"}, \"settings\": 5}").statusCode());
        assertEquals(422, page.execute("limits", "{\"inputs\": {}}").statusCode(), "the retriever's required input");
    }

    @Test
    void aStreamedExecutionSendsEachStagesEventsThenTheResultThenDone() {
        String id = retriever(api, "streamed");
        String key = publish(id, "{\"public_name\": \"streamed\", " + DISPLAY + "}").path("public_api_key").asText();
        PublicClient page = new PublicClient(server.base(), key);
        // What the widget's searchStream sends.
        HttpResponse<String> r = page.execute("streamed", "{\"inputs\": {\"query\": \"red\"}, \"settings\": {\"limit\": 4}, \"stream\": true}",
                "Accept", "text/event-stream");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), r.headers().toString());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        List<String> lines = r.body().lines().filter(l -> !l.isEmpty()).toList();
        assertTrue(lines.stream().allMatch(l -> l.startsWith("data: ")), r.body());
        assertEquals("data: [DONE]", lines.getLast());
        List<JsonNode> events = lines.subList(0, lines.size() - 1).stream().map(l -> Api.parse(l.substring(6))).toList();
        assertEquals(List.of("stage_start", "stage_complete", "stage_start", "stage_complete", "execution_complete"),
                events.stream().map(e -> e.path("event_type").asText()).toList());
        String executionId = events.getFirst().path("execution_id").asText();
        assertTrue(executionId.startsWith("exec_"));
        assertTrue(events.stream().allMatch(e -> e.path("execution_id").asText().equals(executionId)), "one execution id throughout");
        JsonNode search = events.get(1);
        assertEquals("search", search.path("stage_name").asText());
        assertEquals(0, search.path("stage_index").asInt());
        assertEquals(2, search.path("total_stages").asInt());
        assertEquals(6, search.path("statistics").path("output_count").asInt(), search.toString());
        assertEquals(4, search.path("documents").size(), "a stage's documents are bounded by the limit");
        assertEquals("first", events.get(3).path("stage_name").asText());
        assertEquals(1, events.get(3).path("stage_index").asInt());
        JsonNode done = events.getLast();
        assertEquals(4, done.path("documents").size());
        assertEquals("red bag", names(done.path("documents")).getFirst());

        // A request refused before any stage runs is a plain JSON error, whatever it accepts.
        HttpResponse<String> refused = page.execute("streamed", "{\"inputs\": {}}", "Accept", "text/event-stream");
        assertEquals(422, refused.statusCode());
        assertEquals("ValidationError", json(refused).path("error").path("type").asText());
        // Without either, the answer is JSON.
        HttpResponse<String> plain = page.execute("streamed", "{\"inputs\": {\"query\": \"red\"}}");
        assertTrue(plain.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void aStageThatFailsMidStreamEndsTheStreamWithItsError() {
        // The input is text, but the search reads it as an image: the stage fails once started.
        String id = api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "fails-midway", "collection_ids": ["c"], "input_schema": {"query": {"type": "text", "required": true}},
                 "stages": [{"stage_name": "by-image", "config": {"stage_id": "feature_search", "parameters": {
                   "feature_uri": "mixpeek://image_extractor@v1/embedding", "query": {"input_mode": "content", "value": "{{INPUT.query}}"}}}}]}""")
                .path("retriever_id").asText();
        String key = publish(id, "{\"public_name\": \"fails-midway\"}").path("public_api_key").asText();
        PublicClient page = new PublicClient(server.base(), key);
        HttpResponse<String> r = page.execute("fails-midway", "{\"inputs\": {\"query\": \"not an image\"}}", "Accept", "text/event-stream");
        assertEquals(200, r.statusCode(), "the stream had begun");
        List<String> lines = r.body().lines().filter(l -> !l.isEmpty()).toList();
        assertEquals("data: [DONE]", lines.getLast(), r.body());
        List<JsonNode> events = lines.subList(0, lines.size() - 1).stream().map(l -> Api.parse(l.substring(6))).toList();
        assertEquals(List.of("stage_start", "stage_error", "execution_error"), events.stream().map(e -> e.path("event_type").asText()).toList());
        assertEquals("by-image", events.get(1).path("stage_name").asText());
        assertFalse(events.get(1).path("error").asText().isEmpty(), events.get(1).toString());
        assertEquals(events.get(1).path("error").asText(), events.get(2).path("error").asText());
        // Without streaming the same failure is the JSON error.
        HttpResponse<String> plain = page.execute("fails-midway", "{\"inputs\": {\"query\": \"not an image\"}}");
        assertEquals(422, plain.statusCode(), plain.body());
    }

    @Test
    void aKeyOverItsRateIsRefusedWith429AndRetryAfter() {
        String id = retriever(api, "limited");
        String key = publish(id, "{\"public_name\": \"limited\", \"rate_limit_config\": {\"requests_per_minute\": 2}}").path("public_api_key").asText();
        PublicClient page = new PublicClient(server.base(), key);
        String query = "{\"inputs\": {\"query\": \"red\"}}";
        assertEquals(200, page.execute("limited", query).statusCode());
        assertEquals(200, page.execute("limited", query).statusCode());
        HttpResponse<String> third = page.execute("limited", query);
        assertEquals(429, third.statusCode(), third.body());
        long retry = Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retry >= 1 && retry <= 61, "Retry-After " + retry);
        assertEquals("RateLimitError", json(third).path("error").path("type").asText());
        assertEquals("*", third.headers().firstValue("Access-Control-Allow-Origin").orElse(null), "a page can read the refusal");
        assertTrue(third.headers().firstValue("Access-Control-Expose-Headers").orElse("").contains("Retry-After"));
        // Another publication's key has its own count.
        String other = retriever(api, "limited-other");
        String otherKey = publish(other, "{\"public_name\": \"limited-other\"}").path("public_api_key").asText();
        assertEquals(200, new PublicClient(server.base(), otherKey).execute("limited-other", query).statusCode());
        // Raising the limit applies at once.
        api.ok("PATCH", "/v1/retrievers/" + id + "/publish", "{\"rate_limit_config\": {\"requests_per_minute\": 5}}");
        assertEquals(200, page.execute("limited", query).statusCode());
    }

    @Test
    void ipLimitsCountEachClientAddressBesideTheKey() {
        String id = retriever(api, "per-address");
        String key = publish(id, """
                {"public_name": "per-address", "rate_limit_config": {"tier": "unlimited", "enable_ip_limits": true, "max_requests_per_ip_hour": 1}}""")
                .path("public_api_key").asText();
        PublicClient page = new PublicClient(server.base(), key);
        String query = "{\"inputs\": {\"query\": \"red\"}}";
        assertEquals(200, page.execute("per-address", query).statusCode());
        // A forged X-Forwarded-For is no other address.
        HttpResponse<String> second = page.execute("per-address", query, "X-Forwarded-For", "203.0.113.9");
        assertEquals(429, second.statusCode(), second.body());
        assertTrue(json(second).path("error").path("message").asText().contains("per hour per client address"), second.body());
        assertTrue(Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow()) > 3000);
    }

    @Test
    void crossOriginRequestsAreAllowedOnPublicRoutesOnly() {
        String id = retriever(api, "cors");
        String key = publish(id, "{\"public_name\": \"cors\"}").path("public_api_key").asText();
        PublicClient page = new PublicClient(server.base(), null);
        HttpResponse<String> preflight = page.send("OPTIONS", "/v1/public/retrievers/cors/execute", null,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,x-public-api-key");
        assertTrue(preflight.statusCode() == 204 || preflight.statusCode() == 200, preflight.statusCode() + " " + preflight.body());
        assertEquals("*", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
        String allowed = preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase();
        assertTrue(allowed.contains("x-public-api-key") && allowed.contains("content-type"), allowed);
        HttpResponse<String> configPreflight = page.send("OPTIONS", "/v1/public/retrievers/cors/config", null, "Access-Control-Request-Method", "GET");
        assertEquals("*", configPreflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        HttpResponse<String> answer = new PublicClient(server.base(), key).execute("cors", "{\"inputs\": {\"query\": \"red\"}}");
        assertEquals("*", answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertNull(answer.headers().firstValue("Access-Control-Allow-Credentials").orElse(null), "no cookies across origins");

        // The private API answers no cross-origin request: no preflight passes, no answer is readable.
        HttpResponse<String> privatePreflight = page.send("OPTIONS", "/v1/buckets/list", null,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type");
        assertTrue(privatePreflight.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), privatePreflight.headers().toString());
        assertTrue(privatePreflight.headers().firstValue("Access-Control-Allow-Headers").isEmpty());
        HttpResponse<String> privateCall = page.send("POST", "/v1/buckets/list", "{}", "Authorization", "Bearer " + TestServer.ADMIN_KEY);
        assertEquals(200, privateCall.statusCode());
        assertTrue(privateCall.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "no CORS on /v1/buckets");
    }

    @Test
    void badPublicationRequestsAreRefusedNamingTheField() {
        String id = retriever(api, "refusals");
        assertField(api.post("/v1/retrievers/" + id + "/publish", "{\"public_name\": \"Bad_Name\"}"), "public_name");
        assertField(api.post("/v1/retrievers/" + id + "/publish", "{\"public_name\": \"ab\"}"), "public_name");
        assertField(api.post("/v1/retrievers/" + id + "/publish", "{}"), "public_name");
        assertField(api.post("/v1/retrievers/" + id + "/publish", "{\"public_name\": \"refusals\", \"password_secret_name\": \"pw\"}"), "password_secret_name");
        assertField(api.post("/v1/retrievers/" + id + "/publish", "{\"public_name\": \"refusals\", \"slug\": \"x\"}"), "slug");
        assertField(api.post("/v1/retrievers/" + id + "/publish",
                "{\"public_name\": \"refusals\", \"display_config\": {\"title\": \"t\", \"inputs\": [], \"exposed_fields\": []}}"), "display_config.exposed_fields");
        assertField(api.post("/v1/retrievers/" + id + "/publish",
                "{\"public_name\": \"refusals\", \"rate_limit_config\": {\"tier\": \"gold\"}}"), "rate_limit_config.tier");
        assertField(api.post("/v1/retrievers/" + id + "/publish",
                "{\"public_name\": \"refusals\", \"rate_limit_config\": {\"max_results_per_query\": 5000}}"), "rate_limit_config.max_results_per_query");
        assertField(api.post("/v1/retrievers/" + id + "/publish", "{\"public_name\": \"refusals\", \"description\": \"" + "d".repeat(501) + "\"}"), "description");
        assertField(api.post("/v1/retrievers/" + id + "/publish", "{\"public_name\": \"refusals\", \"rate_limit_config\": \"high\"}"), "rate_limit_config");
        assertEquals(404, api.post("/v1/retrievers/no-such/publish", "{\"public_name\": \"refusals\"}").status());
        assertEquals(404, api.get("/v1/retrievers/" + id + "/publish").status(), "nothing was published");
        assertField(api.get("/v1/retrievers/" + id + "/publish/availability?name=NO"), "name");
    }

    private static void assertField(Api.Response r, String field) {
        assertEquals(422, r.status(), r.raw());
        assertEquals(field, r.body().path("error").path("details").path("field").asText(), r.raw());
    }
}
