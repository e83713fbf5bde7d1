package org.jgluon.repl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code parse_args({epochs: 10, lr: 0.01, out: ''})} for scripts: {@code --key value},
 * {@code --key=value}, {@code --flag} / {@code --no-flag} for booleans. The type of each option
 * comes from its default (an integer default takes integers only); a descriptor
 * {@code {default: 10, min: 1, max: 100, choices: [...], type: 'float', help: '...'}} adds checks.
 * {@code --batch-size}, {@code --batch_size} and {@code --batchSize} all set {@code batch_size}.
 */
final class ScriptArgs {

    /** A bad command line: the message says which flag and what was expected. */
    static final class UsageException extends RuntimeException {
        final String usage;

        UsageException(String message, String usage) {
            super(message);
            this.usage = usage;
        }
    }

    /** {@code --help}: the runner prints the usage and exits 0. */
    static final class HelpRequested extends RuntimeException {
        HelpRequested(String usage) {
            super(usage, null, false, false);
        }
    }

    enum Type { INT, FLOAT, STRING, BOOL }

    record Option(String key, Type type, Object defaultValue, Double min, Double max, List<Object> choices,
                  String help, boolean required) {}

    private final String program;
    private final List<Option> options;

    ScriptArgs(String program, List<Option> options) {
        this.program = program;
        this.options = options;
    }

    /** Builds the option list from a spec map (key → default or descriptor map). */
    static ScriptArgs fromSpec(String program, Map<String, Object> spec) {
        List<Option> opts = new ArrayList<>();
        for (Map.Entry<String, Object> e : spec.entrySet()) {
            opts.add(option(e.getKey(), e.getValue()));
        }
        return new ScriptArgs(program, opts);
    }

    @SuppressWarnings("unchecked")
    private static Option option(String key, Object spec) {
        Object def = spec;
        Double min = null, max = null;
        List<Object> choices = null;
        String help = null;
        String typeName = null;
        boolean required = false;
        if (spec instanceof Map<?, ?> d) {
            Map<String, Object> m = (Map<String, Object>) d;
            for (String k : m.keySet()) {
                if (!List.of("default", "min", "max", "choices", "help", "type", "required").contains(k)) {
                    throw new IllegalArgumentException("parse_args: option '" + key + "' has an unknown field '" + k
                            + "'; fields: default, type, min, max, choices, help, required");
                }
            }
            def = m.get("default");
            min = m.get("min") instanceof Number n ? n.doubleValue() : null;
            max = m.get("max") instanceof Number n ? n.doubleValue() : null;
            choices = m.get("choices") instanceof List<?> l ? (List<Object>) l : null;
            help = m.get("help") == null ? null : String.valueOf(m.get("help"));
            typeName = m.get("type") == null ? null : String.valueOf(m.get("type"));
            required = Boolean.TRUE.equals(m.get("required"));
        }
        Type type;
        if (typeName != null) {
            type = switch (typeName.toLowerCase(Locale.ROOT)) {
                case "int", "integer" -> Type.INT;
                case "float", "number", "double" -> Type.FLOAT;
                case "string", "str" -> Type.STRING;
                case "bool", "boolean" -> Type.BOOL;
                default -> throw new IllegalArgumentException("parse_args: option '" + key + "' has type '" + typeName
                        + "'; use 'int', 'float', 'string' or 'bool'");
            };
        } else if (def instanceof Integer || def instanceof Long) {
            type = Type.INT;
        } else if (def instanceof Number) {
            type = Type.FLOAT;
        } else if (def instanceof Boolean) {
            type = Type.BOOL;
        } else {
            type = Type.STRING;
        }
        if (type == Type.FLOAT && def instanceof Number n) {
            def = n.doubleValue();
        }
        if (type == Type.INT && def instanceof Number n) {
            def = n.longValue() == n.intValue() ? (Object) n.intValue() : (Object) n.longValue();
        }
        return new Option(key, type, def, min, max, choices, help, required);
    }

    /** Flag spelling → the spec key it sets: {@code batch-size}, {@code batchSize} → {@code batch_size}. */
    static String normalise(String name) {
        return HostMembers.snake(name.replace('-', '_'));
    }

    /** Parses {@code argv}: the values by key, plus {@code _} for the positional arguments. */
    Map<String, Object> parse(List<String> argv) {
        Map<String, Option> byName = new LinkedHashMap<>();
        for (Option o : options) {
            byName.put(normalise(o.key()), o);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Option o : options) {
            values.put(o.key(), o.defaultValue());
        }
        List<String> positional = new ArrayList<>();
        List<String> given = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) {
                positional.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
            if ((a.equals("--help") || a.equals("-h")) && !byName.containsKey("help")) {
                throw new HelpRequested(usage());
            }
            if (!a.startsWith("--") || a.length() == 2) {
                if (a.startsWith("-") && a.length() > 1 && !isNumber(a)) {
                    throw usage("unknown option " + a + " (options are written --name value)");
                }
                positional.add(a);
                continue;
            }
            String body = a.substring(2);
            String inline = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                inline = body.substring(eq + 1);
                body = body.substring(0, eq);
            }
            String name = normalise(body);
            Option o = byName.get(name);
            if (o == null && name.startsWith("no_") && inline == null) {
                Option neg = byName.get(name.substring(3));
                if (neg != null && neg.type() == Type.BOOL) {
                    values.put(neg.key(), false);
                    given.add(neg.key());
                    continue;
                }
            }
            if (o == null) {
                throw usage("unknown option --" + body + didYouMean(name, byName.keySet()));
            }
            String raw;
            if (inline != null) {
                raw = inline;
            } else if (o.type() == Type.BOOL) {
                if (i + 1 < argv.size() && isBoolWord(argv.get(i + 1))) {
                    raw = argv.get(++i);
                } else {
                    raw = "true";
                }
            } else {
                if (i + 1 >= argv.size()) {
                    throw usage("--" + flag(o) + " needs a value (" + describe(o) + ")");
                }
                raw = argv.get(++i);
            }
            values.put(o.key(), convert(o, raw));
            given.add(o.key());
        }
        for (Option o : options) {
            if (o.required() && !given.contains(o.key())) {
                throw usage("--" + flag(o) + " is required (" + describe(o) + ")");
            }
        }
        values.put("_", positional);
        return values;
    }

    private Object convert(Option o, String raw) {
        Object v;
        switch (o.type()) {
            case INT -> {
                try {
                    v = Integer.parseInt(raw.trim());
                } catch (NumberFormatException e) {
                    String hint = isNumber(raw) ? " (for fractions declare {default: ..., type: 'float'})" : "";
                    throw usage("--" + flag(o) + " expects an integer, got '" + raw + "'" + hint);
                }
            }
            case FLOAT -> {
                try {
                    double d = Double.parseDouble(raw.trim());
                    if (!Double.isFinite(d)) {
                        throw new NumberFormatException();
                    }
                    v = d;
                } catch (NumberFormatException e) {
                    throw usage("--" + flag(o) + " expects a number, got '" + raw + "'");
                }
            }
            case BOOL -> {
                if (!isBoolWord(raw)) {
                    throw usage("--" + flag(o) + " expects true or false, got '" + raw + "'");
                }
                v = raw.equalsIgnoreCase("true") || raw.equals("1") || raw.equalsIgnoreCase("yes");
            }
            default -> v = raw;
        }
        if (v instanceof Number n) {
            if (o.min() != null && n.doubleValue() < o.min()) {
                throw usage("--" + flag(o) + " must be at least " + num(o.min()) + ", got " + raw);
            }
            if (o.max() != null && n.doubleValue() > o.max()) {
                throw usage("--" + flag(o) + " must be at most " + num(o.max()) + ", got " + raw);
            }
        }
        if (o.choices() != null) {
            boolean ok = false;
            for (Object c : o.choices()) {
                ok |= String.valueOf(c).equals(raw) || (c instanceof Number cn && v instanceof Number vn
                        && cn.doubleValue() == vn.doubleValue());
            }
            if (!ok) {
                throw usage("--" + flag(o) + " must be one of " + o.choices() + ", got '" + raw + "'");
            }
        }
        return v;
    }

    private static boolean isBoolWord(String s) {
        return List.of("true", "false", "yes", "no", "1", "0").contains(s.toLowerCase(Locale.ROOT));
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String flag(Option o) {
        return o.key().replace('_', '-');
    }

    private static String describe(Option o) {
        String t = switch (o.type()) {
            case INT -> "an integer";
            case FLOAT -> "a number";
            case BOOL -> "true or false";
            case STRING -> "text";
        };
        if (o.min() != null || o.max() != null) {
            t += " in [" + (o.min() == null ? "" : num(o.min())) + ", " + (o.max() == null ? "" : num(o.max())) + "]";
        }
        return t;
    }

    private UsageException usage(String message) {
        return new UsageException(message, usage());
    }

    /** The usage text printed for {@code --help} and after a usage error. */
    String usage() {
        StringBuilder b = new StringBuilder("usage: jgluon ").append(program);
        for (Option o : options) {
            b.append(" [--").append(flag(o)).append(o.type() == Type.BOOL ? "" : " " + o.type().name()).append(']');
        }
        b.append("\noptions:");
        for (Option o : options) {
            b.append("\n  --").append(flag(o));
            if (o.type() == Type.BOOL) {
                b.append(" / --no-").append(flag(o));
            }
            b.append("  ").append(describe(o));
            if (o.defaultValue() != null && !"".equals(o.defaultValue())) {
                b.append(", default ").append(o.defaultValue());
            }
            if (o.choices() != null) {
                b.append(", one of ").append(o.choices());
            }
            if (o.help() != null) {
                b.append(" — ").append(o.help());
            }
        }
        return b.toString();
    }

    static String didYouMean(String name, Iterable<String> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        StringBuilder all = new StringBuilder();
        for (String k : known) {
            int d = distance(name, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
            all.append(all.isEmpty() ? "" : ", ").append("--").append(k.replace('_', '-'));
        }
        String s = best != null && bestD <= Math.max(2, name.length() / 3)
                ? " — did you mean --" + best.replace('_', '-') + "?" : "";
        return s + (all.isEmpty() ? " (this script takes no options)" : " (options: " + all + ")");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
