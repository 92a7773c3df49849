package dev.loupe.index;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One page of a grouped listing.
 *
 * @param totalGroups    the groups in all pages
 * @param totalDocuments the matching documents that are in some group
 */
public record GroupPage(List<Group> groups, long totalGroups, long totalDocuments) {
    public GroupPage {
        groups = List.copyOf(groups);
    }

    /**
     * The documents sharing one value of the field.
     *
     * @param key       the value, as the documents hold it (a string, number, boolean or null)
     * @param count     how many documents hold it
     * @param documents the first of them, in the request's sort order
     */
    public record Group(JsonNode key, long count, List<IndexedDocument> documents) {
        public Group {
            documents = List.copyOf(documents);
        }
    }
}
