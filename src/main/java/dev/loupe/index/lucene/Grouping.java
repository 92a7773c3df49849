package dev.loupe.index.lucene;

import dev.loupe.index.GroupPage;
import dev.loupe.index.GroupValue;
import dev.loupe.index.GroupRequest;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.SortKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.NumericUtils;

/**
 * Groups the matching documents by a field's values: counted from doc values without loading
 * a document, then one sorted search per group of the page for its first documents.
 */
final class Grouping {
    private final CollectionIndexes indexes;

    Grouping(CollectionIndexes indexes) {
        this.indexes = indexes;
    }

    GroupPage group(String collectionId, GroupRequest r) {
        Query query = LuceneFilter.toQuery(r.filter());
        return indexes.search(collectionId, s -> {
            Map<GroupValue, Long> counts = new HashMap<>();
            long grouped = countGroups(s, query, r.field(), r.maxGroups(), counts);
            long nulls = s.count(both(query, members(new GroupValue.Null(), r.field())));
            if (nulls > 0) counts.put(new GroupValue.Null(), nulls);
            if (counts.size() > r.maxGroups()) throw tooManyGroups(r.field(), r.maxGroups());
            SortKey first = r.sort().isEmpty() ? null : r.sort().getFirst();
            boolean descending = first != null && first.field().equals(r.field()) && first.descending();
            List<GroupValue> keys = counts.keySet().stream().sorted(GroupValue.order(descending)).toList();
            Sort sort = Sorting.of(s, r.sort());
            DocumentLoader loader = new DocumentLoader(s, collectionId);
            List<GroupPage.Group> page = new ArrayList<>();
            int from = Math.min(r.offset(), keys.size());
            int to = (int) Math.min(keys.size(), (long) from + r.limit());
            for (GroupValue key : keys.subList(from, to)) {
                TopDocs top = s.search(both(query, members(key, r.field())), r.perGroup(), sort);
                List<IndexedDocument> docs = new ArrayList<>();
                for (ScoreDoc sd : top.scoreDocs) docs.add(loader.load(sd.doc));
                page.add(new GroupPage.Group(key.json(docs.getFirst(), r.field()), counts.get(key), docs));
            }
            return new GroupPage(page, keys.size(), grouped + nulls);
        });
    }

    private static IllegalArgumentException tooManyGroups(String field, int maxGroups) {
        return new IllegalArgumentException("'" + field + "' has more than " + maxGroups + " distinct values among the documents; filter them first");
    }

    /**
     * Counts, into {@code counts}, the matching documents per string and number value of
     * {@code field}, read from doc values without loading the documents.
     *
     * @return how many matching documents hold at least one such value
     */
    private static long countGroups(IndexSearcher s, Query query, String field, int maxGroups, Map<GroupValue, Long> counts) throws IOException {
        Weight weight = s.createWeight(s.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1);
        long grouped = 0;
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Scorer scorer = weight.scorer(leaf);
            if (scorer == null) continue;
            SortedSetDocValues strings = DocValues.getSortedSet(leaf.reader(), FieldSchema.STRING + field);
            SortedNumericDocValues numbers = DocValues.getSortedNumeric(leaf.reader(), FieldSchema.NUMBER + field);
            // Per term ordinal while scanning: the terms are looked up once per segment, not once per document.
            long[] perTerm = new long[Math.toIntExact(strings.getValueCount())];
            Bits live = leaf.reader().getLiveDocs();
            DocIdSetIterator docs = scorer.iterator();
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if (live != null && !live.get(doc)) continue;
                boolean any = false;
                if (strings.advanceExact(doc)) {
                    any = true;
                    for (int i = 0; i < strings.docValueCount(); i++) perTerm[(int) strings.nextOrd()]++;
                }
                if (numbers.advanceExact(doc)) {
                    any = true;
                    long previous = 0;
                    for (int i = 0; i < numbers.docValueCount(); i++) {
                        long v = numbers.nextValue();
                        // Sorted, so a value an array holds twice comes twice in a row; the document counts once.
                        if (i > 0 && v == previous) continue;
                        previous = v;
                        counts.merge(new GroupValue.Number(NumericUtils.sortableLongToDouble(v)), 1L, Long::sum);
                    }
                }
                if (any) grouped++;
                if (counts.size() > maxGroups) throw tooManyGroups(field, maxGroups);
            }
            SortedSetDocValues terms = DocValues.getSortedSet(leaf.reader(), FieldSchema.STRING + field);
            for (int ord = 0; ord < perTerm.length; ord++) {
                if (perTerm[ord] > 0) counts.merge(new GroupValue.Text(terms.lookupOrd(ord).utf8ToString()), perTerm[ord], Long::sum);
            }
            if (counts.size() > maxGroups) throw tooManyGroups(field, maxGroups);
        }
        return grouped;
    }

    private static Query both(Query a, Query b) {
        return new BooleanQuery.Builder().add(a, BooleanClause.Occur.FILTER).add(b, BooleanClause.Occur.FILTER).build();
    }

    /** The documents holding {@code value} at {@code field}. */
    private static Query members(GroupValue value, String field) {
        return switch (value) {
            case GroupValue.Number n -> DoubleField.newExactQuery(FieldSchema.NUMBER + field, n.value());
            case GroupValue.Text t -> new TermQuery(new Term(FieldSchema.STRING + field, t.value()));
            case GroupValue.Null n -> new TermQuery(new Term(FieldSchema.NULL, field));
        };
    }
}
