package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.document.FieldPath;
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
     * {@code field} compared to {@code value} by {@code operator}. A {@code regex}
     * condition carries its pattern compiled once ({@code regex}, null for other operators),
     * which the index and the in-memory matcher both use.
     */
    record Condition(FieldPath field, Operator operator, JsonNode value, FilterRegex regex) implements FilterNode {
        public Condition {
            if (field == null) throw new IllegalArgumentException("condition needs a field");
            if (value == null || value.isMissingNode()) throw new IllegalArgumentException("condition on " + field + " needs a value");
            if ((regex != null) != (operator == Operator.REGEX)) {
                throw new IllegalArgumentException("a compiled pattern goes with a regex condition only");
            }
        }

        /**
         * A condition whose pattern, for {@code regex}, is compiled from {@code value}'s text.
         *
         * @throws FilterRegex.Invalid when that pattern cannot be taken
         */
        public Condition(FieldPath field, Operator operator, JsonNode value) {
            this(field, operator, value, operator == Operator.REGEX ? FilterRegex.compile(value.asText()) : null);
        }

        /**
         * A condition on a field path written in code.
         *
         * @throws FieldPath.Invalid when {@code field} is not a valid path
         */
        public Condition(String field, Operator operator, JsonNode value) {
            this(FieldPath.parse(field), operator, value);
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
