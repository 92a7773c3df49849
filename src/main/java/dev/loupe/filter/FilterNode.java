package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * A parsed Mixpeek filter: logical nodes over field conditions. A missing field never
 * matches a condition (so {@code ne} and {@code nin} also require the field to exist).
 */
public sealed interface FilterNode {

    /** Matches every document: the empty filter. */
    record All() implements FilterNode {
    }

    record And(List<FilterNode> children) implements FilterNode {
        public And {
            children = List.copyOf(children);
        }
    }

    record Or(List<FilterNode> children) implements FilterNode {
        public Or {
            children = List.copyOf(children);
        }
    }

    /** Matches documents that match none of the children. */
    record Not(List<FilterNode> children) implements FilterNode {
        public Not {
            children = List.copyOf(children);
        }
    }

    /**
     * {@code field} (a dot path) compared to {@code value} by {@code operator}. A {@code regex}
     * condition carries its pattern compiled once ({@code regex}, null for other operators and
     * for a value not known yet), which the index and the in-memory matcher both use.
     */
    record Condition(String field, Operator operator, JsonNode value, FilterRegex regex) implements FilterNode {
        public Condition {
            if (field == null || field.isBlank()) throw new IllegalArgumentException("condition needs a field");
            if ((regex != null) != (operator == Operator.REGEX && !value.isMissingNode())) {
                throw new IllegalArgumentException("a compiled pattern goes with a known regex value only");
            }
        }

        /**
         * A condition whose pattern, for {@code regex}, is compiled from {@code value}'s text.
         *
         * @throws FilterRegex.Invalid when that pattern cannot be taken
         */
        public Condition(String field, Operator operator, JsonNode value) {
            this(field, operator, value, operator == Operator.REGEX && !value.isMissingNode() ? FilterRegex.compile(value.asText()) : null);
        }
    }

    enum Operator {
        EQ, NE, GT, LT, GTE, LTE, IN, NIN, CONTAINS, STARTS_WITH, ENDS_WITH, REGEX, EXISTS, IS_NULL, TEXT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    FilterNode ALL = new All();
}
