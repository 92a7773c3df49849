package dev.loupe.retriever;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.filter.FilterValues;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.lucene.LuceneDocumentIndex;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.SortKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lucene index, {@link FilterMatcher} and {@link CandidateOps} give every field path,
 * word and value one meaning: random documents (nested arrays and objects, nulls,
 * punctuation, CJK and astral characters, numeric strings, booleans) are searched with
 * random filter trees of AND/OR/NOT over every operator, and sorted by random fields, in the
 * index and in memory, and must agree. The seed is printed with any disagreement; set
 * {@code -Dtests.seed=N} to replay one. The work is a fixed number of cases, a few seconds.
 */
class FieldAgreementRandomTest {
    private static final String COL = "col_random";
    private static final int DOCUMENTS = 120;
    private static final int FILTERS = 400;
    private static final int SORTS = 60;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] KEYS = {"a", "b", "c"};
    private static final String[] WORDS = {"foo", "foo_bar", "bag", "3.5", "inch", "don't", "東京", "タワー", "😀x", "Acme", "acme", "",
            "10", "9", "-2.5", "true", "\uE000", "a.b", "x y"};
    private static final FilterNode.Operator[] OPS = FilterNode.Operator.values();

    @TempDir
    Path dir;

    @Test
    void theIndexTheMatcherAndTheCandidateOperationsAgreeOnRandomDocumentsAndFilters() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        Random rnd = new Random(seed);
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir)) {
            List<IndexedDocument> docs = new ArrayList<>();
            for (int i = 0; i < DOCUMENTS; i++) {
                docs.add(new IndexedDocument(String.format("doc_%03d", i), COL, (ObjectNode) object(rnd, 0), Map.of()));
            }
            index.upsert(COL, docs);
            docs.sort(Comparator.comparing(IndexedDocument::documentId));
            for (int n = 0; n < FILTERS; n++) {
                JsonNode filterJson = filter(rnd, 0);
                FilterNode filter;
                try {
                    filter = FilterParser.parseStatic(filterJson, "filters");
                } catch (dev.loupe.api.LoupeException refused) {
                    continue; // a value the operator cannot take (a regex Lucene refuses): a 422 for both
                }
                List<String> inIndex = index.list(COL, filter, List.of(), 0, DOCUMENTS).documents().stream()
                        .map(IndexedDocument::documentId).sorted().toList();
                List<String> inMemory = docs.stream().filter(d -> FilterMatcher.matches(filter, d.fields()))
                        .map(IndexedDocument::documentId).toList();
                assertEquals(inIndex, inMemory, "seed " + seed + ", filter " + filterJson);
            }
            List<ScoredDocument> candidates = docs.stream().map(d -> new ScoredDocument(d, 1f)).toList();
            for (int n = 0; n < SORTS; n++) {
                String field = path(rnd);
                boolean descending = rnd.nextBoolean();
                List<String> inIndex = index.list(COL, FilterNode.ALL, List.of(new SortKey(field, descending)), 0, DOCUMENTS).documents()
                        .stream().map(IndexedDocument::documentId).toList();
                List<String> inMemory = CandidateOps.sortByField(candidates, field, descending).stream()
                        .map(h -> h.document().documentId()).toList();
                assertEquals(inIndex, inMemory, "seed " + seed + ", sort by " + field + (descending ? " descending" : ""));
            }
        }
    }

    /**
     * Strings around the index's term limit ({@link FilterValues#MAX_TERM_CHARS}) share a long
     * prefix and differ in their last characters, some beyond the limit, some with a surrogate
     * pair across it: every string operator and sorting agree between the index and memory,
     * and a filter string longer than the limit is refused (it could equal no term).
     */
    @Test
    void stringsLongerThanAnIndexTermMeanTheSameInTheIndexAndInMemory() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String prefix = "x".repeat(FilterValues.MAX_TERM_CHARS - 6);
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir)) {
            List<IndexedDocument> docs = new ArrayList<>();
            List<String> held = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ObjectNode fields = F.objectNode();
                String v = prefix + tail(rnd, 12);
                held.add(v);
                if (rnd.nextInt(4) == 0) {
                    String w = prefix + tail(rnd, 12);
                    held.add(w);
                    fields.putArray("a").add(v).add(w);
                } else {
                    fields.put("a", v);
                }
                docs.add(new IndexedDocument(String.format("doc_%03d", i), COL, fields, Map.of()));
            }
            index.upsert(COL, docs);
            FilterNode.Operator[] ops = {FilterNode.Operator.EQ, FilterNode.Operator.NE, FilterNode.Operator.IN, FilterNode.Operator.GT,
                    FilterNode.Operator.LTE, FilterNode.Operator.STARTS_WITH, FilterNode.Operator.ENDS_WITH, FilterNode.Operator.CONTAINS,
                    FilterNode.Operator.REGEX};
            int refused = 0;
            int compared = 0;
            for (int n = 0; n < 300; n++) {
                FilterNode.Operator op = ops[rnd.nextInt(ops.length)];
                String h = held.get(rnd.nextInt(held.size()));
                int end = pairSafe(h, h.length() - (op == FilterNode.Operator.CONTAINS ? rnd.nextInt(3) : 0));
                String value = switch (op) {
                    case ENDS_WITH, CONTAINS -> h.substring(pairSafe(h, Math.max(0, end - 1 - rnd.nextInt(14))), end);
                    case REGEX -> List.of("x*a", "x*[ab]*", "x*b.*", ".*a", "x*(ab|ba)x*").get(rnd.nextInt(5));
                    default -> h.substring(0, pairSafe(h, h.length() - rnd.nextInt(14))) + (rnd.nextInt(3) == 0 ? tail(rnd, 1) : "");
                };
                ObjectNode condition = F.objectNode().put("field", "a").put("operator", op.wireName());
                if (op == FilterNode.Operator.IN) condition.putArray("value").add("none").add(value);
                else condition.put("value", value);
                JsonNode filterJson = rnd.nextInt(4) == 0 ? F.objectNode().set("NOT", F.arrayNode().add(condition)) : condition;
                FilterNode filter;
                try {
                    filter = FilterParser.parseStatic(filterJson, "filters");
                } catch (dev.loupe.api.LoupeException.Invalid e) {
                    assertEquals(true, value.length() > FilterValues.MAX_TERM_CHARS, "seed " + seed + ": refused " + e.getMessage());
                    refused++;
                    continue;
                }
                assertEquals(false, value.length() > FilterValues.MAX_TERM_CHARS, "seed " + seed + ": took a value of " + value.length());
                List<String> inIndex = index.list(COL, filter, List.of(), 0, docs.size()).documents().stream()
                        .map(IndexedDocument::documentId).sorted().toList();
                List<String> inMemory = docs.stream().filter(d -> FilterMatcher.matches(filter, d.fields()))
                        .map(IndexedDocument::documentId).toList();
                assertEquals(inIndex, inMemory, "seed " + seed + ", " + op.wireName() + " on a value ending "
                        + value.substring(Math.max(0, value.length() - 16)) + " of " + value.length());
                compared++;
            }
            List<ScoredDocument> candidates = docs.stream().map(d -> new ScoredDocument(d, 1f)).toList();
            for (boolean descending : new boolean[] {false, true}) {
                List<String> inIndex = index.list(COL, FilterNode.ALL, List.of(new SortKey("a", descending)), 0, docs.size()).documents()
                        .stream().map(IndexedDocument::documentId).toList();
                List<String> inMemory = CandidateOps.sortByField(candidates, "a", descending).stream().map(h -> h.document().documentId()).toList();
                assertEquals(inIndex, inMemory, "seed " + seed + ", sort" + (descending ? " descending" : ""));
            }
        }
    }

    /** {@code at}, or one before it where it falls inside a surrogate pair of {@code s}. */
    private static int pairSafe(String s, int at) {
        return at > 0 && at < s.length() && Character.isLowSurrogate(s.charAt(at)) ? at - 1 : at;
    }

    /** Up to {@code most} characters of a, b and 😀 (a pair, which may fall across the term limit). */
    private static String tail(Random rnd, int most) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(most + 1);
        for (int i = 0; i < n; i++) sb.append(List.of("a", "b", "😀").get(rnd.nextInt(3)));
        return sb.toString();
    }

    private static JsonNode object(Random rnd, int depth) {
        ObjectNode o = F.objectNode();
        for (String k : KEYS) if (rnd.nextInt(3) > 0) o.set(k, value(rnd, depth + 1));
        return o;
    }

    private static JsonNode value(Random rnd, int depth) {
        int kind = rnd.nextInt(depth >= 3 ? 5 : 8);
        return switch (kind) {
            case 0, 1 -> F.textNode(text(rnd));
            case 2 -> number(rnd);
            case 3 -> F.booleanNode(rnd.nextBoolean());
            case 4 -> F.nullNode();
            case 5 -> object(rnd, depth);
            default -> {
                ArrayNode a = F.arrayNode();
                int size = rnd.nextInt(4);
                for (int i = 0; i < size; i++) a.add(value(rnd, depth + 1));
                yield a;
            }
        };
    }

    private static String text(Random rnd) {
        StringBuilder sb = new StringBuilder(WORDS[rnd.nextInt(WORDS.length)]);
        int more = rnd.nextInt(3);
        for (int i = 0; i < more; i++) sb.append(rnd.nextBoolean() ? " " : "-").append(WORDS[rnd.nextInt(WORDS.length)]);
        return sb.toString();
    }

    private static JsonNode number(Random rnd) {
        return switch (rnd.nextInt(3)) {
            case 0 -> F.numberNode(rnd.nextInt(21) - 10);
            case 1 -> F.numberNode((rnd.nextInt(41) - 20) / 4.0);
            default -> F.numberNode(10);
        };
    }

    private static String path(Random rnd) {
        int depth = 1 + rnd.nextInt(3);
        StringBuilder sb = new StringBuilder(KEYS[rnd.nextInt(KEYS.length)]);
        for (int i = 1; i < depth; i++) sb.append('.').append(KEYS[rnd.nextInt(KEYS.length)]);
        return sb.toString();
    }

    private static JsonNode filter(Random rnd, int depth) {
        if (depth < 3 && rnd.nextInt(3) == 0) {
            ObjectNode o = F.objectNode();
            ArrayNode children = o.putArray(List.of("AND", "OR", "NOT").get(rnd.nextInt(3)));
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) children.add(filter(rnd, depth + 1));
            return o;
        }
        FilterNode.Operator op = OPS[rnd.nextInt(OPS.length)];
        ObjectNode c = F.objectNode().put("field", path(rnd)).put("operator", op.wireName());
        c.set("value", switch (op) {
            case IN, NIN -> {
                ArrayNode a = F.arrayNode();
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) a.add(scalar(rnd));
                yield a;
            }
            case GT, GTE, LT, LTE -> rnd.nextBoolean() ? number(rnd) : F.textNode(WORDS[rnd.nextInt(WORDS.length)]);
            case STARTS_WITH, ENDS_WITH, CONTAINS -> F.textNode(fragment(rnd));
            case REGEX -> F.textNode(List.of(".*", "foo.*", ".*[0-9]", "[a-z]+", "東.*", "10|9", "(true|false)").get(rnd.nextInt(7)));
            case TEXT -> F.textNode(text(rnd));
            case EXISTS, IS_NULL -> F.booleanNode(rnd.nextBoolean());
            case EQ, NE -> scalar(rnd);
        });
        return c;
    }

    private static JsonNode scalar(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> number(rnd);
            case 1 -> F.booleanNode(rnd.nextBoolean());
            case 2 -> F.nullNode();
            default -> F.textNode(rnd.nextBoolean() ? text(rnd) : WORDS[rnd.nextInt(WORDS.length)]);
        };
    }

    private static String fragment(Random rnd) {
        // By code points: a lone surrogate has no UTF-8 form, so the index cannot hold or match one.
        int[] w = WORDS[rnd.nextInt(WORDS.length)].codePoints().toArray();
        if (w.length < 2 || rnd.nextBoolean()) return new String(w, 0, w.length);
        int from = rnd.nextInt(w.length - 1);
        return new String(w, from, 1 + rnd.nextInt(w.length - from - 1));
    }
}
