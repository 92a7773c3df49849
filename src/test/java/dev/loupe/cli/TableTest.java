package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    private static Table sample() {
        return new Table(List.of(Table.Column.number("SCORE"), Table.Column.fixed("ID"), Table.Column.flexible("DESCRIPTION"),
                Table.Column.fixed("URL")))
                .row(List.of("0.9000", "doc_1", "a red leather handbag with a gold clasp", "http://h/thumbnails/aa.jpg"))
                .row(List.of("0.1200", "doc_22", "blue", "http://h/thumbnails/bb.jpg"));
    }

    @Test
    void aWideTerminalShowsEveryCellWholeAndAligned() {
        List<String> lines = sample().render(200);
        assertEquals(" SCORE  ID      DESCRIPTION                              URL", lines.get(0));
        assertEquals("0.9000  doc_1   a red leather handbag with a gold clasp  http://h/thumbnails/aa.jpg", lines.get(1));
        assertTrue(lines.get(2).startsWith("0.1200  doc_22  blue "), lines.get(2));
        assertEquals(lines.get(0).indexOf("URL"), lines.get(2).indexOf("http"), "columns line up");
    }

    @Test
    void aNarrowTerminalCutsOnlyTheFreeTextColumn() {
        List<String> lines = sample().render(60);
        for (String l : lines) assertTrue(l.length() <= 60, l.length() + ": " + l);
        assertEquals(60, lines.get(1).length(), "as wide as the terminal, no wider");
        assertTrue(lines.get(1).contains("a red leather h…"), lines.get(1));
        assertTrue(lines.get(1).endsWith("http://h/thumbnails/aa.jpg"), "the URL is whole");
        assertTrue(lines.get(2).contains("doc_22"), "ids are whole");
    }

    @Test
    void whenNothingCanGiveWayTheLineStaysWideRatherThanCuttingIds() {
        List<String> lines = sample().render(10);
        assertTrue(lines.get(1).contains("doc_1") && lines.get(1).contains("http://h/thumbnails/aa.jpg"), lines.get(1));
        assertTrue(lines.get(1).contains("a red l…"), "free text down to its minimum: " + lines.get(1));
    }

    @Test
    void controlCharactersInCellsCannotReachTheTerminal() {
        Table t = new Table(List.of(Table.Column.flexible("NAME"))).row(List.of("evil\u001b[2Jname\r\nnext"));
        String line = t.render(80).get(1);
        assertFalse(line.chars().anyMatch(Character::isISOControl), line);
        assertEquals("evil [2Jname  next", line);
    }
}
