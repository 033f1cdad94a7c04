package org.corvid.web.api;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON-P values as plain Java (maps, lists, strings, longs, doubles, booleans, null), for JSON-B and pages. */
final class JsonValues {
    private JsonValues() {
    }

    static Object plain(JsonValue v) {
        switch (v.getValueType()) {
            case OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                ((JsonObject) v).forEach((k, x) -> m.put(k, plain(x)));
                return m;
            }
            case ARRAY -> {
                List<Object> l = new ArrayList<>();
                ((JsonArray) v).forEach(x -> l.add(plain(x)));
                return l;
            }
            case STRING -> {
                return ((JsonString) v).getString();
            }
            case NUMBER -> {
                JsonNumber n = (JsonNumber) v;
                return n.isIntegral() ? (Object) n.longValue() : (Object) n.doubleValue();
            }
            case TRUE -> {
                return Boolean.TRUE;
            }
            case FALSE -> {
                return Boolean.FALSE;
            }
            default -> {
                return null;
            }
        }
    }
}
