package dev.loupe.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The check every scale-out test ends with: after kills and partitions, each object of the batch has
 * exactly its one document (none lost, none doubled by a redelivery), and no other object has any.
 */
final class OneDocumentPerObject {
    private OneDocumentPerObject() {
    }

    /** Fails naming the objects with other than one document in {@code collection}, read page by page through {@code api}. */
    static void assertHolds(Api api, String collection, List<String> objectIds, String context) {
        Map<String, Integer> perObject = documentsPerObject(api, collection);
        List<String> wrong = new ArrayList<>();
        for (String id : objectIds) if (perObject.getOrDefault(id, 0) != 1) wrong.add(id + "=" + perObject.getOrDefault(id, 0));
        assertEquals(List.of(), wrong, "objects without exactly one document, " + context);
        assertEquals(objectIds.size(), perObject.values().stream().mapToInt(Integer::intValue).sum(), "documents of no other object, " + context);
    }

    private static Map<String, Integer> documentsPerObject(Api api, String collection) {
        Map<String, Integer> out = new HashMap<>();
        String cursor = null;
        do {
            JsonNode page = api.ok("POST", "/v1/collections/" + collection + "/documents/list?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), "{}");
            for (JsonNode d : page.path("results")) out.merge(d.path("root_object_id").asText(), 1, Integer::sum);
            JsonNode next = page.path("pagination").path("next_cursor");
            cursor = next.isNull() || next.isMissingNode() ? null : next.asText();
        } while (cursor != null);
        return out;
    }
}
