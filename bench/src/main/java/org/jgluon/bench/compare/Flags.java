package org.jgluon.bench.compare;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** {@code --name value} options of the smaller sub-commands (scaling, breakdown), checked against a known list. */
final class Flags {

    private final String command;
    private final Map<String, String> values = new HashMap<>();

    private Flags(String command) {
        this.command = command;
    }

    /** Prints {@code usage} and returns true when the arguments ask for help ({@code -h}, {@code --help}). */
    static boolean helpRequested(String usage, String[] args) {
        List<String> a = Arrays.asList(args);
        if (!a.contains("-h") && !a.contains("--help")) return false;
        System.out.println(usage);
        return true;
    }

    /** Runs a sub-command: help on request; a bad option (IllegalArgumentException) as one line and exit status 2. */
    static void runCommand(String usage, String[] args, Consumer<String[]> body) {
        if (helpRequested(usage, args)) return;
        try {
            body.accept(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    static Flags parse(String command, String usage, String[] args, String... known) {
        Flags f = new Flags(command);
        List<String> allowed = Arrays.asList(known);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) throw new IllegalArgumentException(usage);
            if (!a.startsWith("--") || !allowed.contains(a.substring(2))) {
                throw new IllegalArgumentException(command + ": unknown option '" + a + "'\n" + usage);
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(command + ": " + a + " needs a value\n" + usage);
            f.values.put(a.substring(2), args[++i]);
        }
        return f;
    }

    String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    int positive(String name, int dflt) {
        String v = values.get(name);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(command + ": --" + name + " takes a positive whole number, got '" + v + "'");
    }

    double seconds(String name, double dflt) {
        String v = values.get(name);
        if (v == null) return dflt;
        try {
            double s = Double.parseDouble(v);
            if (s >= 0 && s <= 3600) return s;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(command + ": --" + name + " takes seconds from 0 to 3600, got '" + v + "'");
    }

    int[] positiveList(String name, int[] dflt) {
        String v = values.get(name);
        if (v == null) return dflt;
        try {
            int[] out = Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
            if (out.length > 0 && Arrays.stream(out).allMatch(n -> n >= 1)) return out;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(command + ": --" + name + " takes positive whole numbers, comma-separated, got '" + v + "'");
    }
}
