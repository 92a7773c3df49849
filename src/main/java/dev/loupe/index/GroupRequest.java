package dev.loupe.index;

import dev.loupe.filter.FilterNode;
import java.util.List;

/**
 * A grouped listing: the documents matching {@code filter}, grouped by the value of
 * {@code field} (a dot path), one page of groups.
 *
 * @param sort      orders the documents within each group; when its first key is {@code field}, its direction orders the groups too
 * @param offset    how many groups to skip
 * @param limit     how many groups to return
 * @param perGroup  how many of each group's documents to return (its count says how many there are)
 * @param maxGroups the most distinct values the field may have among the matching documents: counting
 *                  them holds each in memory
 */
public record GroupRequest(FilterNode filter, String field, List<SortKey> sort, int offset, int limit, int perGroup, int maxGroups) {
    public GroupRequest {
        if (field == null || field.isBlank()) throw new IllegalArgumentException("group_by needs a field");
        if (offset < 0 || limit < 0) throw new IllegalArgumentException("offset and limit must not be negative");
        if (perGroup < 1 || maxGroups < 1) throw new IllegalArgumentException("perGroup and maxGroups must be at least 1");
        sort = List.copyOf(sort);
    }
}
