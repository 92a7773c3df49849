package dev.loupe.index.lucene;

import dev.loupe.filter.FilterNode;
import dev.loupe.index.ScoredDocument;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/** BM25 over the analysed {@code t.} fields: one term query per word and field, summed over fields. */
final class LexicalSearch {
    private final CollectionIndexes indexes;

    LexicalSearch(CollectionIndexes indexes) {
        this.indexes = indexes;
    }

    List<ScoredDocument> search(String collectionId, List<String> fields, String text, boolean matchAll, int k, FilterNode filter) {
        Set<String> words = new LinkedHashSet<>(FieldSchema.analyze(text));
        if (words.isEmpty()) return List.of();
        return indexes.search(collectionId, s -> {
            List<String> targets = fields.isEmpty() ? textFields(s) : fields.stream().map(f -> FieldSchema.TEXT + f).toList();
            BooleanQuery.Builder query = new BooleanQuery.Builder();
            for (String word : words) {
                BooleanQuery.Builder inAnyField = new BooleanQuery.Builder();
                for (String f : targets) inAnyField.add(new TermQuery(new Term(f, word)), BooleanClause.Occur.SHOULD);
                query.add(inAnyField.build(), matchAll ? BooleanClause.Occur.MUST : BooleanClause.Occur.SHOULD);
            }
            // With a FILTER clause beside them, SHOULD clauses turn optional unless one is required.
            if (!matchAll) query.setMinimumNumberShouldMatch(1);
            if (!(filter instanceof FilterNode.All)) query.add(LuceneFilter.toQuery(filter), BooleanClause.Occur.FILTER);
            TopDocs top = s.search(query.build(), k);
            DocumentLoader loader = new DocumentLoader(s, collectionId);
            List<ScoredDocument> hits = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) hits.add(new ScoredDocument(loader.load(sd.doc), sd.score));
            return hits;
        });
    }

    /** Every analysed text field present in the index. */
    private static List<String> textFields(IndexSearcher searcher) {
        Set<String> out = new TreeSet<>();
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            for (FieldInfo info : leaf.reader().getFieldInfos()) {
                if (info.name.startsWith(FieldSchema.TEXT)) out.add(info.name);
            }
        }
        return List.copyOf(out);
    }
}
