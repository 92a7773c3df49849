package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BodyChoiceTest {
    enum Fusion { RRF, WEIGHTED, MAX }

    @Test
    void aChoiceIsReadInAnyCaseAndDefaultsWhenAbsent() {
        assertEquals(Fusion.WEIGHTED, Body.of(Json.read("{\"fusion\": \"Weighted\"}"), "p").choice("fusion", Fusion.RRF));
        assertEquals(Fusion.RRF, Body.of(Json.read("{}"), "p").choice("fusion", Fusion.RRF));
        assertEquals("max", Body.wireName(Fusion.MAX));
    }

    @Test
    void anUnknownChoiceNamesTheFieldAndTheChoices() {
        LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class,
                () -> Body.of(Json.read("{\"fusion\": \"average\"}"), "p").choice("fusion", Fusion.RRF));
        assertEquals("p.fusion", e.field());
        assertEquals("p.fusion: must be one of [rrf, weighted, max], got 'average'", e.getMessage());
        assertThrows(LoupeException.Invalid.class, () -> Body.of(Json.read("{\"fusion\": 3}"), "p").choice("fusion", Fusion.RRF));
    }
}
