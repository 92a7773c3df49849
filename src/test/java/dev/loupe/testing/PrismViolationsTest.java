package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Prism's {@code sl-violations} header, as Prism 5 writes it, read into violations that know their side of the exchange. */
class PrismViolationsTest {
    @Test
    void theHeaderIsReadIntoRequestAndResponseViolations() {
        List<Prism.Violation> vs = Prism.violations("""
                [{"location":["request","body"],"severity":"Error","code":"required","message":"Request body must have required property 'bucket_schema'"},
                 {"location":["response","body","feature_extractors","0"],"severity":"Error","code":"required",
                  "message":"Response body property feature_extractors.0 must have required property 'feature_extractor_id'"},
                 {"location":["response"],"severity":"Warning","message":"Unable to match the returned status code"}]""");
        assertEquals(3, vs.size());
        assertFalse(vs.get(0).inResponse());
        assertEquals("request.body", vs.get(0).location());
        assertTrue(vs.get(1).inResponse());
        assertEquals("response.body.feature_extractors.0", vs.get(1).location());
        assertEquals("Error", vs.get(1).severity());
        assertEquals("Warning", vs.get(2).severity());
        assertEquals("", vs.get(2).code(), "a violation without a code");
    }

    @Test
    void noHeaderIsNoViolation() {
        assertTrue(Prism.violations(null).isEmpty());
        assertTrue(Prism.violations("[]").isEmpty());
    }
}
