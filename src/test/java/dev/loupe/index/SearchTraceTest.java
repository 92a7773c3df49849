package dev.loupe.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A stage's searches summed into one trace, and an engine that reports nothing described without numbers. */
class SearchTraceTest {
    private static final SearchTrace.Counted SCANNED = new SearchTrace.Counted(2, 0, 2, 0, 0, OptionalLong.of(30), false);
    private static final SearchTrace.Counted WALKED = new SearchTrace.Counted(3, 3, 0, 1, 900, OptionalLong.of(5000), true);

    @Test
    void twoCollectionsSearchedDifferentlyAddUpToAMixedSearch() {
        assertEquals(new SearchTrace.Counted(5, 3, 2, 1, 900, OptionalLong.of(5030), true), SCANNED.plus(WALKED));
        assertEquals(SearchTrace.Method.MIXED, SCANNED.plus(WALKED).method());
        assertEquals(SearchTrace.Method.NONE, new SearchTrace.Counted(0, 0, 0, 0, 0, OptionalLong.empty(), false).method());
    }

    @Test
    void filterMatchesAreKnownOnlyWhenEverySearchKnowsThem() {
        SearchTrace.Counted unfiltered = new SearchTrace.Counted(1, 1, 0, 0, 100, OptionalLong.empty(), false);
        assertEquals(OptionalLong.empty(), ((SearchTrace.Counted) WALKED.plus(unfiltered)).filterMatches());
    }

    @Test
    void segmentsAreTheWalkedAndTheScanned() {
        assertThrows(IllegalArgumentException.class, () -> new SearchTrace.Counted(3, 1, 1, 0, 0, OptionalLong.empty(), false));
    }

    @Test
    void postFilteredSegmentsAreAmongTheWalkedOnes() {
        assertThrows(IllegalArgumentException.class, () -> new SearchTrace.Counted(3, 1, 2, 2, 0, OptionalLong.of(9), false));
        assertEquals(1, WALKED.json().path("post_filtered_segments").asInt());
    }

    @Test
    void aRemoteEngineSaysWhatWasAskedAndNoCounts() {
        JsonNode json = new SearchTrace.Requested("solr", true).json();
        assertEquals("graph", json.path("method").asText());
        assertTrue(json.path("requested").asBoolean());
        for (String counted : new String[] {"segments", "nodes_visited", "filter_matches", "rescored"}) {
            assertTrue(json.path(counted).isMissingNode(), counted + " is not known: " + json);
        }
    }
}
