package dev.loupe.index.lucene;

import dev.loupe.index.SortKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.SortedNumericSelector;
import org.apache.lucene.search.SortedNumericSortField;
import org.apache.lucene.search.SortedSetSelector;
import org.apache.lucene.search.SortedSetSortField;

/**
 * Sort keys as a Lucene {@link Sort}. A field sorts numerically when any document of the
 * collection holds a number there (the others then sort as missing), else by its terms in
 * code point order. A multi-valued field sorts ascending by its smallest value and descending
 * by its largest; missing values come last either way, ties go by document id.
 * {@code CandidateOps} sorts candidates by the same rule.
 */
final class Sorting {
    private Sorting() {
    }

    static Sort of(IndexSearcher searcher, List<SortKey> keys) {
        List<SortField> fields = new ArrayList<>();
        for (SortKey k : keys) fields.add(field(searcher, k));
        fields.add(new SortField(FieldSchema.ID, SortField.Type.STRING));
        return new Sort(fields.toArray(SortField[]::new));
    }

    private static SortField field(IndexSearcher searcher, SortKey key) {
        boolean numeric = false;
        for (var leaf : searcher.getIndexReader().leaves()) {
            if (leaf.reader().getFieldInfos().fieldInfo(FieldSchema.NUMBER + key.field()) != null) {
                numeric = true;
                break;
            }
        }
        if (numeric) {
            SortField f = new SortedNumericSortField(FieldSchema.NUMBER + key.field(), SortField.Type.DOUBLE, key.descending(),
                    key.descending() ? SortedNumericSelector.Type.MAX : SortedNumericSelector.Type.MIN);
            f.setMissingValue(key.descending() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
            return f;
        }
        SortField f = new SortedSetSortField(FieldSchema.STRING + key.field(), key.descending(),
                key.descending() ? SortedSetSelector.Type.MAX : SortedSetSelector.Type.MIN);
        f.setMissingValue(key.descending() ? SortField.STRING_FIRST : SortField.STRING_LAST);
        return f;
    }
}
