package org.jgluon.gluon;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gluon's keyword arguments in Java, and the bridge for JavaScript options objects.
 *
 * <p>{@code Kwargs.kw("kernel_size", 11, "strides", 4)} is Python's {@code kernel_size=11, strides=4};
 * {@code Kwargs.of(map)} takes a converted JS object. Keys are normalised from camelCase to
 * snake_case ({@code kernelSize} → {@code kernel_size}), so both spellings work. Values may be
 * Numbers (Integer, Long, Double, ...), Strings, Booleans, Lists, Java arrays, or jgluon objects
 * (an {@code Initializer}, ...). A {@code null} value is Python's {@code None}: the getter
 * returns its default.
 *
 * <p>Every block validates its names with {@link #check}, so a typo is an error with a
 * did-you-mean instead of a silently ignored option.
 */
public final class Kwargs {

    private static final Kwargs EMPTY = new Kwargs(Map.of());

    private final Map<String, Object> values;

    private Kwargs(Map<String, Object> values) {
        this.values = values;
    }

    /** No options. */
    public static Kwargs empty() {
        return EMPTY;
    }

    /** Alternating names and values: {@code kw("kernel_size", 3, "padding", 1)}. */
    public static Kwargs kw(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("Kwargs.kw: want name, value pairs, got an odd number ("
                    + keyValues.length + ") of arguments");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (!(keyValues[i] instanceof String key)) {
                throw new IllegalArgumentException("Kwargs.kw: argument " + i + " must be an option name (a String), got "
                        + describe(keyValues[i]));
            }
            put(m, key, keyValues[i + 1]);
        }
        return new Kwargs(Collections.unmodifiableMap(m));
    }

    /** The options of a map (a converted JavaScript object); insertion order is kept. */
    public static Kwargs of(Map<String, ?> map) {
        if (map == null || map.isEmpty()) return EMPTY;
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : map.entrySet()) put(m, e.getKey(), e.getValue());
        return new Kwargs(Collections.unmodifiableMap(m));
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        String k = snakeCase(key);
        if (m.containsKey(k)) {
            throw new IllegalArgumentException("option '" + k + "' is given twice (as '" + key + "' and another spelling)");
        }
        m.put(k, value);
    }

    /** {@code kernelSize} → {@code kernel_size}; names already in snake_case are unchanged. */
    public static String snakeCase(String name) {
        StringBuilder b = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && name.charAt(i - 1) != '_') b.append('_');
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A copy with one more option (or one replaced). */
    public Kwargs with(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.put(snakeCase(key), value);
        return new Kwargs(Collections.unmodifiableMap(m));
    }

    /** True when the option is given and not null (None). */
    public boolean has(String key) {
        return values.get(key) != null;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public Map<String, Object> asMap() {
        return values;
    }

    /** The raw value, or {@code def} when absent or null. */
    public Object get(String key, Object def) {
        Object v = values.get(key);
        return v == null ? def : v;
    }

    public Object get(String key) {
        return values.get(key);
    }

    /** A value of a given type (an Initializer, a scheduler, ...), or {@code def}. */
    public <T> T get(String key, Class<T> type, T def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("option '" + key + "' must be a " + type.getSimpleName() + ", got " + describe(v));
        }
        return type.cast(v);
    }

    public int getInt(String key, int def) {
        Object v = values.get(key);
        return v == null ? def : toInt(key, v);
    }

    public long getLong(String key, long def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Number n && isIntegral(n)) return n.longValue();
        throw new IllegalArgumentException("option '" + key + "' must be an integer, got " + describe(v));
    }

    public double getDouble(String key, double def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("option '" + key + "' must be a number, got " + describe(v));
    }

    public float getFloat(String key, float def) {
        return (float) getDouble(key, def);
    }

    public boolean getBool(String key, boolean def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException("option '" + key + "' must be true or false, got " + describe(v));
    }

    public String getString(String key, String def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof String s) return s;
        if (v instanceof Character c) return c.toString();
        throw new IllegalArgumentException("option '" + key + "' must be a string, got " + describe(v));
    }

    /** An int or a 2-element list/array, as Gluon's {@code kernel_size=3} or {@code (3, 5)}; {@code def} expands to a pair. */
    public int[] getIntPair(String key, int def) {
        return getIntPair(key, new int[] {def, def});
    }

    /** As {@link #getIntPair(String, int)} with a pair default, which may be null (None). */
    public int[] getIntPair(String key, int[] def) {
        Object v = values.get(key);
        if (v == null) return def == null ? null : def.clone();
        if (v instanceof Number) {
            int n = toInt(key, v);
            return new int[] {n, n};
        }
        List<Object> items = asList(v);
        if (items == null || items.size() != 2) {
            throw new IllegalArgumentException("option '" + key + "' must be an integer or a pair of integers, got " + describe(v));
        }
        return new int[] {toInt(key, items.get(0)), toInt(key, items.get(1))};
    }

    /** A list of ints (a list, an array, or a single int), e.g. a scheduler's steps; {@code def} when absent. */
    public int[] getIntList(String key, int[] def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Number) return new int[] {toInt(key, v)};
        List<Object> items = asList(v);
        if (items == null) throw new IllegalArgumentException("option '" + key + "' must be a list of integers, got " + describe(v));
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) out[i] = toInt(key, items.get(i));
        return out;
    }

    /** A list of floats (or a single number), e.g. Normalize's mean; {@code def} when absent. */
    public float[] getFloatList(String key, float[] def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Number n) return new float[] {n.floatValue()};
        List<Object> items = asList(v);
        if (items == null) throw new IllegalArgumentException("option '" + key + "' must be a list of numbers, got " + describe(v));
        float[] out = new float[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(items.get(i) instanceof Number n)) {
                throw new IllegalArgumentException("option '" + key + "' must be a list of numbers, item " + i + " is " + describe(items.get(i)));
            }
            out[i] = n.floatValue();
        }
        return out;
    }

    /**
     * Rejects option names not in {@code allowed}, suggesting the nearest one:
     * {@code nn.Conv2D: unknown option 'kernal_size' — did you mean 'kernel_size'? Options: ...}.
     */
    public Kwargs check(String owner, String... allowed) {
        for (String k : values.keySet()) {
            boolean ok = false;
            for (String a : allowed) ok |= a.equals(k);
            if (ok) continue;
            String best = null;
            int bestDist = Integer.MAX_VALUE;
            for (String a : allowed) {
                int d = editDistance(k, a);
                if (d < bestDist) {
                    bestDist = d;
                    best = a;
                }
            }
            StringBuilder msg = new StringBuilder(owner).append(": unknown option '").append(k).append('\'');
            if (best != null && bestDist <= Math.max(2, k.length() / 3)) {
                msg.append(" \u2014 did you mean '").append(best).append("'?");
            }
            msg.append(" Options: ").append(allowed.length == 0 ? "(none)" : String.join(", ", allowed));
            throw new IllegalArgumentException(msg.toString());
        }
        return this;
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static int toInt(String key, Object v) {
        if (v instanceof Number n && isIntegral(n)) {
            long l = n.longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return (int) l;
        }
        throw new IllegalArgumentException("option '" + key + "' must be an integer, got " + describe(v));
    }

    private static boolean isIntegral(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d);
        }
        return true;
    }

    /** A List, Object[] or primitive array as a list; null for anything else. */
    private static List<Object> asList(Object v) {
        if (v instanceof List<?> l) return new ArrayList<>(l);
        if (v != null && v.getClass().isArray()) {
            int n = Array.getLength(v);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(Array.get(v, i));
            return out;
        }
        return null;
    }

    private static String describe(Object v) {
        if (v == null) return "None";
        if (v instanceof String s) return "'" + s + "'";
        if (v.getClass().isArray()) return asList(v) + " (" + v.getClass().getSimpleName() + ")";
        return v + " (" + v.getClass().getSimpleName() + ")";
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
