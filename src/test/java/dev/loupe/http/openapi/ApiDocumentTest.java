package dev.loupe.http.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How an {@link Operation} becomes part of the document, and the mistakes the assembly refuses. */
class ApiDocumentTest {
    @Test
    void aRouteDocumentedTwiceIsRefusedWhateverItsParametersAreCalled() {
        var first = Operation.get("/v1/buckets/{bucket}", "Buckets", "Get a bucket");
        var again = Operation.get("/v1/buckets/{bucket_identifier}", "Buckets", "Get it again");
        var e = assertThrows(IllegalStateException.class, () -> ApiDocument.of(List.of(first, again), "v1"));
        assertTrue(e.getMessage().contains("documented twice"), e.getMessage());
    }

    @Test
    void pathParametersComeFromThePathAndOnlyThoseCanBeRedescribed() {
        var op = Operation.get("/v1/tasks/{task}", "Tasks", "Get a task").pathParam("task", Schemas.string(), "its id");
        assertEquals(List.of("task"), op.params().stream().map(Operation.Param::name).toList());
        assertThrows(IllegalArgumentException.class, () -> op.pathParam("bucket", Schemas.string(), "no such parameter"));
        JsonNode doc = ApiDocument.of(List.of(op), "v1");
        JsonNode param = doc.at("/paths/~1v1~1tasks~1{task}/get/parameters/0");
        assertEquals("task", param.get("name").asText());
        assertEquals("path", param.get("in").asText());
        assertTrue(param.get("required").asBoolean());
    }

    @Test
    void markedFieldsAndOperationsCarryTheExtensionFlagAndOthersDoNot() {
        var op = Operation.post("/v1/things", "Things", "Make a thing").extension()
                .body(Schemas.object(Schemas.required("name", Schemas.name()), Schemas.optional("colour", Schemas.string()).extension()));
        JsonNode doc = ApiDocument.of(List.of(op), "v1");
        JsonNode post = doc.at("/paths/~1v1~1things/post");
        assertTrue(post.get(ApiDocument.EXTENSION).asBoolean());
        JsonNode props = post.at("/requestBody/content/application~1json/schema/properties");
        assertTrue(props.at("/colour/" + ApiDocument.EXTENSION).asBoolean());
        assertTrue(props.get("name").get(ApiDocument.EXTENSION) == null);
        assertEquals("[\"name\"]", post.at("/requestBody/content/application~1json/schema/required").toString());
    }

    @Test
    void errorAnswersFollowWhatTheOperationTakes() {
        var listing = Operation.post("/v1/things/list", "Things", "List").body(Schemas.anyObject());
        var open = Operation.get("/health", "Service", "Alive").open();
        JsonNode doc = ApiDocument.of(List.of(listing, open), "v1");
        JsonNode listed = doc.at("/paths/~1v1~1things~1list/post/responses");
        for (String status : List.of("400", "401", "403", "404", "413", "422", "default")) assertTrue(listed.has(status), status);
        assertTrue(!listed.has("409"), "a listing changes nothing, so clashes with nothing");
        JsonNode alive = doc.at("/paths/~1health/get/responses");
        assertTrue(!alive.has("401") && !alive.has("404"), alive.toString());
        assertEquals("[{}]", doc.at("/paths/~1health/get/security").toString(), "an open operation needs no key");
    }

    @Test
    void nullableAndExtensionsRefuseWhatTheyCannotMark() {
        assertThrows(IllegalArgumentException.class, () -> Schemas.nullable(Schemas.any()));
        assertThrows(IllegalArgumentException.class, () -> Schemas.extensions(Schemas.object(), "missing"));
        assertEquals("[\"string\",\"null\"]", Schemas.nullable(Schemas.string()).get("type").toString());
    }
}
