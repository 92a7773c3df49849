package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A filter condition's value as parsed: known now ({@link Literal}), or {@link Bound} to an
 * execution's inputs and known only when the filter is bound ({@link FilterTree#bind}).
 */
public sealed interface FilterValue {

    /** A value written in the filter. */
    record Literal(JsonNode value) implements FilterValue {
    }

    /** A value an execution's inputs give; its type is checked against the operator when bound. */
    sealed interface Bound extends FilterValue {
    }

    /** {@code {"type": "dynamic", "field": "inputs.x"}}: the input at {@code input}, which must be given. */
    record Dynamic(String input) implements Bound {
    }

    /**
     * A string holding templates ({@code "{{INPUT.x | 20}}"}, {@code "SKU-{{INPUT.n}}"}),
     * rendered by {@link FilterParser.Inputs#render}, defaults included.
     */
    record Template(String text) implements Bound {
    }

    /** An array with bound elements; an element bound to an array (an {@code in} list given as one input) adds its elements. */
    record Elements(List<FilterValue> items) implements Bound {
        public Elements {
            items = List.copyOf(items);
        }
    }
}
