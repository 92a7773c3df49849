package dev.loupe.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexSettingsTest {
    @Test
    void theEmbeddedIndexIsTheDefault() {
        assertEquals(IndexSettings.Engine.LUCENE, Settings.from(new String[0], Map.of()).index().engine());
    }

    @Test
    void solrTakesItsNodesAndLayoutFromFlagsOrEnvironment() {
        IndexSettings s = Settings.from(new String[] {"--index", "solr", "--solr-url", "http://a:8983/solr, http://b:8983/solr",
                "--solr-shards", "3"}, Map.of("LOUPE_SOLR_REPLICAS", "1")).index();
        assertEquals(IndexSettings.Engine.SOLR, s.engine());
        assertEquals(List.of("http://a:8983/solr", "http://b:8983/solr"), s.solrUrls());
        assertEquals(3, s.shards());
        assertEquals(1, s.replicas());
    }

    @Test
    void solrWithoutNodesOrWithAnUnknownEngineIsRefusedWithTheFlagNamed() {
        IllegalArgumentException noUrl = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(new String[] {"--index", "solr"}, Map.of()));
        assertTrue(noUrl.getMessage().contains("--solr-url"), noUrl.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(new String[] {"--index", "elastic"}, Map.of()));
        assertTrue(unknown.getMessage().contains("lucene or solr"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Settings.from(new String[] {"--index", "solr", "--solr-url", "http://a/solr", "--solr-replicas", "0"}, Map.of()));
    }
}
