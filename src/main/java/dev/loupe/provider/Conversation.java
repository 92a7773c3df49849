package dev.loupe.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import dev.loupe.api.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The exchange every vision model has, whatever its protocol: the instruction (with the
 * reply's form spelled out) and the images in one user turn; for a JSON shape, the reply
 * parsed and checked; when it fails, the model's reply and a user turn quoting the error, once.
 */
final class Conversation {
    /** Characters of a rejected reply quoted in an exception. */
    private static final int QUOTED_REPLY_CHARS = 300;

    private Conversation() {}

    /** A turn in the conversation; only the first user turn carries images (base64 JPEG). */
    sealed interface Turn {
        record User(String text, List<String> jpegs) implements Turn {
        }

        record Model(String text) implements Turn {
        }
    }

    /** What a protocol's reply said. */
    record Answer(String text, Usage usage) {
    }

    /** One provider's spelling of requests and replies. */
    interface Dialect {
        URI endpoint();

        /** Authentication headers. */
        Map<String, String> headers();

        ObjectNode request(List<Turn> turns, ResponseShape shape, GenerationConfig config);

        /** @throws ProviderException when the reply holds no answer (a refusal, a blocked prompt, no candidates) */
        Answer read(JsonNode response);
    }

    static Reply generate(String provider, Transport transport, Dialect dialect, Prompt prompt, int maxImageSide) {
        List<String> jpegs = prompt.images().stream().map(i -> InlineJpeg.base64(i, maxImageSide)).toList();
        List<Turn> turns = new ArrayList<>(List.of(new Turn.User(prompt.instruction() + instructions(prompt.shape()), jpegs)));
        JsonSchema schema = prompt.shape() instanceof ResponseShape.Schema s ? SchemaCheck.compile(s.jsonSchema()) : null;
        int attempts = 0;
        Usage usage = Usage.NONE;
        String problem = null;
        for (int turn = 0; turn < 2; turn++) {
            Transport.Response response = transport.post(dialect.endpoint(), dialect.headers(), dialect.request(turns, prompt.shape(), prompt.config()));
            attempts += response.attempts();
            Answer answer = dialect.read(response.body());
            usage = usage.plus(answer.usage());
            Checked checked = check(answer.text(), prompt.shape(), schema);
            if (checked.problem() == null) return new Reply(answer.text(), checked.json(), usage, attempts);
            problem = checked.problem();
            turns.add(new Turn.Model(answer.text()));
            turns.add(new Turn.User(retryInstruction(problem), List.of()));
        }
        throw new ProviderException(provider, "the reply was rejected twice; the second time: " + problem);
    }

    /** How the reply's form is asked for in words; each protocol also sets its JSON mode or schema. */
    static String instructions(ResponseShape shape) {
        return switch (shape) {
            case ResponseShape.Text t -> "";
            case ResponseShape.Schema s -> "\n\nAnswer with only a JSON object (no prose, no code fence) that conforms to this JSON Schema:\n"
                    + Json.write(s.jsonSchema());
            case ResponseShape.Described d -> "\n\nAnswer with only a JSON object (no prose, no code fence) with these fields: " + d.fields();
        };
    }

    static String retryInstruction(String problem) {
        return "Your reply was rejected: " + problem + "\nAnswer again with only the corrected JSON object.";
    }

    record Checked(ObjectNode json, String problem) {
    }

    /** Parses and validates a reply; {@code problem} says what is wrong, in words the model can act on. */
    static Checked check(String text, ResponseShape shape, JsonSchema schema) {
        if (shape instanceof ResponseShape.Text) return new Checked(null, null);
        String body = unfenced(text);
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return new Checked(null, "it is not valid JSON (" + e.getOriginalMessage() + "): " + quote(text));
        }
        if (!(json instanceof ObjectNode object)) {
            return new Checked(null, "it is not a JSON object: " + quote(text));
        }
        if (shape instanceof ResponseShape.Schema s) {
            SchemaCheck.dropOptionalNulls(s.jsonSchema(), object);
            List<String> violations = SchemaCheck.violations(schema, object);
            if (!violations.isEmpty()) return new Checked(null, "it does not conform to the schema: " + String.join("; ", violations));
        }
        return new Checked(object, null);
    }

    /** Models asked for bare JSON still wrap it in a Markdown fence now and then. */
    private static String unfenced(String text) {
        String t = text.strip();
        if (!t.startsWith("```")) return t;
        int firstLine = t.indexOf('\n');
        if (firstLine < 0 || !t.endsWith("```")) return t;
        return t.substring(firstLine + 1, t.length() - 3).strip();
    }

    private static String quote(String text) {
        return text.length() <= QUOTED_REPLY_CHARS ? text : text.substring(0, QUOTED_REPLY_CHARS) + "…";
    }
}
