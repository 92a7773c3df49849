package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.http.openapi.ApiDocument;
import dev.loupe.http.openapi.Operation;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.TestServer;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /openapi.json} and the router held to each other both ways, the document checked
 * as OpenAPI 3.1, and its {@code x-loupe-extension} marks checked against Mixpeek's own document
 * in ../shared. Routes are compared by method and path shape ({@code /v1/buckets/{}}), since
 * Loupe and Mixpeek name path parameters differently.
 */
class OpenApiDocumentTest {
    private static final String WHERE = "add an Operation for it to its resource's list in dev.loupe.http.openapi (see Operations)";

    @TempDir
    static Path data;
    private static TestServer server;
    private static JsonNode document;
    private static String raw;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        server = new TestServer(data);
        // Without a key or a namespace: a description of the API must be readable before one has either.
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.base() + "/openapi.json")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        raw = r.body();
        document = Json.read(raw);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** "GET /v1/buckets/{}" → the operation's node in the document, for every documented operation. */
    private static Map<String, JsonNode> documented(JsonNode doc) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (var path : doc.get("paths").properties()) {
            for (var op : path.getValue().properties()) {
                String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                if (Operation.METHODS.contains(method)) out.put(method + " " + Operation.shape(path.getKey()), op.getValue());
            }
        }
        return out;
    }

    private static Set<String> served() {
        Set<String> out = new TreeSet<>();
        for (ApiServer.Endpoint e : server.endpoints()) out.add(e.method() + " " + Operation.shape(e.path()));
        return out;
    }

    @Test
    void everyRouteTheRouterServesIsDocumented() {
        Set<String> served = served();
        assertTrue(served.size() > 60, "the router listing looks empty: " + served);
        Set<String> documented = documented(document).keySet();
        List<String> missing = server.endpoints().stream()
                .filter(e -> !documented.contains(e.method() + " " + Operation.shape(e.path())))
                .map(e -> e.method() + " " + e.path()).distinct().sorted().toList();
        if (!missing.isEmpty()) {
            fail("served but not in /openapi.json (" + WHERE + "):\n  " + String.join("\n  ", missing));
        }
    }

    @Test
    void everyDocumentedOperationIsServed() {
        Set<String> served = served();
        List<String> missing = documented(document).keySet().stream()
                .filter(r -> !served.contains(r)).toList();
        if (!missing.isEmpty()) {
            fail("in /openapi.json but no route serves it (remove its Operation, or register the route):\n  " + String.join("\n  ", missing));
        }
    }

    @Test
    void theDocumentIsValidOpenApi31() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIParser().readContents(raw, null, options);
        assertTrue(result.getMessages() == null || result.getMessages().isEmpty(), "swagger-parser: " + result.getMessages());
        assertEquals(SpecVersion.V31, result.getOpenAPI().getSpecVersion());
        assertEquals(documented(document).size(), result.getOpenAPI().getPaths().values().stream()
                .mapToInt(p -> p.readOperations().size()).sum(), "the parser read a different number of operations");
    }

    @Test
    void everyRefPointsAtAComponentThatExists() {
        List<String> dangling = new ArrayList<>();
        collectRefs(document, dangling);
        assertEquals(List.of(), dangling);
    }

    private static void collectRefs(JsonNode node, List<String> dangling) {
        if (node.isObject() && node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/") || document.at(ref.substring(1)).isMissingNode()) dangling.add(ref);
        }
        node.forEach(child -> collectRefs(child, dangling));
    }

    @Test
    void operationsNotMarkedAsExtensionsAreMixpeeksAndExtensionsAreNot() throws IOException {
        Path mixpeekFile = Fixtures.openApi();
        assertTrue(Files.isRegularFile(mixpeekFile), "Mixpeek's OpenAPI document is read from " + mixpeekFile.toAbsolutePath());
        Set<String> mixpeek = documented(Json.read(Files.readString(mixpeekFile))).keySet();
        assertTrue(mixpeek.contains("POST /v1/buckets"), "Mixpeek's document lists no buckets: not the document expected");
        List<String> wrong = new ArrayList<>();
        documented(document).forEach((route, op) -> {
            boolean extension = op.path(ApiDocument.EXTENSION).asBoolean(false);
            if (!extension && !mixpeek.contains(route)) wrong.add(route + " is not in Mixpeek's API: mark it .extension()");
            if (extension && mixpeek.contains(route)) wrong.add(route + " is Mixpeek's: it is no extension");
        });
        if (!wrong.isEmpty()) fail(String.join("\n", wrong));
    }

    /**
     * The top-level fields of an operation's JSON request body, or of its success answer, with
     * whether each is marked Loupe's own; $ref and oneOf/anyOf/allOf followed. Null when the
     * schema names no properties (Mixpeek leaves many answers untyped).
     */
    private static Map<String, Boolean> fields(JsonNode doc, JsonNode schema) {
        if (schema == null || schema.isMissingNode()) return null;
        if (schema.has("$ref")) return fields(doc, doc.at(schema.get("$ref").asText().substring(1)));
        Map<String, Boolean> out = null;
        if (schema.has("properties")) {
            out = new TreeMap<>();
            for (var p : schema.get("properties").properties()) {
                out.put(p.getKey(), p.getValue().path(ApiDocument.EXTENSION).asBoolean(false));
            }
        }
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            for (JsonNode part : schema.path(combinator)) {
                Map<String, Boolean> more = fields(doc, part);
                if (more == null) continue;
                if (out == null) out = new TreeMap<>();
                more.forEach(out::putIfAbsent);
            }
        }
        return out;
    }

    private static JsonNode requestSchema(JsonNode op) {
        return op.at("/requestBody/content/application~1json/schema");
    }

    private static JsonNode answerSchema(JsonNode doc, JsonNode op) {
        for (var r : op.path("responses").properties()) {
            if (!r.getKey().startsWith("2")) continue;
            JsonNode response = r.getValue().has("$ref") ? doc.at(r.getValue().get("$ref").asText().substring(1)) : r.getValue();
            return response.at("/content/application~1json/schema");
        }
        return null;
    }

    @Test
    void fieldsNotInMixpeeksRequestsAndAnswersAreMarkedAndMixpeeksAreNot() throws IOException {
        JsonNode mixpeekDoc = Json.read(Files.readString(Fixtures.openApi()));
        Map<String, JsonNode> mixpeek = documented(mixpeekDoc);
        List<String> wrong = new ArrayList<>();
        documented(document).forEach((route, op) -> {
            JsonNode theirs = mixpeek.get(route);
            if (theirs == null) return; // a route of Loupe's own: every field of it is
            compare(route + " request", fields(document, requestSchema(op)), fields(mixpeekDoc, requestSchema(theirs)), wrong);
            compare(route + " answer", fields(document, answerSchema(document, op)), fields(mixpeekDoc, answerSchema(mixpeekDoc, theirs)), wrong);
        });
        if (!wrong.isEmpty()) fail(wrong.size() + " fields marked wrongly (Field.extension() or Schemas.extensions marks one):\n" + String.join("\n", wrong));
    }

    private static void compare(String at, Map<String, Boolean> ours, Map<String, Boolean> theirs, List<String> wrong) {
        if (ours == null || theirs == null) return; // nothing to compare against: Mixpeek leaves it untyped
        ours.forEach((field, extension) -> {
            if (!extension && !theirs.containsKey(field)) wrong.add(at + ": " + field + " is not Mixpeek's: mark it");
            if (extension && theirs.containsKey(field)) wrong.add(at + ": " + field + " is Mixpeek's: it is no extension");
        });
    }

    @Test
    void keyedOperationsDeclareTheBearerKeyTheNamespaceAndMixpeeksErrorShape() {
        List<String> wrong = new ArrayList<>();
        documented(document).forEach((route, op) -> {
            JsonNode security = op.path("security");
            boolean keyed = security.size() == 1 && security.get(0).has("ApiKey");
            boolean open = security.size() == 1 && security.get(0).isEmpty();
            boolean publicKey = security.size() == 1 && security.get(0).has("PublicApiKey");
            if (!keyed && !open && !publicKey) wrong.add(route + ": security is " + security);
            boolean namespace = false;
            for (JsonNode p : op.path("parameters")) namespace |= p.path("$ref").asText().equals("#/components/parameters/Namespace");
            if (keyed != namespace) wrong.add(route + ": the X-Namespace header goes with the key, and only with it");
            if (keyed && !op.path("responses").has("401")) wrong.add(route + ": a keyed operation can answer 401");
            if (!op.path("responses").has("default")) wrong.add(route + ": no default (error) response");
        });
        JsonNode error = document.at("/components/responses/422/content/application~1json/schema/$ref");
        assertEquals("#/components/schemas/ErrorResponse", error.asText());
        JsonNode shape = document.at("/components/schemas/ErrorResponse");
        assertEquals(List.of("success", "status", "error"), Json.MAPPER.convertValue(shape.get("required"), List.class));
        assertEquals("#/components/schemas/ErrorResponse", document.at("/components/responses/default/content/application~1json/schema/$ref").asText());
        if (!wrong.isEmpty()) fail(String.join("\n", wrong));
    }

    @Test
    void openRoutesAnswerWithoutAKeyAndKeyedOnesRefuseWithout() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/v1/health", "/openapi.json", "/docs")) {
            var r = http.send(HttpRequest.newBuilder(URI.create(server.base() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path + " is documented as open: " + r.body());
            assertEquals("true", String.valueOf(documented(document).get("GET " + path).path("security").get(0).isEmpty()));
        }
        var keyed = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/v1/api-keys")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, keyed.statusCode());
        assertTrue(documented(document).get("GET /v1/api-keys").path("security").get(0).has("ApiKey"));
    }
}
