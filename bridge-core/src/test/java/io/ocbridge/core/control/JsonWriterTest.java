package io.ocbridge.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    private static String quoted(String s) {
        StringBuilder out = new StringBuilder();
        JsonWriter.quote(out, s);
        return out.toString();
    }

    @Test
    void escapesWhatRfc8259Requires() {
        assertEquals("\"a\\\"b\\\\c\"", quoted("a\"b\\c"));
        assertEquals("\"\\n\\r\\t\\b\\f\"", quoted("\n\r\t\b\f"));
        assertEquals("\"\\u0000\\u001f\\u007f\"", quoted("\u0000\u001f\u007f"));
        assertEquals("\"/ stays\"", quoted("/ stays"));
    }

    @Test
    void escapesLineSeparatorsAndLoneSurrogatesButKeepsPairs() {
        assertEquals("\"\\u2028\\u2029\"", quoted("\u2028\u2029"));
        assertEquals("\"\\ud800x\\udc00\"", quoted("\ud800x\udc00"));
        assertEquals("\"caf\u00e9 \ud83d\ude00\"", quoted("caf\u00e9 \ud83d\ude00"));
    }

    @Test
    void placesCommasAndNests() {
        String json = new JsonWriter().beginObject()
                .name("a").value(1)
                .name("b").beginArray().value("x").value(true).value((String) null).beginObject().endObject().endArray()
                .name("c").value(-5)
                .endObject().toString();
        assertEquals("{\"a\":1,\"b\":[\"x\",true,null,{}],\"c\":-5}", json);
    }

    @Test
    void readerRoundTripsEveryCharacterClass() {
        String nasty = "q\"b\\s/\n\r\t\b\f\u0001\u007f\u2028 caf\u00e9 \ud83d\ude00";
        String json = new JsonWriter().beginObject().name(nasty).value(nasty).endObject().toString();
        assertEquals(Map.of(nasty, nasty), JsonReader.parse(json));
    }

    @Test
    void readerParsesTypes() {
        assertEquals(List.of(1L, -2L, 1.5, true, false, "\u00e9"),
                JsonReader.parse(" [1, -2, 1.5, true, false, \"\\u00e9\"] "));
        assertEquals(java.util.Collections.singletonMap("n", null), JsonReader.parse("{\"n\":null}"));
    }

    @Test
    void readerRejectsMalformedInputWithOffsets() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "\"unterminated", "tru", "[1] x", "\"\u0001\"",
                "\"\\x\"", "[".repeat(100)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
            assertEquals(true, e.getMessage().startsWith("at offset "), e.getMessage());
        }
    }

    @Test
    void unbalancedWriterFails() {
        assertThrows(IllegalStateException.class, () -> new JsonWriter().endObject());
    }
}
