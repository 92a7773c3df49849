package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Request numbers read by the fast double parser are exactly the doubles the JDK reads. */
class JsonNumbersTest {
    @Test
    void requestNumbersParseToTheSameDoublesAsTheJdk() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<String> literals = new ArrayList<>(List.of("0", "-0.0", "1e-320", "4.9e-324", "1.7976931348623157e308", "2.2250738585072014E-308",
                "0.1", "-0.036123455", "123456789012345678901234567890", "9007199254740993.0", "1.00000000000000011102230246251565404236316680908203125"));
        for (int i = 0; i < 5000; i++) {
            literals.add(Float.toString((float) rnd.nextGaussian() * 0.05f)); // what a client sends as a query vector
            literals.add(Double.toString(Double.longBitsToDouble(rnd.nextLong()) % 1e300));
            literals.add(String.format(java.util.Locale.ROOT, "%.17g", rnd.nextDouble(-1, 1)));
        }
        literals.removeIf(l -> l.contains("NaN") || l.contains("Infinity"));
        JsonNode parsed = Json.parseRequest("[" + String.join(",", literals) + "]");
        for (int i = 0; i < literals.size(); i++) {
            assertEquals(Double.doubleToLongBits(Double.parseDouble(literals.get(i))), Double.doubleToLongBits(parsed.get(i).asDouble()), literals.get(i));
        }
    }
}
