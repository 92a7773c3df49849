package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Validates JSON against a component schema of Mixpeek's OpenAPI document in ../shared/reference. */
public final class OpenApi {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private OpenApi() {}

    public static Set<ValidationMessage> validate(String component, JsonNode json) {
        JsonSchema schema = SCHEMAS.computeIfAbsent(component, c -> FACTORY.getSchema(
                SchemaLocation.of(Fixtures.openApi().toAbsolutePath().toUri() + "#/components/schemas/" + c)));
        return schema.validate(json);
    }

    public static void assertConforms(String component, JsonNode json) {
        Set<ValidationMessage> errors = validate(component, json);
        if (!errors.isEmpty()) fail(component + " violations: " + errors + "\nin: " + json);
    }
}
