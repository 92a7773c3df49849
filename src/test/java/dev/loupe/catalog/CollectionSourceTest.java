package dev.loupe.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollectionSourceTest {
    @Test
    void sourcesStoredBeforeTheyWereTypedStillRead() throws Exception {
        // The shape catalogs hold from when a source was one record with a type string.
        Collection.Source buckets = Json.MAPPER.readValue("{\"type\": \"bucket\", \"bucket_ids\": [\"bkt_a\", \"bkt_b\"], \"collection_id\": null}",
                Collection.Source.class);
        assertEquals(new Collection.Source.Buckets(List.of("bkt_a", "bkt_b")), buckets);
        Collection.Source upstream = Json.MAPPER.readValue("{\"type\": \"collection\", \"bucket_ids\": [], \"collection_id\": \"col_up\"}",
                Collection.Source.class);
        assertEquals(new Collection.Source.Upstream("col_up"), upstream);
    }

    @Test
    void aSourceIsStoredWithMixpeeksTypeNameAndReadBack() throws Exception {
        for (Collection.Source s : List.<Collection.Source>of(new Collection.Source.Buckets(List.of("bkt_a")), new Collection.Source.Upstream("col_up"))) {
            String stored = Json.write(s);
            assertEquals(s.type(), Json.read(stored).path("type").asText(), stored);
            assertEquals(s, Json.MAPPER.readValue(stored, Collection.Source.class), stored);
        }
    }

    @Test
    void aSourceSaysWhichInputsItReads() {
        Collection.Source buckets = new Collection.Source.Buckets(List.of("bkt_a"));
        assertTrue(buckets.readsBucket("bkt_a"));
        assertFalse(buckets.readsBucket("bkt_b"));
        assertFalse(buckets.readsCollection("bkt_a"));
        Collection.Source upstream = new Collection.Source.Upstream("col_up");
        assertTrue(upstream.readsCollection("col_up"));
        assertFalse(upstream.readsBucket("col_up"));
    }
}
